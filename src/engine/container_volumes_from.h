/* SPDX-License-Identifier: Apache-2.0 */
/*
 * --volumes-from CONTAINER[:ro|:rw]: the new container gets the volumes and bind mounts
 * of CONTAINER at the same destinations, read-only as they are there unless the suffix
 * says otherwise; a destination the new container mounts itself keeps its own mount.
 * Resolved once, at create (the mounts are then the new container's own, and kept when
 * CONTAINER is removed, as docker's).
 */
#ifndef BERTH_ENGINE_CONTAINER_VOLUMES_FROM_H
#define BERTH_ENGINE_CONTAINER_VOLUMES_FROM_H

#include "engine/container.h"
#include "engine/container_store.h"
#include "lib/err.h"

/* Check the form of every spec (before anything is written); -EINVAL with *err. */
int container_volumes_from_check(char *const *specs, struct berr **err);

/* Append the mounts of every cfg->volumes_from container to cfg->mounts. */
int container_volumes_from_apply(struct engine *e, struct container_config *cfg, struct berr **err);

#endif
