/* SPDX-License-Identifier: Apache-2.0 */
/* docker cp's "-": a tar stream of what was copied out, or the tar a copy in reads. */
#ifndef BERTH_ENGINE_CONTAINER_CP_TAR_H
#define BERTH_ENGINE_CONTAINER_CP_TAR_H

#include "lib/err.h"

/*
 * Write a tar of what the directory dir holds to outfd, names relative to dir ("etc/",
 * "etc/passwd"). dir is the caller's private copy: symlinks in it are stored as symlinks,
 * never followed. Returns 0 or -errno with *err.
 */
int cp_tar_write_dir(const char *dir, int outfd, struct berr **err);

#endif
