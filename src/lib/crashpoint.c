/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/crashpoint.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void crashpoint(const char *name)
{
	const char *at = secure_getenv("BERTH_CRASH_AT");
	const char *trace = secure_getenv("BERTH_CRASH_TRACE");
	const char *pause = secure_getenv("BERTH_PAUSE_AT");

	if (trace && *trace) {
		int fd = open(trace, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

		if (fd >= 0) {
			(void) dprintf(fd, "%s\n", name);
			(void) close(fd);
		}
	}
	if (pause && strcmp(pause, name) == 0)
		(void) raise(SIGSTOP); /* the test does something, then sends SIGCONT */
	if (at && strcmp(at, name) == 0) {
		(void) kill(getpid(), SIGKILL);
		_exit(137);
	}
}
