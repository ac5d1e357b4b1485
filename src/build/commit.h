/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A new image on top of another: the parent's layers plus (optionally) one layer made
 * from a directory (a container's upper dir, see layer_diff.h), a config with the given
 * run defaults and the parent's history plus one entry. Used by `berth commit` and by
 * each step of `berth build`.
 */
#ifndef BERTH_BUILD_COMMIT_H
#define BERTH_BUILD_COMMIT_H

#include "build/layer_diff.h"
#include "build/run_config.h"
#include "image/digest.h"
#include "image/store.h"
#include "lib/err.h"

struct commit_opts {
	const struct image *parent;	 /* NULL: scratch */
	int upperfd;			 /* the directory to store as a layer; -1: none */
	const struct layer_idmap *ids;	 /* upperfd's container's user namespace, or NULL */
	const struct run_config *config; /* the new image's run defaults */
	const char *created_by;		 /* history */
	const char *comment;		 /* history comment, or NULL */
	const char *author;		 /* or NULL */
	char *const *names;		 /* "name[:tag]" to give it, or NULL */
};

/* Store the image; *ret_id gets its id ("sha256:..."). */
int image_commit(struct image_store *s, const struct commit_opts *o, char ret_id[DIGEST_MAX],
		 struct berr **err);

/* Give image id the name ("name[:tag]", normalised as docker's). */
int image_commit_tag(struct image_store *s, const char *id, const char *manifest, const char *name,
		     struct berr **err);

#endif
