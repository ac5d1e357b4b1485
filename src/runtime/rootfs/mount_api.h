/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel's fd-based mount API (open_tree, move_mount, mount_setattr; Linux 5.2 and
 * 5.12), called directly so that berth does not depend on a libc that wraps them.
 */
#ifndef BERTH_RUNTIME_MOUNT_API_H
#define BERTH_RUNTIME_MOUNT_API_H

#include <linux/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC 02000000
#endif

static inline int sys_open_tree(int dfd, const char *path, unsigned int flags)
{
	return (int) syscall(SYS_open_tree, dfd, path, flags);
}

static inline int sys_move_mount(int from_dfd, const char *from, int to_dfd, const char *to,
				 unsigned int flags)
{
	return (int) syscall(SYS_move_mount, from_dfd, from, to_dfd, to, flags);
}

static inline int sys_mount_setattr(int dfd, const char *path, unsigned int flags,
				    struct mount_attr *attr)
{
	return (int) syscall(SYS_mount_setattr, dfd, path, flags, attr, sizeof(*attr));
}

static inline int sys_fsopen(const char *fsname, unsigned int flags)
{
	return (int) syscall(SYS_fsopen, fsname, flags);
}

static inline int sys_fsconfig(int fd, unsigned int cmd, const char *key, const void *value,
			       int aux)
{
	return (int) syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}

static inline int sys_fsmount(int fd, unsigned int flags, unsigned int attr_flags)
{
	return (int) syscall(SYS_fsmount, fd, flags, attr_flags);
}

static inline int sys_pivot_root(const char *new_root, const char *put_old)
{
	return (int) syscall(SYS_pivot_root, new_root, put_old);
}

#endif
