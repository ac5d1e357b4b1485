/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.resources in the cgroup2 tree: the v1 values converted as runc and crun do
 * (cgroup_convert.c), then linux.resources.unified written as given.
 */
#include "runtime/cgroup/cgroup_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/strv.h"
#include "runtime/cgroup/cgroup_convert.h"

static void warn_ignored(struct cgroup_manager *m, const struct spec_resources *r)
{
	const __typeof__(r->memory) *mem = &r->memory;

	if (mem->kernel.set || mem->kernel_tcp.set)
		cgroup_warn(m, "linux.resources.memory: kernel and kernelTCP are ignored "
			       "(kernel memory limits are deprecated; runc ignores them too)");
	if (mem->swappiness.set)
		cgroup_warn(m, "linux.resources.memory.swappiness: ignored: cgroup v2 has no "
			       "per-cgroup swappiness");
	if (mem->disable_oom_killer.set && mem->disable_oom_killer.v)
		cgroup_warn(m, "linux.resources.memory.disableOOMKiller: ignored: cgroup v2 "
			       "cannot turn the OOM killer off");
	if (mem->use_hierarchy.set && !mem->use_hierarchy.v)
		cgroup_warn(m, "linux.resources.memory.useHierarchy: ignored: cgroup v2 is "
			       "always hierarchical");
}

/* The memory limit that swap is counted against: the new one, or the one in force. */
static int swap_value(const struct cgroup_target *t, const struct spec_resources *r, int64_t *ret,
		      struct berr **err)
{
	struct opt_int64 limit = r->memory.limit;
	uint64_t cur;

	if (!limit.set && cgroup_get_u64(t, "memory.max", &cur) >= 0)
		limit = (struct opt_int64){cur == UINT64_MAX ? -1 : (int64_t) cur, true};
	if (cgroup_swap_to_v2(r->memory.swap.v, limit.set, limit.v, ret) < 0)
		return berr_set(err, EINVAL,
				"memory.swap: %lld cannot be converted to cgroup v2: memory+swap "
				"needs a memory limit no larger than it",
				(long long) r->memory.swap.v);
	return 0;
}

static int set_swap(const struct cgroup_target *t, int64_t swap, struct berr **err)
{
	char buf[32];

	cgroup_fmt_limit(swap, buf, sizeof(buf));
	/* No swap accounting: "no swap" and "unlimited" both hold already (runc). */
	if (!cgroup_has_file(t, "memory.swap.max") && swap <= 0)
		return 0;
	return cgroup_set(t, "memory.swap.max", buf, "memory.swap", err);
}

/* checkBeforeUpdate: refuse a limit below the usage, as v1's kernel does. */
static int check_usage(const struct cgroup_target *t, int64_t limit, struct berr **err)
{
	uint64_t usage;

	if (limit < 0 || cgroup_get_u64(t, "memory.current", &usage) < 0 ||
	    (uint64_t) limit >= usage)
		return 0;
	return berr_set(err, EBUSY,
			"memory.limit: %lld is below what the container uses (%" PRIu64
			" bytes; memory.checkBeforeUpdate is set)",
			(long long) limit, usage);
}

int cgroup_v2_set_memory(struct cgroup_manager *m, const struct cgroup_target *t,
			 const struct spec_resources *r, struct berr **err)
{
	const __typeof__(r->memory) *mem = &r->memory;
	char buf[32];
	int64_t swap;
	int ret;

	warn_ignored(m, r);
	if (mem->limit.set && mem->check_before_update.set && mem->check_before_update.v &&
	    (ret = check_usage(t, mem->limit.v, err)) < 0)
		return ret;
	if (mem->swap.set) {
		if ((ret = swap_value(t, r, &swap, err)) < 0 || (ret = set_swap(t, swap, err)) < 0)
			return ret;
	} else if (mem->limit.set && mem->limit.v == -1 && (ret = set_swap(t, -1, err)) < 0) {
		return ret;
	}
	if (mem->limit.set &&
	    (ret = cgroup_set(t, "memory.max", cgroup_fmt_limit(mem->limit.v, buf, sizeof(buf)),
			      "memory.limit", err)) < 0)
		return ret;
	if (mem->reservation.set &&
	    (ret = cgroup_set(t, "memory.low",
			      cgroup_fmt_limit(mem->reservation.v, buf, sizeof(buf)),
			      "memory.reservation", err)) < 0)
		return ret;
	return 0;
}

