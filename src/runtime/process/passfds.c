/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/process/passfds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/strv.h"

static int parse_count(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max)
		return -EINVAL;
	return (int) v;
}

int passfds_listen_count(struct berr **err)
{
	const char *pid = secure_getenv("LISTEN_PID"), *fds = secure_getenv("LISTEN_FDS");
	int n;

	if (!pid || !fds || parse_count(pid, INT32_MAX) != (int) getpid())
		return 0;
	n = parse_count(fds, PASSFDS_MAX);
	if (n < 0)
		return berr_set(err, EINVAL, "LISTEN_FDS: '%s' is not a number of fds", fds);
	return n;
}

int passfds_check(int listen_fds, int preserve_fds, struct berr **err)
{
	if (preserve_fds < 0 || preserve_fds > PASSFDS_MAX - listen_fds)
		return berr_set(err, EINVAL, "--preserve-fds: %d is more than %d", preserve_fds,
				PASSFDS_MAX - listen_fds);
	for (int i = 0; i < listen_fds + preserve_fds; i++) {
		int fd = 3 + i;

		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		if (i < listen_fds)
			return berr_set(err, EBADF, "LISTEN_FDS: fd %d (of %d) is not open", fd,
					listen_fds);
		return berr_set(err, EBADF, "--preserve-fds: fd %d (%d of %d) is not open", fd,
				i - listen_fds + 1, preserve_fds);
	}
	return 0;
}

int passfds_listen_env(char ***env, int listen_fds)
{
	char buf[32];
	int r;

	if (listen_fds <= 0)
		return 0;
	snprintf(buf, sizeof(buf), "LISTEN_FDS=%d", listen_fds);
	r = strv_env_set(env, buf);
	if (r < 0)
		return r;
	snprintf(buf, sizeof(buf), "LISTEN_PID=%d", (int) getpid());
	return strv_env_set(env, buf);
}
