/* SPDX-License-Identifier: Apache-2.0 */
/* Removing a directory tree without following symlinks, and without leaving its device. */
#ifndef BERTH_LIB_RMTREE_H
#define BERTH_LIB_RMTREE_H

/*
 * Remove dirfd/name, whatever it is (a directory with everything under it), never
 * following a symlink and never descending into another mount. A missing name is
 * success. Returns 0 or -errno (the first error; the rest is still tried).
 */
int rm_rf_at(int dirfd, const char *name);

/* Remove everything inside the directory dirfd, keeping the directory. */
int rm_rf_children(int dirfd);

#endif
