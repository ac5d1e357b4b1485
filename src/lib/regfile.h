/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Opening a file that someone else controls (a container's or an image's) for reading as
 * host root, without opening what is not a regular file: a FIFO would block the engine
 * forever, and a device node would be opened by host root, outside the container's
 * device cgroup. The name is opened with O_PATH (which opens nothing), checked with
 * fstat, and only a regular file is reopened for reading, through /proc/self/fd, so the
 * inode read is the inode checked.
 */
#ifndef BERTH_LIB_REGFILE_H
#define BERTH_LIB_REGFILE_H

/*
 * Reopen pathfd (an O_PATH fd, or any fd) with flags (O_RDONLY...; O_CLOEXEC, O_NOCTTY
 * and O_NONBLOCK are added) when it is a regular file. Returns the new fd, -EINVAL when
 * it is not a regular file, or -errno.
 */
int fd_reopen_regular(int pathfd, int flags);

/* Open dirfd/name (not following a symlink in its last component) as fd_reopen_regular. */
int open_regular_at(int dirfd, const char *name, int flags);

#endif
