/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/rootfs/mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/safe_path.h"
#include "runtime/cgroup/cgroup_mount.h"
#include "runtime/process/container.h"
#include "runtime/security/lsm.h"
#include "runtime/rootfs/copyup.h"
#include "runtime/process/idmap.h"
#include "runtime/rootfs/mount_api.h"
#include "runtime/rootfs/mounts_bind.h"

bool mounts_is_bind(const struct spec_mount *m)
{
	return m->opts.bind || (m->type && strcmp(m->type, "bind") == 0);
}

static int open_source_at(int bundle_fd, const struct spec_mount *m, struct berr **err)
{
	int dirfd = m->source[0] == '/' ? AT_FDCWD : bundle_fd;
	int fd = openat(dirfd, m->source, O_PATH | O_CLOEXEC);

	if (fd < 0)
		return berr_sys(err, errno, "opening bind source '%s'", m->source);
	return fd;
}

/* m's index in the config, or SIZE_MAX for a mount made up here (rootfs.c's /dev) */
static size_t mount_index(const struct container_ctx *c, const struct spec_mount *m)
{
	const struct spec_mount *first = c->spec->mounts;

	return m >= first && m < first + c->spec->n_mounts ? (size_t) (m - first) : SIZE_MAX;
}

/* Opened by berth-runtime for us when we are in a new user namespace (bind_sources.h). */
static int open_bind_source(const struct container_ctx *c, const struct spec_mount *m,
			    struct berr **err)
{
	size_t i = mount_index(c, m);
	int fd;

	if (i == SIZE_MAX || !c->bind_src_fds || c->bind_src_fds[i] < 0)
		return open_source_at(c->bundle_fd, m, err);
	fd = fcntl(c->bind_src_fds[i], F_DUPFD_CLOEXEC, 3);
	return fd < 0 ? berr_sys(err, errno, "bind source '%s'", m->source) : fd;
}

static bool is_recursive_bind(const struct spec_mount *m)
{
	return m->opts.recursive || (m->type && strcmp(m->type, "rbind") == 0);
}

/*
 * idmap/ridmap: the parent made the idmapped tree before clone (mounts_prepare_idmapped):
 * only the host's root may idmap a host filesystem. Otherwise clone the source here.
 */
static int bind_tree(const struct container_ctx *c, const struct spec_mount *m, struct berr **err)
{
	_cleanup_close_ int src = -1;
	size_t i = mount_index(c, m);
	unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH;
	int tree;

	if (i != SIZE_MAX && c->idmap_trees && c->idmap_trees[i] >= 0)
		return fd_dup_min(c->idmap_trees[i], 3);
	src = open_bind_source(c, m, err);
	if (src < 0)
		return src;
	tree = sys_open_tree(src, "", flags | (is_recursive_bind(m) ? AT_RECURSIVE : 0));
	if (tree < 0)
		return berr_sys(err, errno, "bind-mounting '%s'", m->source);
	return tree;
}

static int apply_bind(const struct container_ctx *c, int rootfd, const struct spec_mount *m,
		      struct berr **err)
{
	_cleanup_close_ int tree = -1, target = -1;
	const struct mount_opts *o = &m->opts;
	struct stat st;
	int r;

	tree = bind_tree(c, m, err);
	if (tree < 0)
		return tree;
	if (fstat(tree, &st) < 0)
		return berr_sys(err, errno, "inspecting bind source '%s'", m->source);
	target = safe_mount_target(rootfd, m->destination, !S_ISDIR(st.st_mode));
	if (target < 0)
		return berr_sys(err, -target, "creating mount point");
	r = mounts_attach_tree(tree, target, mounts_ms_to_attr(o->flags & MS_PER_MOUNT),
			       mounts_ms_to_attr(o->clear & MS_PER_MOUNT) |
				       mounts_atime_clear(o->flags, o->clear),
			       o->attr_set, o->attr_clr, o->propagation);
	if (r < 0)
		return berr_sys(err, -r, "bind-mounting '%s'", m->source);
	return 0;
}

int mounts_check_fs_type(int fd, const char *type, struct berr **err)
{
	struct statfs sfs;
	long want;

	if (strcmp(type, "proc") == 0)
		want = PROC_SUPER_MAGIC;
	else if (strcmp(type, "sysfs") == 0)
		want = SYSFS_MAGIC;
	else
		return 0;
	if (fstatfs(fd, &sfs) < 0)
		return berr_sys(err, errno, "checking the %s mount", type);
	if (sfs.f_type != want)
		return berr_set(err, EPERM, "the %s mount is not a %s filesystem", type, type);
	return 0;
}

/*
 * procfs and sysfs go only on a real directory of the rootfs: a symlink there (to a
 * fake /proc elsewhere, CVE-2023-27561) or a file is refused, as runc does.
 */
