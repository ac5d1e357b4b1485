/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `tmpcopyup` mount option (config.md, Linux mount options): a new tmpfs starts with
 * a copy of what was at its mount point.
 */
#ifndef BERTH_RUNTIME_COPYUP_H
#define BERTH_RUNTIME_COPYUP_H

/*
 * Copy the contents of the directory src_dirfd into dst_dirfd (both O_RDONLY directory
 * fds): files, directories, symlinks and special files, with owner, mode and times.
 * Ownership that cannot be kept (unmapped in a user namespace) is left to the copier.
 * Returns 0 or -errno; a failure leaves a partial copy.
 */
int copyup_tree(int src_dirfd, int dst_dirfd);

#endif
