/* SPDX-License-Identifier: Apache-2.0 */
/* Copies with a running or stopped container (container_copy.h). */
#include "engine/container_copy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/container_cp_tar.h"
#include "engine/container_export.h"
#include "engine/userns.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/rmtree.h"

/* The running container's root (its overlay), or -ENOENT when it is stopped. */
static int running_root(struct container *c, struct berr **err)
{
	int fd;

	if (!c->st.rootfs_mounted ||
	    (c->st.status != STATUS_RUNNING && c->st.status != STATUS_PAUSED))
		return -ENOENT;
	fd = openat(c->dirfd, "bundle/rootfs", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? berr_sys(err, errno, "cannot open the container's root") : fd;
}

/* Where a stopped container's snapshot is mounted, only in a child's namespace (malloc'd). */
static char *stopped_target(struct image_store *s, struct container *c, struct berr **err)
{
	char *target;

	if (!s) {
		berr_set(err, EIO, "cannot open the image store");
		return NULL;
	}
	if (!(target = container_path(c, "bundle/rootfs"))) {
		berr_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	if ((mkdirat(c->dirfd, "bundle", 0700) < 0 && errno != EEXIST) ||
	    (mkdirat(c->dirfd, "bundle/rootfs", 0755) < 0 && errno != EEXIST)) {
		berr_sys(err, errno, "cannot create '%s'", target);
		free(target);
		return NULL;
	}
	return target;
}

/* What cp makes in c belongs to its root: NULL (the caller) without a user namespace. */
static const struct cp_owner *cp_owner_of(const struct container *c, struct cp_owner *own)
{
	if (!userns_enabled(c->cfg))
		return NULL;
	userns_root_ids(c->cfg, &own->uid, &own->gid);
	return own;
}

/* fn in c's root: the live one, else the snapshot's in a child; c unlocked here. */
static int in_root(struct image_store *s, struct container *c, snapshot_fn fn, void *data,
		   struct berr **err)
{
	_cleanup_close_ int rootfd = running_root(c, err);
	_cleanup_free_ char *target = NULL;
	int r;

	if (rootfd == -ENOENT) {
		target = stopped_target(s, c, err);
		r = target ? container_in_snapshot(s, c->cfg->id, target, fn, data, err) : -EIO;
		container_unlock(c);
		return r;
	}
	container_unlock(c);
	return rootfd < 0 ? rootfd : fn(rootfd, data, err);
}

int container_copy(struct image_store *s, struct container *c, enum cp_mode mode, const char *src,
		   const char *dst, struct berr **err)
{
	_cleanup_close_ int rootfd = running_root(c, err);
	_cleanup_free_ char *target = NULL;
	struct cp_owner own;
	const struct cp_owner *owner = cp_owner_of(c, &own);
	int r;

	if (rootfd == -ENOENT) {
		target = stopped_target(s, c, err);
		r = target ? container_cp_stopped(s, c->cfg->id, target, mode, src, dst, owner, err)
			   : -EIO;
		container_unlock(c);
		return r;
	}
	container_unlock(c);
	return rootfd < 0 ? rootfd : container_cp_mode(rootfd, mode, src, dst, owner, err);
}

int container_copy_out_tar(struct image_store *s, struct container *c, const char *src, int outfd,
			   struct berr **err)
{
	_cleanup_free_ char *tmp = container_copy_tmpdir(err);
	int r;

	if (!tmp) {
		container_unlock(c);
		return -EIO;
	}
	r = container_copy(s, c, CP_OUT, src, tmp, err);
	if (r >= 0)
		r = cp_tar_write_dir(tmp, outfd, err);
	(void) rm_rf_at(AT_FDCWD, tmp);
	return r;
}

static int export_in_root(int rootfd, void *data, struct berr **err)
{
	return container_export_tar(rootfd, *(const int *) data, err);
}

int container_copy_export(struct image_store *s, struct container *c, int outfd, struct berr **err)
{
	return in_root(s, c, export_in_root, &outfd, err);
}

/* The stat goes back through a pipe: a stopped container's is taken in a child. */
static int stat_in_root(int rootfd, void *data, struct berr **err)
{
	const struct {
		const char *path;
		int fd;
	} *a = data;
	_cleanup_free_ struct cp_stat *st = calloc(1, sizeof(*st));
	int r;

	if (!st)
		return berr_set(err, ENOMEM, "out of memory");
	if ((r = container_cp_stat(rootfd, a->path, st, err)) < 0)
		return r;
	return (r = write_all(a->fd, st, sizeof(*st))) < 0 ? berr_sys(err, -r, "write") : 0;
}

static int read_stat(int fd, struct cp_stat *ret)
{
	char *p = (char *) ret;
	size_t len = 0;

	while (len < sizeof(*ret)) {
		ssize_t n = read(fd, p + len, sizeof(*ret) - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		len += (size_t) n;
	}
	return 0;
}

int container_copy_stat(struct image_store *s, struct container *c, const char *path,
			struct cp_stat *ret, struct berr **err)
{
	_cleanup_close_ int rd = -1;
	struct {
		const char *path;
		int fd;
	} a = {path, -1};
	int p[2], r;

	/* a pipe holds 64 KiB: the child's one write does not wait for the read */
	if (pipe2(p, O_CLOEXEC) < 0) {
		container_unlock(c);
		return berr_sys(err, errno, "pipe");
	}
	rd = p[0];
	a.fd = p[1];
	r = in_root(s, c, stat_in_root, &a, err);
	(void) close(p[1]);
	if (r < 0)
		return r;
	return read_stat(rd, ret) < 0 ? berr_set(err, EIO, "cannot read the stat of '%s'", path)
				      : 0;
}

char *container_copy_tmpdir(struct berr **err)
{
	const char *base = secure_getenv("TMPDIR");
	char *dir = NULL;

	if (asprintf(&dir, "%s/berth-cp-XXXXXX", base && *base ? base : "/tmp") < 0) {
		berr_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	if (!mkdtemp(dir)) {
		berr_sys(err, errno, "cannot create a temporary directory in '%s'",
			 base && *base ? base : "/tmp");
		free(dir);
		return NULL;
	}
	return dir;
}
