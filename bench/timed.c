/* timed: run a command; write its wall time, exit code and peak RSS to a file.
 *
 * Usage: timed RESULT_FILE TIMEOUT_SECONDS CMD [ARG...]
 * RESULT_FILE gets one line: "ELAPSED_NS EXIT_CODE MAXRSS_KIB CPU_US", where
 * EXIT_CODE is 128+N for a death by signal N and -1 when TIMEOUT_SECONDS ran
 * out (the command is then killed), and CPU_US is the user + system time of
 * the command and of the processes it reaped (wait4's rusage).
 *
 * Why not measure from bench/run itself: exec records the old address
 * space's peak RSS in the new program's, so a child spawned from Python
 * reports Python's ~20 MiB.  This wrapper is static and tiny, so its
 * children report their own peak, that of the processes they reaped
 * included (wait4 ru_maxrss).  The clock (CLOCK_MONOTONIC) runs from just
 * before the spawn to just after the wait, so bench/run's own overhead
 * is not in the times.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static volatile sig_atomic_t timed_out;
static volatile pid_t child;

static void on_alarm(int sig)
{
	(void) sig;
	timed_out = 1;
	kill(child, SIGKILL);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_alarm};
	struct rusage usage;
	long long start, elapsed;
	int status, code, r;
	pid_t pid;
	FILE *out;

	if (argc < 4) {
		fprintf(stderr, "usage: timed RESULT_FILE TIMEOUT_SECONDS CMD [ARG...]\n");
		return 2;
	}
	sigaction(SIGALRM, &sa, NULL);
	start = now_ns();
	r = posix_spawn(&pid, argv[3], NULL, NULL, argv + 3, environ);
	if (r != 0) {
		fprintf(stderr, "timed: cannot run '%s': %s\n", argv[3], strerror(r));
		return 127;
	}
	child = pid;
	alarm((unsigned) atoi(argv[2]));
	while (wait4(pid, &status, 0, &usage) < 0)
		if (errno != EINTR)
			return 127;
	elapsed = now_ns() - start;
	alarm(0);
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	out = fopen(argv[1], "we");
	if (!out)
		return 127;
	fprintf(out, "%lld %d %ld %lld\n", elapsed, timed_out ? -1 : code, usage.ru_maxrss,
		(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000LL +
			usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
	return fclose(out) == 0 ? 0 : 127;
}
