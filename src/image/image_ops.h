/* SPDX-License-Identifier: Apache-2.0 */
/* What `berth tag`, `rmi` and `image prune` do to the store (the CLI only prints). */
#ifndef BERTH_IMAGE_IMAGE_OPS_H
#define BERTH_IMAGE_IMAGE_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "image/store.h"
#include "lib/err.h"

/* Give the image source (any reference or id) the name target ("name[:tag]"). */
int image_tag(struct image_store *s, const char *source, const char *target, struct berr **err);

/*
 * Remove ref as docker's rmi does: a name is untagged, and the image deleted when no
 * name is left; an id deletes the image, which needs force when it has several names.
 * An image a snapshot (container) uses is refused, or with force only untagged.
 * Lines "Untagged: NAME" and "Deleted: ID" are appended to *report.
 */
int image_remove(struct image_store *s, const char *ref, bool force, char ***report,
		 struct berr **err);

/*
 * Delete images with no name (all: every image no container uses), then collect
 * garbage. Lines "deleted: ID" are appended to *report; *ret_freed gets the bytes.
 */
struct image_prune_filter {
	int64_t until_ns;	 /* until=: only images added before it (0: any) */
	char *const *labels;	 /* label=K[=V]: every one must match */
	char *const *not_labels; /* label!=K[=V]: none may */
};
int image_prune(struct image_store *s, bool all, const struct image_prune_filter *f, char ***report,
		uint64_t *ret_freed, struct berr **err);

#endif
