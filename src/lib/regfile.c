/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/regfile.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/safe_path.h"

int fd_reopen_regular(int pathfd, int flags)
{
	char proc[32];
	struct stat st;
	int fd;

	if (fstat(pathfd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	fd = open(fd_proc_path(pathfd, proc), flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	/* O_NONBLOCK only guarded the open: reads of a regular file never block anyway */
	(void) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int open_regular_at(int dirfd, const char *name, int flags)
{
	_cleanup_close_ int p = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (p < 0)
		return -errno;
	return fd_reopen_regular(p, flags);
}
