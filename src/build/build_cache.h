/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The build cache, as docker's classic builder has it: a step whose parent image, text
 * (with the build-args it sees) and, for COPY/ADD, source content are those of a step
 * built before reuses that step's image. An entry is the file
 * <store>/build-cache/<hex of the key>, {"image": id, "manifest": digest}, replaced
 * atomically; the collector (gc.c) keeps what entries name, and `berth builder prune`
 * removes them.
 */
#ifndef BERTH_BUILD_BUILD_CACHE_H
#define BERTH_BUILD_BUILD_CACHE_H

#include <stdint.h>

#include "image/digest.h"
#include "image/store.h"
#include "lib/err.h"

/*
 * The key of a step: parent ("sha256:..." or NULL for scratch), the instruction's text,
 * extra strings (the build-args it sees: "K=V", may be NULL) and content (a tree digest,
 * or NULL), each framed by its length so no two inputs give the same stream.
 */
void build_cache_key(const char *parent, const char *text, char *const *extra, const char *content,
		     char ret[static DIGEST_MAX]);

/*
 * The digest of the tree under root as COPY stores it: each entry's path, type, mode,
 * owner, and its content (a file's bytes, a symlink's target), in name order. Nothing
 * is followed. Returns 0 or -errno with *err set.
 */
int build_cache_tree_digest(const char *root, char ret[static DIGEST_MAX], struct berr **err);

/*
 * Look key up. On a hit whose image is whole (config, manifest and every layer in the
 * store) the image is recorded in the index again and *ret_id gets its id: returns 1.
 * A missing or broken entry is a miss: 0. Never fails otherwise.
 */
int build_cache_get(struct image_store *s, const char *key, char ret_id[static DIGEST_MAX]);

/* Record that key made img. Returns 0 or -errno with *err set. */
int build_cache_put(struct image_store *s, const char *key, const struct image *img,
		    struct berr **err);

/*
 * What `system df` shows: *ret_n the entries, *ret_size the unpacked bytes of the layers
 * that entries hold and no image record does (each counted once).
 */
int build_cache_usage(struct image_store *s, size_t *ret_n, uint64_t *ret_size, struct berr **err);

/* As build_cache_usage, calling fn (when not NULL) for each entry: its key and the bytes
 * it adds to *ret_size (the layers no image and no earlier entry holds). */
typedef void (*build_cache_fn)(const char *key, uint64_t size, void *userdata);
int build_cache_walk(struct image_store *s, build_cache_fn fn, void *userdata, size_t *ret_n,
		     uint64_t *ret_size, struct berr **err);

/*
 * Remove entries (all: every one; else those whose image has no record in the index),
 * then collect. *ret_removed (may be NULL) gets the removed keys' hex; *ret_freed the
 * bytes the collection freed.
 */
int build_cache_prune(struct image_store *s, bool all, char ***ret_removed, uint64_t *ret_freed,
		      struct berr **err);

#endif
