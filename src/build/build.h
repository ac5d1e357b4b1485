/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `berth build`: a Dockerfile run step by step as docker's classic builder does. Each
 * instruction after FROM makes an image on top of the previous one: RUN runs its command
 * in a container of that image (through the caller's runner: the engine's create, start
 * and rm, with --network none) and commits the container's changes; COPY and ADD stage
 * their sources in a private directory and copy them into a snapshot of the previous
 * image, whose upper dir becomes the layer; the others change only the config (an
 * empty_layer history entry). The step images are removed at the end: only the result
 * stays (tagged with each name). A failing step leaves no container, snapshot or image.
 */
#ifndef BERTH_BUILD_BUILD_H
#define BERTH_BUILD_BUILD_H

#include <stdbool.h>

#include "image/digest.h"
#include "image/store.h"
#include "lib/err.h"

struct build_runner {
	void *ud;
	/* Create a container of image running argv with extra env ("K=V"); *ret_id its id. */
	int (*create)(void *ud, const char *image, char *const *argv, char *const *env,
		      char **ret_id, struct berr **err);
	/* Start it attached (its output is the build's); *ret_code its exit code. */
	int (*start)(void *ud, const char *id, int *ret_code, struct berr **err);
	/*
	 * Its user namespace (the engine configuration's userns-remap gives a RUN one): its
	 * maps ("CONTAINER:HOST:SIZE", the caller frees them), or NULL and NULL without one.
	 */
	int (*idmap)(void *ud, const char *id, char ***ret_uid_map, char ***ret_gid_map,
		     struct berr **err);
	/* Remove it. */
	void (*remove)(void *ud, const char *id);
	/* A line of progress ("Step 1/3 : FROM busybox"); may be NULL. */
	void (*progress)(void *ud, const char *line);
};

struct build_opts {
	const char *context;	 /* the context directory */
	const char *dockerfile;	 /* path; NULL: <context>/Dockerfile */
	char *const *tags;	 /* "name[:tag]" */
	char *const *build_args; /* "K=V", or "K" (from the environment) */
	const char *target;	 /* the stage to stop after, or NULL */
	bool no_cache;		 /* --no-cache: run every step (entries are still written) */
};

/* What docker's "Successfully tagged NAME" adds to name: ":latest" when it has no tag. */
const char *build_tag_suffix(const char *name);

int image_build_run(struct image_store *s, const struct build_opts *o,
		    const struct build_runner *rn, char ret_id[DIGEST_MAX], struct berr **err);

#endif
