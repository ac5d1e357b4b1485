/* SPDX-License-Identifier: Apache-2.0 */
/* berth update: parse, merge as docker's update does, record, apply live. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/container_bandwidth.h"
#include "engine/container_runtime.h"
#include "engine/container_update.h"
#include "engine/events.h"
#include "engine/host_check.h"
#include "engine/runtime_client.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/strv.h"

static void mark(struct container_update *u, enum update_field f)
{
	u->set |= 1u << f;
}

static int ram(const char *s, bool minus_one, const char *flag, int64_t *ret, struct berr **err)
{
	if (units_parse_ram(s, minus_one, ret, err) < 0)
		return berr_wrap(err, "invalid argument \"%s\" for \"%s\" flag", s, flag);
	return 0;
}

static int memory_flags(const struct container_flags *f, struct container_update *u,
			struct berr **err)
{
	int r;

	if (f->memory) {
		if ((r = ram(f->memory, false, "--memory", &u->memory, err)) < 0)
			return r;
		if (u->memory && u->memory < 6 * 1024 * 1024)
			return berr_set(err, EINVAL, "Minimum memory limit allowed is 6MB");
		mark(u, UPD_MEMORY);
	}
	if (f->memory_swap) {
		if ((r = ram(f->memory_swap, true, "--memory-swap", &u->memory_swap, err)) < 0)
			return r;
		mark(u, UPD_MEMORY_SWAP);
	}
	if (f->memory_reservation) {
		if ((r = ram(f->memory_reservation, false, "--memory-reservation",
			     &u->memory_reservation, err)) < 0)
			return r;
		mark(u, UPD_MEMORY_RESERVATION);
	}
	if (u->memory > 0 && u->memory_swap > 0 && u->memory_swap < u->memory)
		return berr_set(err, EINVAL,
				"Minimum memoryswap limit should be larger than memory limit, see "
				"usage");
	if (u->memory > 0 && u->memory_reservation > u->memory)
		return berr_set(err, EINVAL,
				"Minimum memory limit can not be less than memory reservation "
				"limit, see usage");
	return 0;
}

static int int_flag(const char *s, int64_t min, int64_t max, const char *flag,
		    struct container_update *u, enum update_field fld, int64_t *ret,
		    struct berr **err)
{
	int r;

	if (!s)
		return 0;
	if ((r = units_parse_int(s, min, max, flag, ret, err)) < 0)
		return r;
	mark(u, fld);
	return 0;
}

static int cpu_flags(const struct container_flags *f, struct container_update *u, struct berr **err)
{
	int r;

	if (f->cpus) {
		if ((r = units_parse_cpus(f->cpus, &u->nano_cpus, err)) < 0)
			return berr_wrap(err, "invalid argument \"%s\" for \"--cpus\" flag",
					 f->cpus);
		mark(u, UPD_CPUS);
	}
	if ((r = int_flag(f->cpu_shares, 0, INT64_MAX, "--cpu-shares", u, UPD_CPU_SHARES,
			  &u->cpu_shares, err)) < 0 ||
	    (r = int_flag(f->cpu_period, 0, 1000000, "--cpu-period", u, UPD_CPU_PERIOD,
			  &u->cpu_period, err)) < 0 ||
	    (r = int_flag(f->cpu_quota, -1, INT64_MAX, "--cpu-quota", u, UPD_CPU_QUOTA,
			  &u->cpu_quota, err)) < 0)
		return r;
	if (u->nano_cpus > 0 && (u->cpu_period > 0 || u->cpu_quota > 0))
		return berr_set(err, EINVAL,
				"Conflicting options: Nano CPUs and CPU Period/Quota cannot both "
				"be set");
	if (f->cpuset_cpus) {
		u->cpuset_cpus = f->cpuset_cpus;
		mark(u, UPD_CPUSET_CPUS);
	}
	if (f->cpuset_mems) {
		u->cpuset_mems = f->cpuset_mems;
		mark(u, UPD_CPUSET_MEMS);
	}
	return 0;
}

static int other_flags(const struct container_flags *f, struct container_update *u,
		       struct berr **err)
{
	int64_t v = 0;
	int r;

	if ((r = int_flag(f->pids_limit, -1, INT64_MAX, "--pids-limit", u, UPD_PIDS_LIMIT,
			  &u->pids_limit, err)) < 0 ||
	    (r = int_flag(f->blkio_weight, 0, UINT16_MAX, "--blkio-weight", u, UPD_BLKIO_WEIGHT, &v,
			  err)) < 0)
		return r;
	/* its range is checked after the host check may have dropped it, as dockerd does */
	u->blkio_weight = (uint16_t) v;
	if (f->restart) {
		if ((r = units_parse_restart(f->restart, &u->restart, err)) < 0)
			return r;
		mark(u, UPD_RESTART);
	}
	return 0;
}

