/* SPDX-License-Identifier: Apache-2.0 */
#include "signals.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

void signals_reset_for_exec(void)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction old;

		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (sigaction(sig, NULL, &old) == 0) {
			if (old.sa_handler == SIG_IGN)
				(void) sigaction(sig, &dfl, NULL);
		} else if (errno == EINVAL) {
			/*
			 * glibc's own two (32 and 33) are refused by its sigaction, yet a caller can
			 * ignore them, and execve keeps that. Ask the kernel directly: a zeroed
			 * struct is SIG_DFL, no flags, no mask whatever the architecture's layout.
			 * This is the child right before execve, single-threaded: glibc does not
			 * need them here, and execve resets their handlers anyway.
			 */
			unsigned long zero[8] = {0};

			(void) syscall(SYS_rt_sigaction, sig, zero, NULL, (size_t) (NSIG / 8));
		}
	}
	sigemptyset(&none);
	(void) sigprocmask(SIG_SETMASK, &none, NULL);
}
