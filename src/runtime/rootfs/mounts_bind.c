/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/rootfs/mounts_bind.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>

#include "lib/cleanup.h"
#include "runtime/rootfs/mount_api.h"

uint64_t mounts_ms_to_attr(unsigned long ms)
{
	uint64_t a = 0;

	if (ms & MS_RDONLY)
		a |= MOUNT_ATTR_RDONLY;
	if (ms & MS_NOSUID)
		a |= MOUNT_ATTR_NOSUID;
	if (ms & MS_NODEV)
		a |= MOUNT_ATTR_NODEV;
	if (ms & MS_NOEXEC)
		a |= MOUNT_ATTR_NOEXEC;
	if (ms & MS_NODIRATIME)
		a |= MOUNT_ATTR_NODIRATIME;
	if (ms & MS_NOSYMFOLLOW)
		a |= MOUNT_ATTR_NOSYMFOLLOW;
	if (ms & MS_NOATIME)
		a |= MOUNT_ATTR_NOATIME;
	else if (ms & MS_STRICTATIME)
		a |= MOUNT_ATTR_STRICTATIME;
	return a;
}

uint64_t mounts_atime_clear(unsigned long set_ms, unsigned long clear_ms)
{
	/* An atime mode replaces the whole atime field; "atime"/"norelatime" reset it. */
	if (set_ms & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME))
		return MOUNT_ATTR__ATIME;
	if (clear_ms & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME))
		return MOUNT_ATTR__ATIME;
	return 0;
}

/*
 * Set the attributes on the detached tree, attach it at target_fd, then set its
 * propagation: the kernel does not keep a propagation type set on a detached tree.
 */
int mounts_attach_tree(int tree, int target_fd, uint64_t attr_set, uint64_t attr_clr,
		       uint64_t rattr_set, uint64_t rattr_clr, unsigned long propagation)
{
	if (attr_set || attr_clr) {
		struct mount_attr a = {.attr_set = attr_set, .attr_clr = attr_clr};

		if (sys_mount_setattr(tree, "", AT_EMPTY_PATH, &a) < 0)
			return -errno;
	}
	if (rattr_set || rattr_clr) {
		struct mount_attr a = {.attr_set = rattr_set, .attr_clr = rattr_clr};

		if (sys_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &a) < 0)
			return -errno;
	}
	if (sys_move_mount(tree, "", target_fd, "",
			   MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -errno;
	if (propagation) {
		struct mount_attr a = {.propagation = propagation & ~(unsigned long) MS_REC};
		unsigned int rec = (propagation & MS_REC) ? AT_RECURSIVE : 0;

		/* tree now names the attached mount. */
		if (sys_mount_setattr(tree, "", AT_EMPTY_PATH | rec, &a) < 0)
			return -errno;
	}
	return 0;
}

int mounts_bind_fd(int src_fd, int target_fd, bool recursive, uint64_t attr_set, uint64_t attr_clr,
		   uint64_t rattr_set, uint64_t rattr_clr, unsigned long propagation)
{
	_cleanup_close_ int tree = -1;
	unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH;

	tree = sys_open_tree(src_fd, "", flags | (recursive ? AT_RECURSIVE : 0));
	if (tree < 0)
		return -errno;
	return mounts_attach_tree(tree, target_fd, attr_set, attr_clr, rattr_set, rattr_clr,
				  propagation);
}

int mounts_setattr_path(const char *path, bool recursive, uint64_t attr_set, uint64_t attr_clr)
{
	struct mount_attr a = {.attr_set = attr_set, .attr_clr = attr_clr};

	if (sys_mount_setattr(AT_FDCWD, path, recursive ? AT_RECURSIVE : 0, &a) < 0)
		return -errno;
	return 0;
}
