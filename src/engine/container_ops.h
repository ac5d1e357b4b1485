/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What stop, kill, rm, wait, pause and unpause do to a container. Each takes the
 * container with its lock held and gives it back held; the lock is dropped while it
 * waits for a process, so the monitor can record the exit meanwhile.
 */
#ifndef BERTH_ENGINE_CONTAINER_OPS_H
#define BERTH_ENGINE_CONTAINER_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/container_store.h"
#include "image/store.h"
#include "lib/err.h"

/* True for running, paused and restarting. */
bool container_active(const struct container *c);

/*
 * Read container id's state again, without its lock: true while it is active under a
 * live monitor (what `logs --follow` waits on); false too when it is gone.
 */
bool container_still_active(struct engine *e, const char *id);

/*
 * docker stop: the stop signal, then SIGKILL after timeout seconds (timeout < 0: the
 * container's own), then wait for the monitor to record the exit. A container that
 * does not run is left alone.
 */
int container_stop(struct engine *e, struct container *c, int64_t timeout, struct berr **err);

/* docker kill: send sig; -EINVAL "is not running" when it does not run. */
int container_kill(struct engine *e, struct container *c, int sig, struct berr **err);

/*
 * docker rm: refuse an active container unless force (then SIGKILL it first); remove
 * its runtime state, mounts, snapshot, directory and name, and with volumes its
 * anonymous volumes. The lock is gone with the directory: the caller frees c.
 */
int container_remove(struct engine *e, struct image_store *s, struct container *c, bool force,
		     bool volumes, struct berr **err);

/* Wait (without the lock) until c is not active; reloads c->st. */
int container_wait_exit(struct engine *e, struct container *c, int timeout_ms, struct berr **err);

int container_pause(struct engine *e, struct container *c, bool pause, struct berr **err);

#endif
