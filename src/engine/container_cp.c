/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/container_cp.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/snapshot.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/regfile.h"
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

struct cp_opts {
	bool keep_owner;	      /* volume population: the image's owner and group (cp -a) */
	const struct cp_owner *owner; /* else: cp into a user-namespaced container: its root */
};

static int copy_entry(int sdir, const char *sname, int ddir, const char *dname, int depth,
		      const struct cp_opts *o);

static int copy_tree(int sfd, int dfd, int depth, const struct cp_opts *o)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd = openat(sfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((r = copy_entry(dirfd(d), de->d_name, dfd, de->d_name, depth + 1, o)) < 0)
			return r;
	}
	return 0;
}

/*
 * Give fd (a file or directory berth made) the source's owner (when asked) and then its
 * mode: chown clears set-id bits, so the mode goes second, as cp -a does.
 */
static int copy_meta(int fd, const struct stat *st, const struct cp_opts *o)
{
	if (o->keep_owner && fchown(fd, st->st_uid, st->st_gid) < 0)
		return -errno;
	if (!o->keep_owner && o->owner && fchown(fd, o->owner->uid, o->owner->gid) < 0)
		return -errno;
	return fchmod(fd, st->st_mode & 07777) < 0 ? -errno : 0;
}

static int copy_symlink(int s, const struct stat *st, int ddir, const char *dname,
			const struct cp_opts *o)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(s, "", target, sizeof(target) - 1);

	if (n < 0)
		return -errno;
	target[n] = '\0';
	(void) unlinkat(ddir, dname, 0);
	if (symlinkat(target, ddir, dname) < 0)
		return -errno;
	if (o->keep_owner && fchownat(ddir, dname, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!o->keep_owner && o->owner &&
	    fchownat(ddir, dname, o->owner->uid, o->owner->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

static int copy_dir(int s, const struct stat *st, int ddir, const char *dname, int depth,
		    const struct cp_opts *o)
{
	_cleanup_close_ int dd = -1;
	bool made = mkdirat(ddir, dname, 0700) == 0;
	int r;

	if (!made && errno != EEXIST)
		return -errno;
	dd = openat(ddir, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dd < 0)
		return -errno;
	if ((r = copy_tree(s, dd, depth, o)) < 0)
		return r;
	return made ? copy_meta(dd, st, o) : 0;
}

/*
 * A regular file: read only once it is known to be one (fd_reopen_regular), and written
 * to a new file beside the destination, renamed over it at the end: whatever the
 * destination was (a device node, a FIFO, a symlink the container planted) is replaced,
 * never opened.
 */
static int copy_file(int s, const struct stat *st, int ddir, const char *dname,
		     const struct cp_opts *o)
{
	_cleanup_close_ int in = fd_reopen_regular(s, O_RDONLY), out = -1;
	char tmp[32];
	unsigned int rnd = 0;
	int r;

	if (in < 0)
		return in;
	for (int tries = 0; out < 0 && tries < 16; tries++) {
		(void) getrandom(&rnd, sizeof(rnd), 0);
		snprintf(tmp, sizeof(tmp), ".berth-cp-%08x", rnd);
		out = openat(ddir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (out < 0 && errno != EEXIST)
			return -errno;
	}
	if (out < 0)
		return -EEXIST;
	r = copy_data(in, out);
	if (r >= 0)
		r = copy_meta(out, st, o);
	if (r >= 0 && renameat(ddir, tmp, ddir, dname) < 0)
		r = -errno;
	if (r < 0)
		(void) unlinkat(ddir, tmp, 0);
	return r;
}

/*
 * Copy sdir/sname to ddir/dname: nothing is followed on either side, and nothing but a
 * directory or a regular file is ever opened (the source is opened O_PATH and checked).
 */
static int copy_entry(int sdir, const char *sname, int ddir, const char *dname, int depth,
		      const struct cp_opts *o)
{
	_cleanup_close_ int s = -1;
	struct stat st;

	if (depth > CP_MAX_DEPTH)
		return -ELOOP;
	s = openat(sdir, sname, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (s < 0 || fstat(s, &st) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode))
		return copy_symlink(s, &st, ddir, dname, o);
	if (S_ISDIR(st.st_mode))
		return copy_dir(s, &st, ddir, dname, depth, o);
	if (S_ISREG(st.st_mode))
		return copy_file(s, &st, ddir, dname, o);
	return 0; /* devices, fifos, sockets: skipped, never opened */
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
	if (!*ret_dir || !*ret_base)
		return -ENOMEM;
	/*
	 * "dir/..": opened relative to dir's fd, ".." would leave the root when dir is the
	 * root (the container's bundle directory, on the host). The whole path is resolved
	 * in the root instead, and named ".".
	 */
	if (strcmp(*ret_base, "..") == 0) {
		free(*ret_dir);
		free(*ret_base);
		*ret_dir = strdup(path);
		*ret_base = strdup(".");
		if (!*ret_dir || !*ret_base)
			return -ENOMEM;
	}
	return 0;
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
	r = copy_entry(sfd, sbase, target, name, 0, &(struct cp_opts){0});
	if (r < 0)
		return berr_sys(err, -r, "copying '%s' out of the container", src);
	return 0;
}

int container_cp_in(int rootfd, const char *host_src, const char *dst, const struct cp_owner *owner,
		    struct berr **err)
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
	r = copy_entry(sfd, sbase, target, name, 0, &(struct cp_opts){.owner = owner});
	if (r < 0)
		return berr_sys(err, -r, "copying '%s' into the container", host_src);
	return 0;
}

int container_cp_stat(int rootfd, const char *path, struct cp_stat *ret, struct berr **err)
{
	_cleanup_free_ char *dir = NULL, *base = NULL;
	_cleanup_close_ int dfd = -1;
	struct stat st;
	ssize_t n;

	if (split(path, &dir, &base) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	*ret = (struct cp_stat){0};
	snprintf(ret->name, sizeof(ret->name), "%s", *base ? base : "/");
	if (!*base || !strcmp(base, "/") || !strcmp(base, ".")) {
		free(base);
		base = strdup(".");
		free(dir);
		dir = strdup(path);
		if (!base || !dir)
			return berr_set(err, ENOMEM, "out of memory");
	}
	dfd = safe_open_in_root(rootfd, dir, O_PATH | O_DIRECTORY, 0);
	if (dfd < 0 || fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return berr_sys(err, dfd < 0 ? -dfd : errno,
				"Could not find the file %s in container", path);
	if (S_ISLNK(st.st_mode) &&
	    (n = readlinkat(dfd, base, ret->link_target, sizeof(ret->link_target) - 1)) > 0)
		ret->link_target[n] = '\0';
	ret->size = st.st_size;
	ret->mode = st.st_mode;
	ret->mtime_ns = (int64_t) st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	return 0;
}

static int cp_in_contents(int rootfd, const char *host_dir, const char *dst,
			  const struct cp_opts *o, struct berr **err)
{
	_cleanup_close_ int sfd = -1, dfd = -1;
	int r;

	sfd = open(host_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0)
		return berr_sys(err, errno, "cannot open '%s'", host_dir);
	dfd = safe_open_in_root(rootfd, dst, O_RDONLY | O_DIRECTORY, 0);
	if (dfd == -ENOENT || dfd == -ENOTDIR)
		return berr_set(err, ENOTDIR, "destination '%s' must be a directory", dst);
	if (dfd < 0)
		return berr_sys(err, -dfd, "cannot open '%s' in the container", dst);
	r = copy_tree(sfd, dfd, 0, o);
	if (r < 0)
		return berr_sys(err, -r, "copying into '%s' in the container", dst);
	return 0;
}

int container_cp_in_contents(int rootfd, const char *host_dir, const char *dst,
			     const struct cp_owner *owner, struct berr **err)
{
	return cp_in_contents(rootfd, host_dir, dst, &(struct cp_opts){.owner = owner}, err);
}

int container_cp_in_staged(int rootfd, const char *host_dir, const char *dst, struct berr **err)
{
	return cp_in_contents(rootfd, host_dir, dst, &(struct cp_opts){.keep_owner = true}, err);
}

int container_cp_contents(int rootfd, const char *src, int dstfd)
{
	_cleanup_close_ int sfd = safe_open_in_root(rootfd, src, O_PATH | O_DIRECTORY, 0);
	const struct cp_opts o = {.keep_owner = true};
	struct stat st;
	int r;

	if (sfd < 0)
		return sfd == -ENOENT || sfd == -ENOTDIR ? 0 : sfd;
	if (fstat(sfd, &st) < 0)
		return -errno;
	if ((r = copy_tree(sfd, dstfd, 0, &o)) < 0)
		return r;
	return copy_meta(dstfd, &st, &o);
}

/* The child of container_in_snapshot(), in its own mount namespace. */
static int in_private_mount(struct image_store *s, const char *key, const char *target,
			    snapshot_fn fn, void *data, struct berr **err)
{
	_cleanup_close_ int rootfd = -1;
	int r;

	if (unshare(CLONE_NEWNS) < 0)
		return berr_sys(err, errno, "cannot make a mount namespace");
	/* nothing mounted here may propagate back to the host */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return berr_sys(err, errno, "cannot make the mount namespace private");
	if ((r = image_snapshot_mount(s, key, target, NULL, err)) < 0)
		return r;
	if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		return berr_sys(err, errno, "cannot remount the container's root nosuid");
	rootfd = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (rootfd < 0)
		return berr_sys(err, errno, "cannot open the container's root");
	return fn(rootfd, data, err);
}

struct cp_args {
	enum cp_mode mode;
	const char *src, *dst;
	const struct cp_owner *owner;
};

int container_cp_mode(int rootfd, enum cp_mode mode, const char *src, const char *dst,
		      const struct cp_owner *owner, struct berr **err)
{
	switch (mode) {
	case CP_OUT:
		return container_cp_out(rootfd, src, dst, err);
	case CP_IN:
		return container_cp_in(rootfd, src, dst, owner, err);
	case CP_IN_CONTENTS:
		return container_cp_in_contents(rootfd, src, dst, owner, err);
	case CP_IN_STAGED:
		return container_cp_in_staged(rootfd, src, dst, err);
	default:
		return berr_set(err, EINVAL, "unknown copy mode");
	}
}

static int cp_in_root(int rootfd, void *data, struct berr **err)
{
	const struct cp_args *a = data;

	return container_cp_mode(rootfd, a->mode, a->src, a->dst, a->owner, err);
}

int container_cp_stopped(struct image_store *s, const char *key, const char *target,
			 enum cp_mode mode, const char *src, const char *dst,
			 const struct cp_owner *owner, struct berr **err)
{
	struct cp_args a = {.mode = mode, .src = src, .dst = dst, .owner = owner};

	return container_in_snapshot(s, key, target, cp_in_root, &a, err);
}

int container_in_snapshot(struct image_store *s, const char *key, const char *target,
			  snapshot_fn fn, void *data, struct berr **err)
{
	_cleanup_close_ int rd = -1, wr = -1;
	char buf[4096];
	size_t len = 0;
	ssize_t n;
	int p[2], status = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return berr_sys(err, errno, "pipe");
	rd = p[0];
	wr = p[1];
	pid = fork();
	if (pid < 0)
		return berr_sys(err, errno, "fork");
	if (pid == 0) {
		struct berr *e = NULL;
		int r = in_private_mount(s, key, target, fn, data, &e);

		if (r < 0) {
			if (!e)
				berr_set(&e, -r, "%s", strerror(-r));
			len = berr_encode(e, buf, sizeof(buf));
			(void) write_all(wr, buf, len);
		}
		_exit(r < 0 ? 1 : 0);
	}
	close(wr);
	wr = -1;
	while (len < sizeof(buf) && (n = read(rd, buf + len, sizeof(buf) - len)) != 0) {
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0)
			len += (size_t) n;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return berr_sys(err, errno, "waitpid");
	if (len > 0)
		return berr_decode(buf, len, err);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return berr_set(err, EIO, "the process reading the container's files failed");
	return 0;
}
