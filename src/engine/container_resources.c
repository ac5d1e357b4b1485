/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's resources as the runtime's `update --resources` document: for `berth
 * update` of a running container, and for the monitor, which restarts a container (its
 * restart policy) from the bundle written at start and so applies what an update changed
 * since (container_update.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/container_update.h"
#include "engine/runtime_client.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/json.h"

#define CPU_PERIOD 100000
#define RESOURCES_FILE "update-resources.json"
#define CONFIG_MAX (16 << 20)

static void memory_json(const struct container_config *cfg, const struct container_update *u,
			bool swap_limit, struct jwriter *res)
{
	struct jwriter *m;

	if (!update_has(u, UPD_MEMORY) && !update_has(u, UPD_MEMORY_SWAP) &&
	    !update_has(u, UPD_MEMORY_RESERVATION))
		return;
	m = jw_object();
	if (cfg->memory > 0)
		jw_int(m, "limit", cfg->memory);
	if (update_has(u, UPD_MEMORY_RESERVATION) && cfg->memory_reservation > 0)
		jw_int(m, "reservation", cfg->memory_reservation);
	if (swap_limit && cfg->memory > 0 && cfg->memory_swap)
		jw_int(m, "swap", cfg->memory_swap);
	jw_put(res, "memory", m);
}

static void cpu_json(const struct container_config *cfg, const struct container_update *u,
		     struct jwriter *res)
{
	const unsigned cpu = 1u << UPD_CPU_SHARES | 1u << UPD_CPUS | 1u << UPD_CPU_PERIOD |
			     1u << UPD_CPU_QUOTA | 1u << UPD_CPUSET_CPUS | 1u << UPD_CPUSET_MEMS;
	struct jwriter *c;

	if (!(u->set & cpu))
		return;
	c = jw_object();

	if (update_has(u, UPD_CPU_SHARES) && cfg->cpu_shares)
		jw_uint(c, "shares", (uint64_t) cfg->cpu_shares);
	if (update_has(u, UPD_CPUS) && cfg->nano_cpus) {
		jw_uint(c, "period", CPU_PERIOD);
		/* nano_cpus * PERIOD / 1e9, without the overflow of the product */
		jw_int(c, "quota", cfg->nano_cpus / (1000000000LL / CPU_PERIOD));
	}
	if (update_has(u, UPD_CPU_PERIOD) && cfg->cpu_period)
		jw_uint(c, "period", (uint64_t) cfg->cpu_period);
	if (update_has(u, UPD_CPU_QUOTA) && cfg->cpu_quota)
		jw_int(c, "quota", cfg->cpu_quota);
	if (update_has(u, UPD_CPUSET_CPUS) && cfg->cpuset_cpus)
		jw_str(c, "cpus", cfg->cpuset_cpus);
	if (update_has(u, UPD_CPUSET_MEMS) && cfg->cpuset_mems)
		jw_str(c, "mems", cfg->cpuset_mems);
	jw_put(res, "cpu", c);
}

char *container_update_resources_json(const struct container_config *cfg,
				      const struct container_update *u, bool swap_limit)
{
	_cleanup_(jw_freep) struct jwriter *res = jw_object();

	memory_json(cfg, u, swap_limit, res);
	cpu_json(cfg, u, res);
	if (update_has(u, UPD_PIDS_LIMIT)) {
		struct jwriter *p = jw_object();

		/* docker: 0 or -1 lifts the limit */
		jw_int(p, "limit", cfg->pids_limit > 0 ? cfg->pids_limit : -1);
		jw_put(res, "pids", p);
	}
	if (update_has(u, UPD_BLKIO_WEIGHT) && cfg->blkio_weight) {
		struct jwriter *b = jw_object();

		jw_uint(b, "weight", cfg->blkio_weight);
		jw_put(res, "blockIO", b);
	}
	return jw_to_string(res, false);
}

bool container_swap_limit(void)
{
	return access("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes", F_OK) == 0 ||
	       access("/sys/fs/cgroup/memory.swap.max", F_OK) == 0;
}

int container_resources_apply(const struct oci_runtime *rt, struct container *c,
			      const struct container_update *u, struct berr **err)
{
	_cleanup_free_ char *json =
		container_update_resources_json(c->cfg, u, container_swap_limit());
	_cleanup_free_ char *path = container_path(c, RESOURCES_FILE);
	int r;

	if (!json || !path)
		return berr_set(err, ENOMEM, "out of memory");
	r = write_file_atomic_at(c->dirfd, RESOURCES_FILE, json, strlen(json), 0600, false);
	if (r < 0)
		r = berr_sys(err, -r, "cannot write '%s'", path);
	else
		r = runtime_update(rt, c->cfg->id, path, err);
	(void) unlinkat(c->dirfd, RESOURCES_FILE, 0);
	return r;
}

static bool str_differs(const char *a, const char *b)
{
	return (a || b) && (!a || !b || strcmp(a, b) != 0);
}

/* Take over the fields update changes; *ret_changed: a resource (not the policy) did. */
static int take_update_fields(struct container_config *to, struct container_config *from,
			      bool *ret_changed)
{
	*ret_changed = to->memory != from->memory || to->memory_swap != from->memory_swap ||
		       to->memory_reservation != from->memory_reservation ||
		       to->nano_cpus != from->nano_cpus || to->cpu_shares != from->cpu_shares ||
		       to->cpu_period != from->cpu_period || to->cpu_quota != from->cpu_quota ||
		       to->pids_limit != from->pids_limit ||
		       to->blkio_weight != from->blkio_weight ||
		       str_differs(to->cpuset_cpus, from->cpuset_cpus) ||
		       str_differs(to->cpuset_mems, from->cpuset_mems);
	to->memory = from->memory;
	to->memory_swap = from->memory_swap;
	to->memory_reservation = from->memory_reservation;
	to->nano_cpus = from->nano_cpus;
	to->cpu_shares = from->cpu_shares;
	to->cpu_period = from->cpu_period;
	to->cpu_quota = from->cpu_quota;
	to->pids_limit = from->pids_limit;
	to->blkio_weight = from->blkio_weight;
	to->restart = from->restart;
	free(to->cpuset_cpus);
	free(to->cpuset_mems);
	to->cpuset_cpus = TAKE_PTR(from->cpuset_cpus);
	to->cpuset_mems = TAKE_PTR(from->cpuset_mems);
	return 0;
}

int container_reload_updated(struct container *c, bool *ret_changed, struct berr **err)
{
	_cleanup_container_config_ struct container_config *now = NULL;
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r = read_file_at(c->dirfd, "config.json", CONFIG_MAX, &buf, &len);

	*ret_changed = false;
	if (r < 0)
		return berr_sys(err, -r, "cannot read config.json");
	if ((r = container_config_from_json(buf, len, &now, err)) < 0)
		return r;
	return take_update_fields(c->cfg, now, ret_changed);
}
