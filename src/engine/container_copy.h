/* SPDX-License-Identifier: Apache-2.0 */
/*
 * docker cp, export and archive with a container, running or not: a running one's live
 * root (its overlay), else its snapshot mounted only in a child's mount namespace
 * (container_cp_stopped, container_in_snapshot). Each takes c locked and unlocks it
 * before the copy: a long copy does not hold the container's lock.
 */
#ifndef BERTH_ENGINE_CONTAINER_COPY_H
#define BERTH_ENGINE_CONTAINER_COPY_H

#include "engine/container_cp.h"
#include "engine/container_store.h"
#include "image/store.h"
#include "lib/err.h"

/*
 * One copy (src and dst as container_cp_out/in/in_contents take them) with c. s is the
 * image store, needed only when c is stopped (NULL: an error then).
 */
int container_copy(struct image_store *s, struct container *c, enum cp_mode mode, const char *src,
		   const char *dst, struct berr **err);

/*
 * docker cp CTR:SRC - and the archive GET: src copied out of c into a private directory,
 * then written to outfd as a tar (cp_tar_write_dir: "base", "base/...").
 */
int container_copy_out_tar(struct image_store *s, struct container *c, const char *src, int outfd,
			   struct berr **err);

/* docker export: the tar of c's root filesystem to outfd (container_export_tar). */
int container_copy_export(struct image_store *s, struct container *c, int outfd, struct berr **err);

/* docker's archive HEAD: container_cp_stat of path in c. */
int container_copy_stat(struct image_store *s, struct container *c, const char *path,
			struct cp_stat *ret, struct berr **err);

/* A private (0700) directory under $TMPDIR or /tmp for a tar's contents; malloc'd path. */
char *container_copy_tmpdir(struct berr **err);

#endif
