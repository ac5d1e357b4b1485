/* SPDX-License-Identifier: Apache-2.0 */
#include "signals.h"

#include <signal.h>
#include <stddef.h>

void signals_reset_for_exec(void)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction old;

		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		/* glibc refuses its own two real-time signals with EINVAL: skipped. */
		if (sigaction(sig, NULL, &old) < 0 || old.sa_handler != SIG_IGN)
			continue;
		(void) sigaction(sig, &dfl, NULL);
	}
	sigemptyset(&none);
	(void) sigprocmask(SIG_SETMASK, &none, NULL);
}
