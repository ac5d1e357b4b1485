/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/cgroup/cgroup_mount.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/safe_path.h"
#include "lib/strv.h"
#include "runtime/cgroup/cgroup.h"
#include "lib/cgroup_layout.h"
#include "runtime/process/container.h"
#include "runtime/rootfs/mount_api.h"
#include "runtime/rootfs/mounts_bind.h"

#define CG_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static const char *basename_of(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

/* Does a CONTROLLERS field of /proc/self/cgroup (len bytes at field) name h? */
static bool names_hier(const struct cgroup_hier *h, const char *field, size_t len)
{
	_cleanup_free_ char *copy = strndup(field, len);
	_cleanup_strv_ char **f = copy ? strv_split(copy, ",") : NULL;

	if (!f)
		return false;
	if (h->v2)
		return len == 0;
	if (!h->controllers || !h->controllers[0])
		return strv_contains(f, h->options); /* "name=systemd" */
	if (strv_length(f) != strv_length(h->controllers))
		return false;
	STRV_FOREACH (c, f)
		if (!strv_contains(h->controllers, *c))
			return false;
	return true;
}

/*
 * This process's cgroup in hierarchy h (from /proc/self/cgroup, whose lines are
 * "ID:CONTROLLERS:PATH") as a host directory: "/sys/fs/cgroup/memory/berth/x".
 */
static char *own_cgroup_dir(const struct cgroup_hier *h, char *const *lines)
{
	size_t rootlen = strcmp(h->root, "/") == 0 ? 0 : strlen(h->root);

	STRV_FOREACH (l, lines) {
		const char *c1 = strchr(*l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		const char *path;
		char *out = NULL;

		if (!c2 || !names_hier(h, c1 + 1, (size_t) (c2 - c1 - 1)))
			continue;
		path = c2 + 1;
		if (rootlen && strncmp(path, h->root, rootlen) == 0)
			path += rootlen;
		if (asprintf(&out, "%s%s", h->mountpoint, path) < 0)
			return NULL;
		return out;
	}
	return NULL;
}

/* Bind the container's own directory of h onto the target directory fd. */
static int bind_own(int target, const struct cgroup_hier *h, char *const *lines,
		    unsigned long flags, struct berr **err)
{
	_cleanup_free_ char *dir = own_cgroup_dir(h, lines);
	_cleanup_close_ int src = -1;
	int r;

	if (!dir)
		return berr_set(err, ENOENT, "finding our cgroup under '%s'", h->mountpoint);
	src = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (src < 0)
		return berr_sys(err, errno, "opening cgroup '%s'", dir);
	r = mounts_bind_fd(src, target, false, mounts_ms_to_attr(flags), 0, 0, 0, 0);
	return r < 0 ? berr_sys(err, -r, "binding cgroup '%s'", dir) : 0;
}

/* Mount one hierarchy below the tmpfs at dirfd, named as on the host. */
static int mount_hier(int dirfd, const struct cgroup_hier *h, char *const *own, unsigned long flags,
		      struct berr **err)
{
	_cleanup_close_ int sub = -1;
	const char *name = basename_of(h->mountpoint);
	char path[32];
	int r;

	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
		return berr_sys(err, errno, "creating '%s'", name);
	sub = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0)
		return berr_sys(err, errno, "opening '%s'", name);
	if (own) {
		if ((r = bind_own(sub, h, own, flags, err)) < 0)
			return r;
	} else if (mount("cgroup", fd_proc_path(sub, path), h->v2 ? "cgroup2" : "cgroup", flags,
			 h->v2 ? NULL : h->options) < 0)
		return berr_sys(err, errno, "mounting cgroup '%s'", name);
	/* "cpu,cpuacct" is also reachable as "cpu" and "cpuacct", as on the host. */
	STRV_FOREACH (ctl, h->controllers)
		if (strcmp(*ctl, name) != 0)
			(void) symlinkat(name, dirfd, *ctl);
	return 0;
}

static int mount_v1_tree(int rootfd, const char *dest, int target, const struct cgroup_layout *l,
			 char *const *own, unsigned long flags, struct berr **err)
{
	_cleanup_close_ int top = -1;
	char path[32];
	int r;

	if (mount("tmpfs", fd_proc_path(target, path), "tmpfs", CG_FLAGS, "mode=755") < 0)
		return berr_sys(err, errno, "mounting tmpfs for cgroups");
	/* target still names the directory under the tmpfs: reach the tmpfs itself. */
	top = safe_open_in_root(rootfd, dest, O_PATH | O_DIRECTORY, 0);
	if (top < 0)
		return berr_sys(err, -top, "opening the cgroup tmpfs");
	for (size_t i = 0; i < l->n; i++) {
		r = mount_hier(top, &l->v[i], own, flags | CG_FLAGS, err);
		if (r < 0)
			return r;
	}
	if (flags & MS_RDONLY) {
		struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};

		if (sys_mount_setattr(top, "", AT_EMPTY_PATH, &a) < 0)
			return berr_sys(err, errno, "making the cgroup tmpfs read-only");
	}
	return 0;
}

