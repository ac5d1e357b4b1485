/* SPDX-License-Identifier: Apache-2.0 */
/*
 * docker diff: what a container changed, read from its writable layer (the snapshot's
 * upper directory) against the image's layers: "A path" for an added file, "C path" for
 * a changed one (or a directory with changes inside), "D path" for a deleted one (an
 * OverlayFS whiteout: a 0/0 character device).
 */
#ifndef BERTH_ENGINE_CONTAINER_DIFF_H
#define BERTH_ENGINE_CONTAINER_DIFF_H

#include "image/store.h"
#include "lib/err.h"

/* The changes of container id as "K /path" lines, sorted by path (malloc'd vector). */
int container_diff(struct image_store *s, const char *id, char ***ret, struct berr **err);

#endif