static int bandwidth_flags(const struct container_flags *f, struct container_update *u,
			   struct berr **err)
{
	struct container_flags one = {0};
	_cleanup_container_config_ struct container_config *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return berr_set(err, ENOMEM, "out of memory");
	/* the run flags' parser, on a config that is on a network (checked at merge) */
	c->network = NETWORK_BRIDGE;
	one.ingress_rate = f->ingress_rate;
	one.egress_rate = f->egress_rate;
	one.ingress_burst = f->ingress_burst;
	one.egress_burst = f->egress_burst;
	if ((r = container_bandwidth_from_flags(&one, c, err)) < 0)
		return r;
	u->ingress_rate = c->ingress_rate;
	u->egress_rate = c->egress_rate;
	u->ingress_burst = c->ingress_burst;
	u->egress_burst = c->egress_burst;
	u->set |= (f->ingress_rate ? 1u << UPD_INGRESS_RATE : 0) |
		  (f->egress_rate ? 1u << UPD_EGRESS_RATE : 0) |
		  (f->ingress_burst ? 1u << UPD_INGRESS_BURST : 0) |
		  (f->egress_burst ? 1u << UPD_EGRESS_BURST : 0);
	return 0;
}

int container_update_parse(const struct container_flags *f, struct container_update *ret,
			   struct berr **err)
{
	struct container_update u = {0};
	int r;

	if ((r = memory_flags(f, &u, err)) < 0 || (r = cpu_flags(f, &u, err)) < 0 ||
	    (r = other_flags(f, &u, err)) < 0 || (r = bandwidth_flags(f, &u, err)) < 0)
		return r;
	if (!u.set)
		return berr_set(err, EINVAL,
				"you must provide one or more flags when using this command");
	*ret = u;
	return 0;
}

/* docker's container.UpdateContainer: what a stored value forbids updating */
static int check_conflicts(const struct container_config *cfg, const struct container_update *u,
			   struct berr **err)
{
	const char *why = NULL;

	if (u->nano_cpus > 0 && cfg->cpu_period > 0)
		why = "Nano CPUs cannot be updated as CPU Period has already been set";
	else if (u->nano_cpus > 0 && cfg->cpu_quota > 0)
		why = "Nano CPUs cannot be updated as CPU Quota has already been set";
	else if (u->cpu_period > 0 && cfg->nano_cpus > 0)
		why = "CPU Period cannot be updated as NanoCPUs has already been set";
	else if (u->cpu_quota > 0 && cfg->nano_cpus > 0)
		why = "CPU Quota cannot be updated as NanoCPUs has already been set";
	if (why)
		return berr_set(err, EINVAL, "Cannot update container %s: Conflicting options: %s",
				cfg->id, why);
	if (u->memory && u->memory > cfg->memory_swap && !u->memory_swap)
		why = "Memory limit should be smaller than already set memoryswap limit, update "
		      "the memoryswap at the same time";
	else if (update_has(u, UPD_RESTART) && cfg->auto_remove && u->restart.kind != RESTART_NO)
		why = "Restart policy cannot be updated because AutoRemove is enabled for the "
		      "container";
	if (why)
		return berr_set(err, EINVAL, "Cannot update container %s: %s", cfg->id, why);
	return 0;
}

static int replace_str(char **dst, const char *src)
{
	char *dup = NULL;

	if (*src && !(dup = strdup(src)))
		return -ENOMEM;
	free(*dst);
	*dst = dup; /* "" clears it, as docker's empty cpuset */
	return 0;
}

int container_update_merge(struct container_config *cfg, const struct container_update *u,
			   struct berr **err)
{
	int r;