/* cpu.max holds quota and period together: a missing one keeps its current value. */
static int set_cpu_max(const struct cgroup_target *t, const struct spec_resources *r,
		       struct berr **err)
{
	_cleanup_free_ char *cur = NULL;
	char quota[32] = "max", line[64];
	unsigned long long period = 100000;

	if (cgroup_get(t, "cpu.max", &cur) >= 0 && sscanf(cur, "%31s %llu", quota, &period) < 1)
		snprintf(quota, sizeof(quota), "max");
	if (r->cpu.quota.set)
		cgroup_fmt_limit(r->cpu.quota.v, quota, sizeof(quota));
	if (r->cpu.period.set)
		period = r->cpu.period.v;
	snprintf(line, sizeof(line), "%s %llu", quota, period);
	return cgroup_set(t, "cpu.max", line, r->cpu.quota.set ? "cpu.quota" : "cpu.period", err);
}

int cgroup_v2_set_cpu(struct cgroup_manager *m, const struct cgroup_target *t,
		      const struct spec_resources *r, struct berr **err)
{
	int ret;

	(void) m;
	if (r->cpu.realtime_runtime.set || r->cpu.realtime_period.set)
		return berr_set(
			err, ENOTSUP,
			"cpu.realtimeRuntime, cpu.realtimePeriod: cgroup v2 has no realtime "
			"bandwidth limits (they need cgroup v1's cpu.rt_*)");
	if (r->cpu.shares.set && r->cpu.shares.v &&
	    (ret = cgroup_set_u64(t, "cpu.weight", cgroup_shares_to_weight(r->cpu.shares.v),
				  "cpu.shares", err)) < 0)
		return ret;
	if ((r->cpu.quota.set || r->cpu.period.set) && (ret = set_cpu_max(t, r, err)) < 0)
		return ret;
	if (r->cpu.burst.set &&
	    (ret = cgroup_set_u64(t, "cpu.max.burst", r->cpu.burst.v, "cpu.burst", err)) < 0)
		return ret;
	if (r->cpu.idle.set &&
	    (ret = cgroup_set_i64(t, "cpu.idle", r->cpu.idle.v, "cpu.idle", err)) < 0)
		return ret;
	return 0;
}

int cgroup_v2_set_cpuset(struct cgroup_manager *m, const struct cgroup_target *t,
			 const struct spec_resources *r, struct berr **err)
{
	return cgroup_v1_set_cpuset(m, t, r, err); /* the same files */
}

int cgroup_v2_set_pids(struct cgroup_manager *m, const struct cgroup_target *t,
		       const struct spec_resources *r, struct berr **err)
{
	return cgroup_v1_set_pids(m, t, r, err); /* the same file */
}

/* BFQ takes the v1 weight as is; otherwise io.weight gets it converted. */
static int set_io_weight(const struct cgroup_target *t, const char *dev, uint16_t weight,
			 const char *field, struct berr **err)
{
	bool bfq = cgroup_has_file(t, "io.bfq.weight");
	char line[64];

	snprintf(line, sizeof(line), "%s %" PRIu64, dev,
		 bfq ? weight : cgroup_blkio_weight_to_io(weight));
	return cgroup_set(t, bfq ? "io.bfq.weight" : "io.weight", line, field, err);
}

static int set_io_max(const struct cgroup_target *t, const struct spec_blkio_devices *l,
		      const char *key, const char *field, struct berr **err)
{
	char line[96], rate[32];
	int r;

	for (size_t i = 0; i < l->n; i++) {
		/* 0 lifts the limit in v1; in v2 it would stop all I/O. */
		cgroup_fmt_limit(l->v[i].rate ? (int64_t) l->v[i].rate : -1, rate, sizeof(rate));
		snprintf(line, sizeof(line), "%lld:%lld %s=%s", (long long) l->v[i].major,
			 (long long) l->v[i].minor, key, rate);
		if ((r = cgroup_set(t, "io.max", line, field, err)) < 0)
			return r;
	}
	return 0;
}

