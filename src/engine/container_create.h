/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `berth create`: a container from an image and a checked config. Everything is
 * written in order (name, directory, snapshot, volumes, /etc files) and undone in
 * reverse order when a step fails, so a failed create leaves nothing behind.
 */
#ifndef BERTH_ENGINE_CONTAINER_CREATE_H
#define BERTH_ENGINE_CONTAINER_CREATE_H

#include "engine/container.h"
#include "engine/container_store.h"
#include "image/store.h"
#include "lib/err.h"

/*
 * Merge the image's defaults into cfg (which this completes: id, name, args, env,
 * created ...) and create the container. cfg stays the caller's.
 */
int container_create(struct engine *e, struct image_store *s, struct container_config *cfg,
		     struct berr **err);

/* "<root>/volumes/<name>/_data" (malloc'd). */
char *engine_volume_path(const struct engine *e, const char *name);

/* Remove the container's anonymous volumes (rm -v). */
void container_remove_anonymous_volumes(struct engine *e, const struct container_config *cfg);

#endif
