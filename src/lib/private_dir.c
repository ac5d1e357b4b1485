/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/private_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/safe_path.h"

int dir_make_private(int dirfd)
{
	char proc[32];
	struct stat st;

	if (fstat(dirfd, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (!(st.st_mode & 077))
		return 0;
	return chmod(fd_proc_path(dirfd, proc), st.st_mode & 07700) < 0 ? -errno : 0;
}

int dir_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int) sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int private_dir_prepare(const char *path)
{
	_cleanup_close_ int fd = -1;
	int r = dir_mkdir_p(path, 0700);

	if (r < 0)
		return r;
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return dir_make_private(fd);
}
