/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"

uint64_t proc_starttime(pid_t pid)
{
	_cleanup_free_ char *buf = NULL;
	unsigned long long start = 0;
	char path[64];
	const char *p;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
	if (read_file_at(AT_FDCWD, path, 4096, &buf, NULL) < 0)
		return 0;
	/* the command name may hold spaces and ')': fields start after the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* field 3 (state) is the first after ") "; starttime is field 22 */
	if (sscanf(p + 2,
		   "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
		   "%*d %*d %llu",
		   &start) != 1)
		return 0;
	/* a zombie has exited: it is not running any more */
	if (p[2] == 'Z' || p[2] == 'X')
		return 0;
	return start;
}

bool proc_alive(pid_t pid, uint64_t start)
{
	uint64_t now = proc_starttime(pid);

	return now != 0 && (start == 0 || now == start);
}

int proc_pidfd(pid_t pid, uint64_t start)
{
	int fd;

	if (pid <= 0)
		return -ESRCH;
	fd = (int) syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return -errno;
	/* checked after opening: the pidfd then pins the process we compared */
	if (!proc_alive(pid, start)) {
		close(fd);
		return -ESRCH;
	}
	(void) fd_set_cloexec(fd, true);
	return fd;
}

int proc_wait_pidfd(int pidfd, int timeout_ms)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r > 0 ? 1 : 0;
}