int cgroup_v2_set_io(struct cgroup_manager *m, const struct cgroup_target *t,
		     const struct spec_resources *r, struct berr **err)
{
	const __typeof__(r->block_io) *b = &r->block_io;
	int ret;

	if (b->leaf_weight.set)
		cgroup_warn(m, "linux.resources.blockIO.leafWeight: ignored: cgroup v2 has no "
			       "leaf weights");
	if (b->weight.set &&
	    (ret = set_io_weight(t, "default", b->weight.v, "blockIO.weight", err)) < 0)
		return ret;
	for (size_t i = 0; i < b->weight_device.n; i++) {
		const struct spec_blkio_device *d = &b->weight_device.v[i];
		char dev[48];

		if (!d->weight.set)
			continue;
		snprintf(dev, sizeof(dev), "%lld:%lld", (long long) d->major, (long long) d->minor);
		if ((ret = set_io_weight(t, dev, d->weight.v, "blockIO.weightDevice", err)) < 0)
			return ret;
	}
	if ((ret = set_io_max(t, &b->throttle_read_bps, "rbps", "blockIO.throttleReadBpsDevice",
			      err)) < 0 ||
	    (ret = set_io_max(t, &b->throttle_write_bps, "wbps", "blockIO.throttleWriteBpsDevice",
			      err)) < 0 ||
	    (ret = set_io_max(t, &b->throttle_read_iops, "riops", "blockIO.throttleReadIOPSDevice",
			      err)) < 0)
		return ret;
	return set_io_max(t, &b->throttle_write_iops, "wiops", "blockIO.throttleWriteIOPSDevice",
			  err);
}

int cgroup_v2_set_hugetlb(struct cgroup_manager *m, const struct cgroup_target *t,
			  const struct spec_resources *r, struct berr **err)
{
	(void) m;
	return cgroup_hugetlb_write(t, r, "max", "rsvd.max", err);
}

/* A key's controller ("memory" of "memory.high"), enabled above the container. */
static int unified_controller(struct cgroup_manager *m, const struct cgroup_target *t,
			      const char *key, struct berr **err)
{
	_cleanup_free_ char *ctrl = strndup(key, strcspn(key, "."));
	_cleanup_free_ char *offered = NULL;
	struct cgroup_target probe = *t;

	if (!ctrl)
		return berr_set(err, ENOMEM, "out of memory");
	if (strv_contains(cgroup_v2_controllers(m), ctrl))
		return cgroup_v2_enable_one(m, ctrl, err);
	/* cgroup.* and the pressure files belong to the core, not to a controller. */
	if (strcmp(ctrl, "cgroup") == 0 || cgroup_has_file(&probe, key))
		return 0;
	offered = strv_join(cgroup_v2_controllers(m), " ");
	return berr_set(err, ENOENT,
			"unified.%s: the %s controller is not available in cgroup2%s "
			"(cgroup.controllers: '%s')",
			key, ctrl,
			m->layout->mode == CGROUP_MODE_HYBRID ? " on this hybrid host" : "",
			offered ? offered : "");
}

/* Each line on its own: device-keyed files (io.max) take one device per write. */
static int write_unified(const struct cgroup_target *t, const struct kv *kv, struct berr **err)
{
	_cleanup_strv_ char **lines = strv_split(kv->value, "\n");
	_cleanup_free_ char *field = NULL;
	int r;

	if (!lines || asprintf(&field, "unified.%s", kv->key) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	if (!lines[0])
		return cgroup_set(t, kv->key, "", field, err);
	STRV_FOREACH (l, lines)
		if ((r = cgroup_set(t, kv->key, *l, field, err)) < 0)
			return r;
	return 0;
}

int cgroup_v2_set_unified(struct cgroup_manager *m, const struct spec_resources *r,
			  struct berr **err)
{
	struct cgroup_target t = {.v2 = true, .fd = -1};
	int ret = 0;

	if (!m->layout->unified)
		return berr_set(err, ENOTSUP,
				"unified: this host has no cgroup v2 tree (it is cgroup v1 only)");
	t.dir = cgroup_dir(m->layout->unified, m->path);
	if (!t.dir)
		return berr_set(err, ENOMEM, "out of memory");
	t.fd = open(t.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t.fd < 0)
		ret = berr_sys(err, errno, "unified: opening cgroup '%s'", t.dir);
	for (size_t i = 0; ret >= 0 && i < r->n_unified; i++) {
		ret = unified_controller(m, &t, r->unified[i].key, err);
		if (ret >= 0)
			ret = write_unified(&t, &r->unified[i], err);
	}
	cgroup_target_done(&t);
	return ret;
}
