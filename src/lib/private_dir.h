/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The engine's root directory: volumes, snapshots and layers below it hold the
 * containers' files, set-uid ones included, which no other host user may reach. It is
 * made 0700 whichever command creates it first (the engine's or the image store's), and
 * an existing root with group or other bits gets them cleared when it is opened.
 */
#ifndef BERTH_LIB_PRIVATE_DIR_H
#define BERTH_LIB_PRIVATE_DIR_H

#include <sys/types.h>

/*
 * mkdir -p: path with mode, its missing parents 0755; an existing directory is fine.
 * 0 or -errno (-ENAMETOOLONG past PATH_MAX).
 */
int dir_mkdir_p(const char *path, mode_t mode);

/* Clear the group and other bits of the directory dirfd (any fd, O_PATH too). */
int dir_make_private(int dirfd);

/* Create path (and missing parents, 0755) or take the existing one; make it private. */
int private_dir_prepare(const char *path);

#endif
