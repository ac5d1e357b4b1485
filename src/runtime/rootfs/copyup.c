/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/rootfs/copyup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/cleanup.h"

/* Deeper trees are refused rather than recursed into (a bound stack, and a loop guard). */
#define COPYUP_MAX_DEPTH 64

static int copy_attrs(int dst_dir, const char *name, int fd, const struct stat *st)
{
	struct timespec times[2] = {st->st_atim, st->st_mtim};

	if (fd >= 0) {
		if (fchown(fd, st->st_uid, st->st_gid) < 0 && errno != EPERM && errno != EINVAL)
			return -errno;
		if (fchmod(fd, st->st_mode & 07777) < 0)
			return -errno;
		return futimens(fd, times) < 0 ? -errno : 0;
	}
	/* A symlink: owner and times only (its mode means nothing). */
	if (fchownat(dst_dir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 &&
	    errno != EPERM && errno != EINVAL)
		return -errno;
	return utimensat(dst_dir, name, times, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

static int copy_data(int in, int out, off_t size)
{
	while (size > 0) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t) size, 0);

		if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL)) {
			char buf[65536];

			n = read(in, buf, sizeof(buf));
			if (n > 0 && write(out, buf, (size_t) n) != n)
				return errno ? -errno : -EIO;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		size -= n;
	}
	return 0;
}

static int copy_file(int src_dir, int dst_dir, const char *name, const struct stat *st)
{
	_cleanup_close_ int in = -1, out = -1;
	int r;

	in = openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return -errno;
	r = copy_data(in, out, st->st_size);
	return r < 0 ? r : copy_attrs(dst_dir, name, out, st);
}

static int copy_symlink(int src_dir, int dst_dir, const char *name, const struct stat *st)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(src_dir, name, target, sizeof(target) - 1);

	if (n < 0)
		return -errno;
	target[n] = '\0';
	if (symlinkat(target, dst_dir, name) < 0)
		return -errno;
	return copy_attrs(dst_dir, name, -1, st);
}

static int copy_node(int dst_dir, const char *name, const struct stat *st)
{
	if (mknodat(dst_dir, name, st->st_mode, st->st_rdev) < 0)
		return -errno;
	if (fchownat(dst_dir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 &&
	    errno != EPERM && errno != EINVAL)
		return -errno;
	return fchmodat(dst_dir, name, st->st_mode & 07777, 0) < 0 ? -errno : 0;
}

static int copy_dir(int src, int dst, int depth);

static int copy_entry(int src, int dst, const char *name, int depth)
{
	_cleanup_close_ int sub_src = -1, sub_dst = -1;
	struct stat st;
	int r;

	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	switch (st.st_mode & S_IFMT) {
	case S_IFREG:
		return copy_file(src, dst, name, &st);
	case S_IFLNK:
		return copy_symlink(src, dst, name, &st);
	case S_IFDIR:
		if (mkdirat(dst, name, 0700) < 0)
			return -errno;
		sub_src = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		sub_dst = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub_src < 0 || sub_dst < 0)
			return -errno;
		r = copy_dir(sub_src, sub_dst, depth + 1);
		return r < 0 ? r : copy_attrs(dst, name, sub_dst, &st);
	default:
		return copy_node(dst, name, &st);
	}
}

static int copy_dir(int src, int dst, int depth)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd, r;

	if (depth > COPYUP_MAX_DEPTH)
		return -ELOOP;
	fd = fcntl(src, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		(void) close(fd);
		return -errno;
	}
	while ((errno = 0, de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = copy_entry(src, dst, de->d_name, depth);
		if (r < 0)
			return r;
	}
	return errno ? -errno : 0;
}

int copyup_tree(int src_dirfd, int dst_dirfd)
{
	return copy_dir(src_dirfd, dst_dirfd, 0);
}
