/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The network namespace of a container on the "none" or a bridge network: the engine makes it
 * (with lo up, as docker's sandbox has), binds it on a file in the container's
 * directory and gives the runtime its path, so it outlives restarts of the container
 * and the runtime only joins it.
 */
#ifndef BERTH_ENGINE_NETNS_H
#define BERTH_ENGINE_NETNS_H

#include "lib/err.h"

/* Make a network namespace with lo up, bound on path (created). */
int netns_create(const char *path, struct berr **err);

/*
 * A bridge network's container with a user namespace: a network namespace owned by a user
 * namespace the engine makes with the container's maps ("C:H:S" entries), so that the
 * container's root mounts /sys there; lo up, both bound (on netns_path and userns_path,
 * created). The runtime joins both. On failure nothing is left.
 */
int netns_create_owned(const char *netns_path, const char *userns_path, char *const *uid_map,
		       char *const *gid_map, struct berr **err);

/* Unmount and remove path; a missing path is success. */
int netns_remove(const char *path, struct berr **err);

#endif
