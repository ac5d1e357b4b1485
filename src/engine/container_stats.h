/* SPDX-License-Identifier: Apache-2.0 */
/*
 * docker stats' numbers for a container, from its cgroups as the runtime reports them
 * (`runtime events --stats ID`, runc's stats JSON, so any runc-compatible runtime works).
 */
#ifndef BERTH_ENGINE_CONTAINER_STATS_H
#define BERTH_ENGINE_CONTAINER_STATS_H

#include <stdint.h>

#include "lib/err.h"

struct container_stats {
	uint64_t cpu_ns;    /* cpu.usage.total */
	uint64_t mem_usage; /* usage minus the inactive file cache, as docker shows it */
	uint64_t mem_limit; /* the limit, or the host's memory when there is none */
	uint64_t pids;
	uint64_t blk_read, blk_write;
};

/* Parse runc's `events --stats` JSON (one object). */
int container_stats_parse(const char *json, struct container_stats *ret, struct berr **err);

/* One sample of c's stats (c runs): the runtime's `events --stats`, parsed. */
struct engine;
struct container;
int container_stats_read(struct engine *e, const struct container *c, struct container_stats *ret,
			 struct berr **err);

/* The host's CPU time so far (/proc/stat's cpu line, in ns), docker's system_cpu_usage. */
int container_stats_host_cpu_ns(uint64_t *ret);

#endif
