/* SPDX-License-Identifier: Apache-2.0 */
/*
 * docker export: a tar of a container's root filesystem as the container sees it (the
 * image's layers and its changes, merged by the overlay), without what is mounted on
 * it (volumes, bind mounts, tmpfs): a mount point is its directory, empty.
 */
#ifndef BERTH_ENGINE_CONTAINER_EXPORT_H
#define BERTH_ENGINE_CONTAINER_EXPORT_H

#include "lib/err.h"

/*
 * Write a tar of the tree under the directory rootfd to outfd, names relative to it
 * ("bin/", "bin/sh"). Every file is opened relative to its parent's fd with O_NOFOLLOW
 * and checked to be what was listed, so a symlink (even one swapped in while the export
 * runs) is stored as a symlink and never followed. Hard links are stored as hard links.
 * A directory on another filesystem (a mount point) is stored, its contents are not.
 */
int container_export_tar(int rootfd, int outfd, struct berr **err);

#endif
