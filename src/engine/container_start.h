/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `berth start`: the bundle of a created (or exited) container is prepared in this
 * process (the image snapshot mounted on bundle/rootfs, a network namespace, the
 * user resolved in the rootfs, config.json generated), then its monitor is started in
 * a session of its own and reports whether the container runs.
 */
#ifndef BERTH_ENGINE_CONTAINER_START_H
#define BERTH_ENGINE_CONTAINER_START_H

#include "engine/container_store.h"
#include "image/store.h"
#include "lib/err.h"

struct start_opts {
	const char *monitor; /* the berth-monitor binary */
	const char *berth;   /* the berth binary (the monitor's exit command) */
	const char *init;    /* berth-init, bound at /sbin/docker-init with --init */
	int attach_fd;	     /* the monitor's end of the attach socket, or -1 */
	int console_rows;    /* the caller's terminal size, 0 if none */
	int console_cols;
	bool from_run; /* `run`: a stop that came while it created the container stands */
};

/*
 * Start c (its lock held on entry; released while the monitor starts, held again on
 * return). A running container is left alone (0). With o->from_run, a container that a
 * `stop` reached while `run` was creating it is not started: 1.
 */
int container_start(struct engine *e, struct image_store *s, struct container *c,
		    const struct start_opts *o, struct berr **err);

/* The binary named name beside the running one ("berth-monitor"), malloc'd. */
char *engine_sibling_binary(const char *name);

#endif
