/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The runtime's cgroup operations on an existing container, with runc's command line:
 * update, pause, resume, ps, events. Each reports through struct berr; none prints.
 */
#ifndef BERTH_RUNTIME_LIFECYCLE_CGROUP_H
#define BERTH_RUNTIME_LIFECYCLE_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"
#include "runtime/lifecycle/runtime_opts.h"
#include "runtime/lifecycle/state.h"
#include "runtime/config/oci_config.h"

/* Write the fields set in r to the container's cgroup (created, running or paused). */
int lifecycle_update(const struct runtime_opts *ro, const char *id, const struct spec_resources *r,
		     struct berr **err);

/* Freeze a created or running container; its status becomes "paused". */
int lifecycle_pause(const struct runtime_opts *ro, const char *id, struct berr **err);

/* Thaw a paused container; it is "running" again (or "created" if it was not started). */
int lifecycle_resume(const struct runtime_opts *ro, const char *id, struct berr **err);

/* The host pids of every process in the container's cgroup (malloc'd; maybe none). */
int lifecycle_pids(const struct runtime_opts *ro, const char *id, pid_t **ret, size_t *ret_n,
		   struct berr **err);

/* Called with each event, one JSON object as runc prints it (no newline). */
typedef int (*event_fn)(const char *json, void *userdata);

struct events_opts {
	bool stats_once;      /* --stats: one stats event, then return */
	uint64_t interval_ns; /* between stats events (runc's default: 5 s) */
};

/*
 * `events`: one stats event (stats_once), or a stream: a stats event every interval and
 * an "oom" event for each OOM kill, until the container stops or is deleted.
 */
int lifecycle_events(const struct runtime_opts *ro, const char *id, const struct events_opts *o,
		     event_fn cb, void *userdata, struct berr **err);

/*
 * delete --force of a paused container: SIGKILL everything in its cgroup, then thaw it so
 * that the signal is delivered (a frozen v1 task does not die). Errors are ignored.
 */
void lifecycle_cgroup_kill_paused(const struct container_state *st);

#endif
