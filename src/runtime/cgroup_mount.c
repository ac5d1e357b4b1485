/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/cgroup_mount.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/safe_path.h"
#include "lib/strv.h"
#include "runtime/cgroup_layout.h"
#include "runtime/container.h"
#include "runtime/mount_api.h"
#include "runtime/mounts.h"

#define CG_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static const char *basename_of(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

/* Mount one hierarchy below the tmpfs at dirfd, named as on the host. */
static int mount_hier(int dirfd, const struct cgroup_hier *h, unsigned long flags,
		      struct berr **err)
{
	_cleanup_close_ int sub = -1;
	const char *name = basename_of(h->mountpoint);
	char path[32];

	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
		return berr_sys(err, errno, "creating '%s'", name);
	sub = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0)
		return berr_sys(err, errno, "opening '%s'", name);
	if (mount("cgroup", fd_proc_path(sub, path), h->v2 ? "cgroup2" : "cgroup", flags,
		  h->v2 ? NULL : h->options) < 0)
		return berr_sys(err, errno, "mounting cgroup '%s'", name);
	/* "cpu,cpuacct" is also reachable as "cpu" and "cpuacct", as on the host. */
	STRV_FOREACH (ctl, h->controllers)
		if (strcmp(*ctl, name) != 0)
			(void) symlinkat(name, dirfd, *ctl);
	return 0;
}

static int mount_v1_tree(int rootfd, const char *dest, int target, const struct cgroup_layout *l,
			 unsigned long flags, struct berr **err)
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
		r = mount_hier(top, &l->v[i], flags | CG_FLAGS, err);
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

int cgroup_mount_in_container(const struct container_ctx *c, int rootfd, const struct spec_mount *m,
			      struct berr **err)
{
	struct cgroup_layout *l = NULL;
	_cleanup_close_ int target = -1;
	unsigned long flags = m->opts.flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC |
					       MS_RELATIME | MS_NOATIME);
	char path[32];
	int r;

	(void) c;
	r = cgroup_layout_detect(&l, err);
	if (r < 0)
		return r;
	target = safe_mount_target(rootfd, m->destination, false);
	if (target < 0) {
		cgroup_layout_free(l);
		return berr_sys(err, -target, "creating mount point");
	}
	if (l->mode == CGROUP_MODE_V2) {
		r = 0;
		if (mount("cgroup2", fd_proc_path(target, path), "cgroup2", flags | CG_FLAGS,
			  NULL) < 0)
			r = berr_sys(err, errno, "mounting cgroup2");
	} else if (l->mode == CGROUP_MODE_NONE) {
		r = berr_set(err, ENOENT, "the host has no cgroup filesystem mounted");
	} else {
		r = mount_v1_tree(rootfd, m->destination, target, l, flags, err);
	}
	cgroup_layout_free(l);
	return r;
}