static bool in_userns(const struct container_ctx *c)
{
	return c->spec->linux.ns[NS_USER].enabled;
}

/* Without a cgroup namespace: the lines of /proc/self/cgroup, to bind our own cgroups. */
static int own_cgroups(const struct container_ctx *c, char ***ret, struct berr **err)
{
	_cleanup_free_ char *text = NULL;
	int r;

	*ret = NULL;
	if (c->spec->linux.ns[NS_CGROUP].enabled)
		return 0;
	r = read_file_at(AT_FDCWD, "/proc/self/cgroup", 1u << 20, &text, NULL);
	if (r < 0)
		return berr_sys(err, -r, "reading /proc/self/cgroup");
	*ret = strv_split(text, "\n");
	return *ret ? 0 : berr_set(err, ENOMEM, "out of memory");
}

/*
 * cgroup2 cannot always be mounted in a new user namespace: with the host's /sys bound in
 * (a joined network namespace), /sys/fs/cgroup already holds the host's cgroup2, and the
 * same superblock on the same mount point is EBUSY; a cgroup namespace that the user
 * namespace does not own gives EPERM. As runc, bind the container's own cgroup directory
 * instead, which is what the cgroup namespace would have shown as the root.
 */
static int bind_dir(int target, const char *dir, unsigned long flags)
{
	_cleanup_close_ int src = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (src < 0)
		return -errno;
	return mounts_bind_fd(src, target, false, mounts_ms_to_attr(flags), 0, 0, 0, 0);
}

/*
 * cgroup2 cannot be mounted in a user namespace without a cgroup namespace of its own
 * (EPERM or EBUSY): bind what the container may see instead, as runc does. Its own
 * cgroup when it has one; else (rootless without a delegated cgroup) the host's cgroup2
 * root; and if even that cannot be bound, an empty tmpfs, so that the container starts
 * with no cgroup view rather than not at all.
 */
static int bind_own_v2(int target, const struct container_ctx *c, const struct cgroup_hier *h,
		       unsigned long flags, int mount_errno, struct berr **err)
{
	_cleanup_free_ char *dir = c->cgroup_path ? cgroup_dir(h, c->cgroup_path) : NULL;
	char path[32];
	int r;

	if (c->cgroup_path && !dir)
		return berr_sys(err, ENOMEM, "mounting cgroup2");
	if (dir) {
		r = bind_dir(target, dir, flags);
		if (r >= 0)
			return 0;
		if (r != -ENOENT) /* a cgroup it has but cannot see: never show more instead */
			return berr_sys(err, -r, "mounting cgroup2 failed (%s), and binding '%s'",
					strerror(mount_errno), dir);
	}
	r = bind_dir(target, h->mountpoint, flags);
	if (r >= 0)
		return 0;
	if (mount("tmpfs", fd_proc_path(target, path), "tmpfs", flags, "mode=0755") < 0)
		return berr_sys(err, errno,
				"mounting cgroup2 failed (%s), binding '%s' too (%s), and a tmpfs",
				strerror(mount_errno), h->mountpoint, strerror(-r));
	return 0;
}

/*
 * With a cgroup namespace, cgroup filesystems mounted here show the container's own
 * cgroup as their root. Without one, they would show the host's whole tree: the
 * container's own directories are bound instead, as runc does. Read-only unless the
 * mount says "rw".
 */
int cgroup_mount_in_container(const struct container_ctx *c, int rootfd, const struct spec_mount *m,
			      struct berr **err)
{
	struct cgroup_layout *l = NULL;
	_cleanup_strv_ char **own = NULL;
	_cleanup_close_ int target = -1;
	unsigned long flags = m->opts.flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC |
					       MS_RELATIME | MS_NOATIME);
	char path[32];
	int r;

	if (!(m->opts.clear & MS_RDONLY))
		flags |= MS_RDONLY;
	if ((r = own_cgroups(c, &own, err)) < 0 || (r = cgroup_layout_detect(&l, err)) < 0)
		return r;
	target = safe_mount_target(rootfd, m->destination, false);
	if (target < 0) {
		cgroup_layout_free(l);
		return berr_sys(err, -target, "creating mount point");
	}
	if (l->mode == CGROUP_MODE_V2 && own) {
		r = bind_own(target, l->unified, own, flags | CG_FLAGS, err);
	} else if (l->mode == CGROUP_MODE_V2) {
		r = 0;
		if (mount("cgroup2", fd_proc_path(target, path), "cgroup2", flags | CG_FLAGS,
			  NULL) < 0) {
			if ((errno == EBUSY || errno == EPERM) && in_userns(c))
				r = bind_own_v2(target, c, l->unified, flags | CG_FLAGS, errno,
						err);
			else
				r = berr_sys(err, errno, "mounting cgroup2");
		}
	} else if (l->mode == CGROUP_MODE_NONE) {
		r = berr_set(err, ENOENT, "the host has no cgroup filesystem mounted");
	} else {
		r = mount_v1_tree(rootfd, m->destination, target, l, own, flags, err);
	}
	cgroup_layout_free(l);
	return r;
}
