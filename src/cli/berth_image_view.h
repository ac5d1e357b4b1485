/* SPDX-License-Identifier: Apache-2.0 */
/* The output of `berth images`, `history` and `image inspect`, as docker prints them. */
#ifndef BERTH_CLI_BERTH_IMAGE_VIEW_H
#define BERTH_CLI_BERTH_IMAGE_VIEW_H

#include <stdbool.h>
#include <stdio.h>

#include "image/store.h"
#include "lib/err.h"
#include "lib/json.h"

struct images_view_opts {
	bool all, quiet, digests, no_trunc;
	const char *format;
	const char *repository; /* only this repository[:tag] */
	char **filters;		/* "dangling=true", "reference=busybox" */
};

int images_view(struct image_store *s, const struct images_view_opts *o, FILE *out,
		struct berr **err);

struct history_view_opts {
	bool no_trunc, quiet;
	bool raw; /* -H=false: sizes in bytes, dates as RFC 3339 */
	const char *format;
};

/* One entry of an image's history, newest first, as `history` shows it. */
struct history_entry {
	const struct image_record *rec; /* the image's record (its names) */
	const struct image *img;
	const struct image_history *h;
	uint64_t size; /* the bytes of its layer (0: an empty layer) */
	bool top;      /* the newest entry: the image's own */
};
typedef void (*history_fn)(void *data, const struct history_entry *e);

/* fn for each entry of ref's history, newest first; -ENOENT (with *err) if no such image. */
int history_walk(struct image_store *s, const char *ref, history_fn fn, void *data,
		 struct berr **err);

int history_view(struct image_store *s, const char *ref, const struct history_view_opts *o,
		 FILE *out, struct berr **err);

/*
 * inspect's document of the image ref in *ret (the caller frees it); -ENOENT (with *err)
 * if there is none.
 */
int image_inspect_json(struct image_store *s, const char *ref, struct jwriter **ret,
		       struct berr **err);

#endif