static int check_kernel_fs_target(int rootfd, const struct spec_mount *m, struct berr **err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (strcmp(m->type, "proc") != 0 && strcmp(m->type, "sysfs") != 0)
		return 0;
	fd = safe_open_in_root(rootfd, m->destination, O_PATH | O_NOFOLLOW, 0);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0 || fstat(fd, &st) < 0)
		return berr_sys(err, fd < 0 ? -fd : errno, "inspecting the mount point");
	if (S_ISLNK(st.st_mode))
		return berr_set(err, EPERM, "refusing to mount %s on a symlink", m->type);
	if (!S_ISDIR(st.st_mode))
		return berr_set(err, ENOTDIR, "refusing to mount %s on a non-directory", m->type);
	return 0;
}

/* tmpcopyup: what was under the mount point, copied into the new tmpfs at mounted. */
static int copy_up(int under, int mounted, struct berr **err)
{
	_cleanup_close_ int dst = openat(mounted, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (dst < 0)
		return berr_sys(err, errno, "tmpcopyup: opening the new tmpfs");
	r = copyup_tree(under, dst);
	return r < 0 ? berr_sys(err, -r, "tmpcopyup: copying the mount point's contents") : 0;
}

/* Whether the comma-separated filesystem data has a mode= option. */
static bool has_mode_option(const char *data)
{
	for (const char *p = data; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
		if (strncmp(p, "mode=", 5) == 0)
			return true;
	}
	return false;
}

static int apply_fs(int rootfd, const struct spec_mount *m, const char *mount_label,
		    struct berr **err)
{
	_cleanup_close_ int target = -1, mounted = -1, under = -1;
	_cleanup_free_ char *labelled = NULL, *moded = NULL;
	const struct mount_opts *o = &m->opts;
	const char *type = m->type;
	struct stat under_st = {0};
	char path[32];
	int r;

	if ((r = check_kernel_fs_target(rootfd, m, err)) < 0)
		return r;
	target = safe_mount_target(rootfd, m->destination, false);
	if (target < 0)
		return berr_sys(err, -target, "creating mount point");
	/*
	 * As runc: a tmpfs without mode= takes the mode of the directory it covers, given as
	 * mode= (a chmod afterwards would fail on a read-only tmpfs).
	 */
	if (!o->remount && strcmp(type, "tmpfs") == 0 && !has_mode_option(o->data)) {
		if (fstat(target, &under_st) < 0)
			return berr_sys(err, errno, "inspecting the mount point");
		if (asprintf(&moded, "%s%smode=%o", o->data ? o->data : "",
			     o->data && *o->data ? "," : "", under_st.st_mode & 07777) < 0)
			return berr_set(err, ENOMEM, "out of memory");
	}
	if (lsm_mount_data(type, moded ? moded : o->data, mount_label, &labelled) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	/* Opened before the mount: it keeps naming the directory underneath. */
	if (o->tmpcopyup) {
		under = openat(target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (under < 0)
			return berr_sys(err, errno, "tmpcopyup: opening the mount point");
	}
	if (mount(m->source ? m->source : type, fd_proc_path(target, path), type,
		  o->flags | (o->remount ? MS_REMOUNT : 0),
		  labelled ? labelled
		  : moded  ? moded
			   : o->data) < 0)
		return berr_sys(err, errno, "mounting %s", type);
	/* Reopened by path: what the rootfs shows there now must be the real thing. */
	mounted = safe_open_in_root(rootfd, m->destination, O_PATH | O_DIRECTORY, 0);
	if (mounted < 0)
		return berr_sys(err, -mounted, "reopening the mount point");
	r = mounts_check_fs_type(mounted, type, err);
	if (r < 0 || (under >= 0 && (r = copy_up(under, mounted, err)) < 0))
		return r;
	if (o->propagation &&
	    mount(NULL, fd_proc_path(mounted, path), NULL, o->propagation, NULL) < 0)
		return berr_sys(err, errno, "setting propagation");
	if (o->attr_set || o->attr_clr) {
		struct mount_attr a = {.attr_set = o->attr_set, .attr_clr = o->attr_clr};

		if (sys_mount_setattr(mounted, "", AT_EMPTY_PATH | AT_RECURSIVE, &a) < 0)
			return berr_sys(err, errno, "setting recursive mount attributes");
	}
	return 0;
}

/*
 * In a user namespace some filesystems cannot be mounted: sysfs without owning the
 * network namespace, cgroup without owning the cgroup namespace (rootless). As runc
 * does, bind the host's instead, recursively and with the mount's flags.
 */
static int bind_host_instead(int rootfd, const struct spec_mount *m, const char *host,
			     struct berr **err)
{
	_cleanup_close_ int src = -1, target = -1;
	const struct mount_opts *o = &m->opts;
	int r;

	src = open(host, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (src < 0)
		return berr_sys(err, errno, "opening the host's '%s'", host);
	target = safe_mount_target(rootfd, m->destination, false);
	if (target < 0)
		return berr_sys(err, -target, "creating mount point");
	r = mounts_bind_fd(src, target, true, 0, 0,
			   mounts_ms_to_attr(o->flags & MS_PER_MOUNT) | o->attr_set, o->attr_clr,
			   0);
	if (r < 0)
		return berr_sys(err, -r, "binding the host's '%s' (%s cannot be mounted here)",
				host, m->type);
	return 0;
}

static bool fallback_to_bind(const struct container_ctx *c, const struct spec_mount *m, int r)
{
	return r == -EPERM && c->spec->linux.ns[NS_USER].enabled &&
	       (strcmp(m->type, "sysfs") == 0 || strcmp(m->type, "cgroup") == 0 ||
		strcmp(m->type, "cgroup2") == 0);
}

int mounts_apply(const struct container_ctx *c, int rootfd, const struct spec_mount *m,
		 struct berr **err)
{
	int r;

	if (mounts_is_bind(m))
		r = apply_bind(c, rootfd, m, err);
	else if (!m->type)
		r = berr_set(err, EINVAL, "no type given (and not a bind mount)");
	else if (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0)
		r = cgroup_mount_in_container(c, rootfd, m, err);
	else
		r = apply_fs(rootfd, m, c->spec->linux.mount_label, err);
	if (fallback_to_bind(c, m, r)) {
		berr_clear(err);
		r = bind_host_instead(rootfd, m, m->type[0] == 's' ? "/sys" : "/sys/fs/cgroup",
				      err);
	}
	if (r < 0)
		return berr_wrap(err, "mount '%s'", m->destination);
	return 0;
}

/* The user namespace whose mapping the idmapped mount m uses (see mounts.h). */
static int mapping_userns(const struct spec *s, const struct spec_mount *m, int *container_ns,
			  struct berr **err)
{
	const struct spec_linux *l = &s->linux;
	int fd = -1, r;

	if (m->uid_mappings.n) {
		r = idmap_userns_fd(&m->uid_mappings, &m->gid_mappings, &fd, err);
		return r < 0 ? r : fd;
	}
	if (*container_ns < 0 && l->uid_mappings.n) {
		r = idmap_userns_fd(&l->uid_mappings, &l->gid_mappings, container_ns, err);
		if (r < 0)
			return r;
	} else if (*container_ns < 0 && l->ns[NS_USER].path) {
		*container_ns = open(l->ns[NS_USER].path, O_RDONLY | O_CLOEXEC);
		if (*container_ns < 0)
			return berr_sys(err, errno, "opening the user namespace '%s'",
					l->ns[NS_USER].path);
	}
	if (*container_ns < 0)
		return berr_set(err, EINVAL,
				"no mapping: neither uidMappings nor a user namespace");
	return fd_dup_min(*container_ns, 3);
}

static int idmapped_tree(const struct spec *s, const struct spec_mount *m, int bundle_fd,
			 int *container_ns, struct berr **err)
{
	_cleanup_close_ int src = -1, tree = -1, userns = -1;
	unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH;
	struct mount_attr a = {.attr_set = MOUNT_ATTR_IDMAP};

	userns = mapping_userns(s, m, container_ns, err);
	if (userns < 0)
		return userns;
	src = open_source_at(bundle_fd, m, err);
	if (src < 0)
		return src;
	tree = sys_open_tree(src, "", flags | (is_recursive_bind(m) ? AT_RECURSIVE : 0));
	if (tree < 0)
		return berr_sys(err, errno, "bind-mounting '%s'", m->source);
	a.userns_fd = (uint64_t) userns;
	if (sys_mount_setattr(tree, "", AT_EMPTY_PATH | (m->opts.ridmap ? AT_RECURSIVE : 0), &a) <
	    0)
		return berr_sys(err, errno, "idmapping '%s'%s", m->source,
				errno == EPERM	  ? " (needs the host's root)"
				: errno == EINVAL ? " (this kernel cannot idmap that filesystem: "
						    "ext4, xfs and btrfs need Linux 5.12-5.15, "
						    "overlayfs 5.19, tmpfs 6.3)"
						  : "");
	return TAKE_FD(tree);
}

int mounts_prepare_idmapped(const struct spec *s, int bundle_fd, int **ret_trees, struct berr **err)
{
	_cleanup_close_ int container_ns = -1;
	int *trees = NULL;

	*ret_trees = NULL;
	for (size_t i = 0; i < s->n_mounts; i++) {
		if (!s->mounts[i].opts.idmap)
			continue;
		if (!trees) {
			trees = malloc(s->n_mounts * sizeof(int));
			if (!trees)
				return berr_set(err, ENOMEM, "out of memory");
			for (size_t k = 0; k < s->n_mounts; k++)
				trees[k] = -1;
		}
		trees[i] = idmapped_tree(s, &s->mounts[i], bundle_fd, &container_ns, err);
		if (trees[i] < 0) {
			mounts_close_trees(trees, s->n_mounts);
			return berr_wrap(err, "mounts[%zu]", i);
		}
	}
	*ret_trees = trees;
	return 0;
}

int *mounts_close_trees(int *trees, size_t n)
{
	for (size_t i = 0; trees && i < n; i++)
		if (trees[i] >= 0)
			(void) close(trees[i]);
	free(trees);
	return NULL;
}
