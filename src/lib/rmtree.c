/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/rmtree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"

/* Directory depth beyond which we give up (each level holds an fd). */
#define RMTREE_MAX_DEPTH 256

static int rm_children(int dfd, dev_t dev, int depth);

static int rm_entry(int dfd, const char *name, dev_t dev, int depth)
{
	struct stat st;
	int r = 0;

	if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return -EPERM;
	if (st.st_dev != dev)
		return -EXDEV;
	if (depth >= RMTREE_MAX_DEPTH)
		return -ELOOP;
	{
		_cleanup_close_ int sub =
			openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (sub < 0)
			return errno == ENOENT ? 0 : -errno;
		r = rm_children(sub, dev, depth + 1);
	}
	if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && r == 0)
		r = -errno;
	return r;
}

static int rm_children(int dfd, dev_t dev, int depth)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd, r = 0;

	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		(void) close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		int k;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		k = rm_entry(dirfd(d), de->d_name, dev, depth);
		if (k < 0 && r == 0)
			r = k;
	}
	return r;
}

int rm_rf_children(int dirfd)
{
	struct stat st;

	if (fstat(dirfd, &st) < 0)
		return -errno;
	return rm_children(dirfd, st.st_dev, 0);
}

int rm_rf_at(int dirfd, const char *name)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	return rm_entry(dirfd, name, st.st_dev, 0);
}
