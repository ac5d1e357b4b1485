/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Binding a tree by fd with the new mount API, attributes and propagation set on the way:
 * what mounts.c and cgroup_mount.c share.
 */
#ifndef BERTH_RUNTIME_MOUNTS_BIND_H
#define BERTH_RUNTIME_MOUNTS_BIND_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/mount.h>

#ifndef MOUNT_ATTR_NOSYMFOLLOW
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#endif
#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

/* The per-mount flags mount_setattr knows; the rest are superblock flags. */
#define MS_PER_MOUNT                                                                               \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | \
	 MS_STRICTATIME | MS_NOSYMFOLLOW)

/* The MOUNT_ATTR_* equivalent of per-mount MS_* flags. */
uint64_t mounts_ms_to_attr(unsigned long ms);

/* MOUNT_ATTR__ATIME when set_ms or clear_ms name an atime mode (it replaces the field). */
uint64_t mounts_atime_clear(unsigned long set_ms, unsigned long clear_ms);

/*
 * Set the attributes on the detached tree, attach it at target_fd, then set its
 * propagation: the kernel does not keep a propagation type set on a detached tree.
 */
int mounts_attach_tree(int tree, int target_fd, uint64_t attr_set, uint64_t attr_clr,
		       uint64_t rattr_set, uint64_t rattr_clr, unsigned long propagation);

/*
 * Bind-mount the tree at src_fd (an O_PATH fd) onto target_fd, with MOUNT_ATTR_* set
 * and cleared on the top mount, and rattr_set/rattr_clr on every mount of the tree.
 */
int mounts_bind_fd(int src_fd, int target_fd, bool recursive, uint64_t attr_set, uint64_t attr_clr,
		   uint64_t rattr_set, uint64_t rattr_clr, unsigned long propagation);

/* Apply MOUNT_ATTR_* to the mount at path (relative to the cwd/root), recursively or not. */
int mounts_setattr_path(const char *path, bool recursive, uint64_t attr_set, uint64_t attr_clr);

#endif
