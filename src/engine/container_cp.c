/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/container_cp.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/safe_path.h"

#define CP_MAX_DEPTH 128

static int copy_data(int in, int out)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t) (n - off));

			if (w < 0 && errno != EINTR)
				return -errno;
			if (w > 0)
				off += w;
		}
	}
	return 0;
}

static int copy_entry(int sdir, const char *sname, int ddir, const char *dname, int depth);

static int copy_tree(int sfd, int dfd, int depth)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd = fcntl(sfd, F_DUPFD_CLOEXEC, 3), r = 0;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((r = copy_entry(dirfd(d), de->d_name, dfd, de->d_name, depth + 1)) < 0)
			return r;
	}
	return 0;
}

/* Copy sdir/sname to ddir/dname: nothing is followed on either side. */
static int copy_entry(int sdir, const char *sname, int ddir, const char *dname, int depth)
{
	struct stat st;
	char target[PATH_MAX];
	ssize_t n;

	if (depth > CP_MAX_DEPTH)
		return -ELOOP;
	if (fstatat(sdir, sname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode)) {
		n = readlinkat(sdir, sname, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		(void) unlinkat(ddir, dname, 0);
		return symlinkat(target, ddir, dname) < 0 ? -errno : 0;
	}
	if (S_ISDIR(st.st_mode)) {
		_cleanup_close_ int s = -1, dd = -1;

		if (mkdirat(ddir, dname, st.st_mode & 07777) < 0 && errno != EEXIST)
			return -errno;
		s = openat(sdir, sname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		dd = openat(ddir, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s < 0 || dd < 0)
			return -errno;
		return copy_tree(s, dd, depth);
	}
	if (S_ISREG(st.st_mode)) {
		_cleanup_close_ int s = openat(sdir, sname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		_cleanup_close_ int o = -1;

		if (s < 0)
			return -errno;
		o = openat(ddir, dname, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
			   st.st_mode & 07777);
		if (o < 0)
			return -errno;
		return copy_data(s, o);
	}
	return 0; /* devices, fifos, sockets: docker cp skips them too */
}

/* Split path into its parent and last component (both malloc'd). */
static int split(const char *path, char **ret_dir, char **ret_base)
{
	_cleanup_free_ char *p = strdup(path);
	size_t n;
	char *slash;

	if (!p)
		return -ENOMEM;
	n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	slash = strrchr(p, '/');
	if (!slash) {
		*ret_dir = strdup(".");
		*ret_base = strdup(p);
	} else {
		*ret_base = strdup(slash + 1);
		*slash = '\0';
		*ret_dir = strdup(*p ? p : "/");
	}
	return *ret_dir && *ret_base ? 0 : -ENOMEM;
}

/* The destination: into dst when it is an existing directory, else dst itself. */
static int dest_of(int dst_dir_fd, const char *dst_base, const char *src_base, int *ret_dir,
		   const char **ret_name)
{
	struct stat st;

	if (fstatat(dst_dir_fd, dst_base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
		int fd = openat(dst_dir_fd, dst_base,
				O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (fd < 0)
			return -errno;
		*ret_dir = fd;
		*ret_name = src_base;
		return 0;
	}
	*ret_dir = fcntl(dst_dir_fd, F_DUPFD_CLOEXEC, 3);
	*ret_name = dst_base;
	return *ret_dir < 0 ? -errno : 0;
}

int container_cp_out(int rootfd, const char *src, const char *host_dst, struct berr **err)
{
	_cleanup_free_ char *sdir = NULL, *sbase = NULL, *ddir = NULL, *dbase = NULL;
	_cleanup_close_ int sfd = -1, dfd = -1, target = -1;
	const char *name;
	int r;

	if (split(src, &sdir, &sbase) < 0 || split(host_dst, &ddir, &dbase) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	sfd = safe_open_in_root(rootfd, sdir, O_RDONLY | O_DIRECTORY, 0);
	if (sfd < 0)
		return berr_sys(err, -sfd, "Could not find the file %s in container", src);
	dfd = open(ddir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return berr_sys(err, errno, "cannot open '%s'", ddir);
	if (!strcmp(sbase, "/") || !strcmp(sbase, ".") || !*sbase) {
		free(sbase);
		sbase = strdup(".");
	}
	if ((r = dest_of(dfd, dbase, sbase, &target, &name)) < 0)
		return berr_sys(err, -r, "cannot open '%s'", host_dst);
	r = copy_entry(sfd, sbase, target, name, 0);
	if (r < 0)
		return berr_sys(err, -r, "copying '%s' out of the container", src);
	return 0;
}

int container_cp_in(int rootfd, const char *host_src, const char *dst, struct berr **err)
{
	_cleanup_free_ char *sdir = NULL, *sbase = NULL, *ddir = NULL, *dbase = NULL;
	_cleanup_close_ int sfd = -1, dfd = -1, target = -1;
	const char *name;
	int r;

	if (split(host_src, &sdir, &sbase) < 0 || split(dst, &ddir, &dbase) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	sfd = open(sdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0)
		return berr_sys(err, errno, "cannot open '%s'", sdir);
	dfd = safe_open_in_root(rootfd, ddir, O_RDONLY | O_DIRECTORY, 0);
	if (dfd < 0)
		return berr_sys(err, -dfd, "Could not find the file %s in container", ddir);
	if (!strcmp(dbase, "/") || !*dbase) {
		free(dbase);
		dbase = strdup(".");
	}
	if ((r = dest_of(dfd, dbase, sbase, &target, &name)) < 0)
		return berr_sys(err, -r, "cannot open '%s' in the container", dst);
	r = copy_entry(sfd, sbase, target, name, 0);
	if (r < 0)
		return berr_sys(err, -r, "copying '%s' into the container", host_src);
	return 0;
}

int container_cp_contents(int rootfd, const char *src, int dstfd)
{
	_cleanup_close_ int sfd = safe_open_in_root(rootfd, src, O_RDONLY | O_DIRECTORY, 0);

	if (sfd < 0)
		return sfd == -ENOENT || sfd == -ENOTDIR ? 0 : sfd;
	return copy_tree(sfd, dstfd, 0);
}
