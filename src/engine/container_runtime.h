/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's runtime and what undoes a run: the OCI runtime it was created with
 * (its binary, and a --root of its own under the engine root), and the cleanup after
 * its process exited (runtime delete, rootfs unmounted, network namespace removed),
 * done by the monitor, or by any `berth` command that finds the monitor gone.
 */
#ifndef BERTH_ENGINE_CONTAINER_RUNTIME_H
#define BERTH_ENGINE_CONTAINER_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/container_store.h"
#include "engine/runtime_client.h"
#include "lib/err.h"

struct container_rt {
	struct oci_runtime rt; /* points into the strings below */
	char *root, *log;
};

/* Fill r for c (strings owned by r: free with container_rt_done()). */
int container_rt_init(struct engine *e, const struct container *c, struct container_rt *r);
void container_rt_done(struct container_rt *r);

/*
 * After the container's process is gone: runtime delete, unmount the rootfs, remove
 * the network namespace; records it in c->st (the caller holds the lock and saves).
 * Best effort: the first error is returned, every step is tried.
 */
int container_cleanup(struct engine *e, struct container *c, struct berr **err);

/*
 * Unmount everything mounted under the container's directory (the rootfs, the network
 * namespace) and remove the netns file, whatever c->st says: idempotent, and only
 * for a container that is not running.
 */
int container_release_mounts(struct container *c, struct berr **err);

/* The container's cgroupsPath: "<parent>/<id>", always absolute (malloc'd). */
char *container_cgroups_path(const struct container_config *cfg);

/* How many times the kernel's OOM killer killed in the container's memory cgroup. */
uint64_t container_oom_kills(const struct container_config *cfg);

/* True when the container's monitor runs. */
bool container_monitor_alive(const struct container *c);

/*
 * Make c->st true when its monitor died (killed, or the machine rebooted): the
 * container is marked exited (its init is killed if it still runs) and cleaned up.
 * The caller holds the lock; returns 1 when the state changed (and was saved).
 */
int container_refresh(struct engine *e, struct container *c, struct berr **err);

#endif
