/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `berth update`: a container's resources and restart policy changed, as docker 20.10's
 * (daemon/update.go): checked as run checks them plus docker's update conflicts,
 * recorded in config.json (inspect and the next start use them) and, when the container
 * runs, applied to its cgroup through the runtime's `update --resources`.
 */
#ifndef BERTH_ENGINE_CONTAINER_UPDATE_H
#define BERTH_ENGINE_CONTAINER_UPDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/container.h"
#include "engine/container_opts.h"
#include "engine/container_store.h"
#include "engine/runtime_client.h"
#include "lib/err.h"

enum update_field {
	UPD_MEMORY,
	UPD_MEMORY_SWAP,
	UPD_MEMORY_RESERVATION,
	UPD_CPUS,
	UPD_CPU_SHARES,
	UPD_CPU_PERIOD,
	UPD_CPU_QUOTA,
	UPD_CPUSET_CPUS,
	UPD_CPUSET_MEMS,
	UPD_PIDS_LIMIT,
	UPD_BLKIO_WEIGHT,
	UPD_RESTART,
	UPD_INGRESS_RATE,
	UPD_EGRESS_RATE,
	UPD_INGRESS_BURST,
	UPD_EGRESS_BURST,
	_UPD_FIELD_MAX,
};

/* The fields applied to the container's cgroup, and those applied to its veth (tc). */
#define UPD_CGROUP_MASK ((1u << UPD_RESTART) - 1)
#define UPD_BANDWIDTH_MASK                                                                         \
	((1u << UPD_INGRESS_RATE) | (1u << UPD_EGRESS_RATE) | (1u << UPD_INGRESS_BURST) |          \
	 (1u << UPD_EGRESS_BURST))

/* What one `update` asks for: a field counts only when its bit is in set. */
struct container_update {
	unsigned set; /* 1u << enum update_field */
	int64_t memory, memory_swap, memory_reservation, nano_cpus, cpu_shares, cpu_period,
		cpu_quota, pids_limit;
	uint16_t blkio_weight;
	int64_t ingress_rate, egress_rate, ingress_burst, egress_burst; /* bits/s, bytes */
	const char *cpuset_cpus, *cpuset_mems; /* borrowed from the flags */
	struct restart_policy restart;
};

static inline bool update_has(const struct container_update *u, enum update_field f)
{
	return u->set & (1u << f);
}

/*
 * Parse the resource flags of f (the same fields and checks as run's) into *ret.
 * -EINVAL with docker's words; "you must provide one or more flags" when none is given.
 */
int container_update_parse(const struct container_flags *f, struct container_update *ret,
			   struct berr **err);

/*
 * Merge u into cfg, refusing what docker's update refuses (a memory limit above the
 * stored memoryswap without a new one, --cpus against a stored CPU period or quota and
 * back, a restart policy with --rm). cfg is unchanged on failure.
 */
int container_update_merge(struct container_config *cfg, const struct container_update *u,
			   struct berr **err);

/*
 * The linux.resources JSON for the runtime's `update --resources` that carries the
 * fields u sets, with their merged values from cfg (malloc'd; NULL on OOM). swap_limit:
 * the host can limit swap.
 */
char *container_update_resources_json(const struct container_config *cfg,
				      const struct container_update *u, bool swap_limit);

/* The host can limit swap (v1 memsw files, cgroup2's memory.swap.max). */
bool container_swap_limit(void);

/*
 * container_resources.c (linked into berth-monitor too): run the runtime's `update
 * --resources` on c with the fields u sets (the JSON in a file of c's directory, removed
 * afterwards).
 */
int container_resources_apply(const struct oci_runtime *rt, struct container *c,
			      const struct container_update *u, struct berr **err);

/*
 * Read the fields `update` changes (resources, restart policy) of c again from its
 * config.json; *ret_changed says whether a resource changed. The caller holds the lock.
 */
int container_reload_updated(struct container *c, bool *ret_changed, struct berr **err);

/*
 * Update c (locked): merge, host checks (warnings appended to *warnings, a strv the
 * caller frees), config.json rewritten, then the running container's cgroup updated;
 * if the runtime refuses, config.json is put back as it was.
 */
int container_update(struct engine *e, struct container *c, const struct container_update *u,
		     char ***warnings, struct berr **err);

#endif
