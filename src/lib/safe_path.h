/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Paths inside a root filesystem, resolved as if the root were "/": symlinks and ".."
 * never lead out of it (CVE-2021-30465 and kin). openat2(RESOLVE_IN_ROOT) where the
 * kernel has it; otherwise an equivalent walk one component at a time.
 * Magic links (/proc/self/fd/...) inside the root are refused.
 */
#ifndef BERTH_LIB_SAFE_PATH_H
#define BERTH_LIB_SAFE_PATH_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * Open path (absolute or relative: both are taken from the root) inside the tree of
 * rootfd, a directory fd. flags are open(2)'s; O_CLOEXEC is added. Returns an fd the
 * caller owns, or -errno.
 */
int safe_open_in_root(int rootfd, const char *path, int flags, mode_t mode);

/* The same with the userspace walk, whatever the kernel offers (exposed for tests). */
int safe_open_in_root_walk(int rootfd, const char *path, int flags, mode_t mode);

/*
 * Create the directory path inside rootfd and every missing parent (mode for new ones).
 * Returns an O_PATH fd of the directory, owned by the caller, or -errno.
 */
int safe_mkdir_p_in_root(int rootfd, const char *path, mode_t mode);

/*
 * Make sure path exists inside rootfd as a mount target: a directory, or (is_file) a
 * regular file, creating it and its parents when missing. Returns an O_PATH fd of the
 * target, or -errno (-ENOTDIR when an existing target has the wrong type for a
 * directory mount).
 */
int safe_mount_target(int rootfd, const char *path, bool is_file);

/* "/proc/self/fd/N" for fd, in buf (at least 32 bytes). */
const char *fd_proc_path(int fd, char buf[static 32]);

#endif