	if ((r = check_conflicts(cfg, u, err)) < 0)
		return r;
	if ((u->set & UPD_BANDWIDTH_MASK) && cfg->network != NETWORK_BRIDGE)
		return berr_set(err, EINVAL,
				"Cannot update container %s: bandwidth limits need a user-defined "
				"network, not --network %s",
				cfg->id, container_network_name(cfg->network));
	if (update_has(u, UPD_CPUSET_CPUS) && replace_str(&cfg->cpuset_cpus, u->cpuset_cpus) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	if (update_has(u, UPD_CPUSET_MEMS) && replace_str(&cfg->cpuset_mems, u->cpuset_mems) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	if (u->memory)
		cfg->memory = u->memory;
	if (u->memory_swap)
		cfg->memory_swap = u->memory_swap;
	if (update_has(u, UPD_MEMORY_RESERVATION))
		cfg->memory_reservation = u->memory_reservation;
	if (u->nano_cpus)
		cfg->nano_cpus = u->nano_cpus;
	if (u->cpu_shares)
		cfg->cpu_shares = u->cpu_shares;
	if (u->cpu_period)
		cfg->cpu_period = u->cpu_period;
	if (u->cpu_quota)
		cfg->cpu_quota = u->cpu_quota;
	if (update_has(u, UPD_PIDS_LIMIT))
		cfg->pids_limit = u->pids_limit > 0 ? u->pids_limit : 0;
	if (u->blkio_weight)
		cfg->blkio_weight = u->blkio_weight;
	if (update_has(u, UPD_RESTART))
		cfg->restart = u->restart;
	if (update_has(u, UPD_INGRESS_RATE))
		cfg->ingress_rate = u->ingress_rate;
	if (update_has(u, UPD_EGRESS_RATE))
		cfg->egress_rate = u->egress_rate;
	if (update_has(u, UPD_INGRESS_BURST))
		cfg->ingress_burst = u->ingress_burst;
	if (update_has(u, UPD_EGRESS_BURST))
		cfg->egress_burst = u->egress_burst;
	return 0;
}

/*
 * The running container's cgroup through `RUNTIME update --resources FILE ID`, its
 * bandwidth on its veth; a failed bandwidth change puts the old limits back.
 */
static int apply_live(struct engine *e, struct container *c, const struct container_update *u,
		      const struct container_config *before, struct berr **err)
{
	struct container_rt rt;
	int r;

	if ((u->set & UPD_BANDWIDTH_MASK) && (r = container_bandwidth_apply(c->cfg, err)) < 0) {
		(void) container_bandwidth_apply(before, NULL);
		return berr_wrap(err, "Cannot update container %s", c->cfg->id);
	}
	if (!(u->set & UPD_CGROUP_MASK))
		return 0;
	if (container_rt_init(e, c, &rt) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	r = container_resources_apply(&rt.rt, c, u, err);
	container_rt_done(&rt);
	return r < 0 ? berr_wrap(err, "Cannot update container %s", c->cfg->id) : 0;
}

int container_update(struct engine *e, struct container *c, const struct container_update *u,
		     char ***warnings, struct berr **err)
{
	_cleanup_container_config_ struct container_config *before = NULL;
	_cleanup_strv_ char **warn = NULL;
	_cleanup_free_ char *old = container_config_to_json(c->cfg);
	struct host_facts h;
	int r;

	if (!old || container_config_from_json(old, strlen(old), &before, NULL) < 0)
		return berr_set(err, ENOMEM, "cannot copy the container's config");
	(void) container_refresh(e, c, NULL);
	host_facts_read(&h);
	if ((r = container_update_merge(c->cfg, u, err)) < 0 ||
	    (r = host_check_config(c->cfg, &h, &warn, err)) < 0)
		goto out_restore;
	if (c->cfg->blkio_weight && (c->cfg->blkio_weight < 10 || c->cfg->blkio_weight > 1000)) {
		r = berr_set(err, EINVAL, "Range of blkio weight is from 10 to 1000");
		goto out_restore;
	}
	STRV_FOREACH (w, warn)
		if (strv_push_dup(warnings, *w) < 0) {
			r = berr_set(err, ENOMEM, "out of memory");
			goto out_restore;
		}
	/* recorded first: a kill after this leaves what the next start and inspect use */
	if ((r = container_dir_write_config(c->dirfd, c->cfg, err)) < 0)
		goto out_restore;
	/* the restart policy is the monitor's, read again when the container exits */
	if ((c->st.status != STATUS_RUNNING && c->st.status != STATUS_PAUSED) ||
	    !(u->set & (UPD_CGROUP_MASK | UPD_BANDWIDTH_MASK))) {
		(void) events_container(e->root, c->cfg, "update", NULL, NULL);
		return 0;
	}
	if ((r = apply_live(e, c, u, before, err)) >= 0) {
		(void) events_container(e->root, c->cfg, "update", NULL, NULL);
		return 0;
	}
	(void) container_dir_write_config(c->dirfd, before, NULL);
out_restore:
	container_config_free(c->cfg);
	c->cfg = TAKE_PTR(before);
	return r;
}
