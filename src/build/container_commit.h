/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `berth commit`: a container's changes (its snapshot's upper dir) as a new image on
 * top of the container's image, with the container's process settings (Cmd, Env, ...)
 * as the image's defaults, changed by Dockerfile instructions (-c).
 */
#ifndef BERTH_BUILD_CONTAINER_COMMIT_H
#define BERTH_BUILD_CONTAINER_COMMIT_H

#include <stdbool.h>

#include "engine/container_store.h"
#include "image/digest.h"
#include "image/store.h"
#include "lib/err.h"

struct container_commit_opts {
	char *const *changes; /* "CMD [\"sh\"]", "ENV A=b", ... or NULL */
	const char *comment;  /* -m */
	const char *author;   /* -a */
	const char *name;     /* "repo[:tag]" or NULL */
	bool pause;	      /* freeze a running container while its files are read */
};

int container_commit(struct engine *e, struct image_store *s, const char *ref,
		     const struct container_commit_opts *o, char ret_id[DIGEST_MAX],
		     struct berr **err);

#endif
