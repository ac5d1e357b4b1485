/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_LIB_UMOUNT_UNDER_H
#define BERTH_LIB_UMOUNT_UNDER_H

/*
 * Detach every mount at or below the absolute path dir (from /proc/self/mountinfo,
 * deepest first), whatever recorded state says: removal of a directory that a killed
 * command left mounted then succeeds. Returns the number of mounts detached, or -errno
 * of the first that could not be.
 */
int umount_under(const char *dir);

#endif
