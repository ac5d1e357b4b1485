/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources on cgroup v1 hierarchies: one writer per controller. */
#include "runtime/cgroup/cgroup_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "runtime/cgroup/cgroup_convert.h"

#define MEMSW "memory.memsw.limit_in_bytes"
#define MEMLIMIT "memory.limit_in_bytes"

/* memory.limit_in_bytes, saying how much the container uses when the kernel refuses. */
static int set_mem_limit(const struct cgroup_target *t, int64_t limit, struct berr **err)
{
	uint64_t usage = 0;
	int r = cgroup_set_i64(t, MEMLIMIT, limit, "memory.limit", err);

	if (r == -EBUSY && cgroup_get_u64(t, "memory.usage_in_bytes", &usage) >= 0)
		return berr_set(err, EBUSY,
				"memory.limit: %lld is below what the container uses (%" PRIu64
				" bytes)",
				(long long) limit, usage);
	return r;
}

static int set_mem_swap(const struct cgroup_target *t, int64_t swap, struct berr **err)
{
	if (!cgroup_has_file(t, MEMSW))
		return berr_set(err, ENOTSUP,
				"memory.swap: this kernel does not account swap (no %s: boot "
				"with swapaccount=1)",
				MEMSW);
	return cgroup_set_i64(t, MEMSW, swap, "memory.swap", err);
}

/*
 * The kernel keeps memory <= memory+swap at every step, so the order of the two writes
 * depends on whether the limits grow or shrink (runc's setMemoryAndSwap).
 */
static int set_mem_and_swap(const struct cgroup_target *t, const struct spec_resources *r,
			    struct berr **err)
{
	struct opt_int64 limit = r->memory.limit, swap = r->memory.swap;
	uint64_t cur = 0;
	int ret;

	/* Unlimited memory without a word on swap means unlimited swap too. */
	if (limit.set && limit.v == -1 && !swap.set && cgroup_has_file(t, MEMSW))
		swap = (struct opt_int64){-1, true};
	if (limit.set && swap.set) {
		if ((ret = cgroup_get_u64(t, MEMLIMIT, &cur)) < 0)
			return berr_sys(err, -ret, "memory.limit: reading %s", MEMLIMIT);
		if (swap.v == -1 || cur < (uint64_t) swap.v) {
			if ((ret = set_mem_swap(t, swap.v, err)) < 0)
				return ret;
			return set_mem_limit(t, limit.v, err);
		}
	}
	if (limit.set && (ret = set_mem_limit(t, limit.v, err)) < 0)
		return ret;
	return swap.set ? set_mem_swap(t, swap.v, err) : 0;
}

/*
 * memory.kernelTCP where the kernel still has memory.kmem.tcp.limit_in_bytes (every v1
 * memory controller up to now), a warning where it does not (as crun; runc ignores it).
 */
static int set_kernel_tcp(const struct cgroup_manager *m, const struct cgroup_target *t, int64_t v,
			  struct berr **err)
{
	int ret = cgroup_set_i64(t, "memory.kmem.tcp.limit_in_bytes", v, "memory.kernelTCP", err);

	if (ret == -ENOENT || ret == -EOPNOTSUPP) {
		berr_clear(err);
		cgroup_warn(m, "linux.resources.memory.kernelTCP: this kernel has no "
			       "memory.kmem.tcp.limit_in_bytes, ignoring");
		return 0;
	}
	return ret;
}

int cgroup_v1_set_memory(struct cgroup_manager *m, const struct cgroup_target *t,
			 const struct spec_resources *r, struct berr **err)
{
	int ret;

	if (r->memory.kernel.set)
		cgroup_warn(m, "linux.resources.memory.kernel: ignored (kernel memory limits are "
			       "deprecated, and Linux 6.1 has none; runc ignores them too)");
	if ((ret = set_mem_and_swap(t, r, err)) < 0)
		return ret;
	if (r->memory.kernel_tcp.set &&
	    (ret = set_kernel_tcp(m, t, r->memory.kernel_tcp.v, err)) < 0)
		return ret;
	if (r->memory.reservation.set &&
	    (ret = cgroup_set_i64(t, "memory.soft_limit_in_bytes", r->memory.reservation.v,
				  "memory.reservation", err)) < 0)
		return ret;
	if (r->memory.swappiness.set &&
	    (ret = cgroup_set_u64(t, "memory.swappiness", r->memory.swappiness.v,
				  "memory.swappiness", err)) < 0)
		return ret;
	if (r->memory.disable_oom_killer.set &&
	    (ret = cgroup_set(t, "memory.oom_control", r->memory.disable_oom_killer.v ? "1" : "0",
			      "memory.disableOOMKiller", err)) < 0)
		return ret;
	if (r->memory.use_hierarchy.set &&
	    (ret = cgroup_set(t, "memory.use_hierarchy", r->memory.use_hierarchy.v ? "1" : "0",
			      "memory.useHierarchy", err)) < 0)
		return ret;
	return 0;
}

/* CFS bandwidth: the period first, unless the kernel wants the new quota first. */
static int set_cfs(const struct cgroup_target *t, const struct spec_resources *r, struct berr **err)
{
	int ret;

	if (r->cpu.period.set) {
		ret = cgroup_set_u64(t, "cpu.cfs_period_us", r->cpu.period.v, "cpu.period", err);
		if (ret == -EINVAL && r->cpu.quota.set) {
			berr_clear(err);
			ret = cgroup_set_i64(t, "cpu.cfs_quota_us", r->cpu.quota.v, "cpu.quota",
					     err);
			if (ret >= 0)
				ret = cgroup_set_u64(t, "cpu.cfs_period_us", r->cpu.period.v,
						     "cpu.period", err);
		}
		if (ret < 0)
			return ret;
	}
	if (!r->cpu.quota.set)
		return 0;
	return cgroup_set_i64(t, "cpu.cfs_quota_us", r->cpu.quota.v, "cpu.quota", err);
}

/* A child's realtime budget comes out of its parent's: say so when the kernel refuses. */
static int set_rt_runtime(const struct cgroup_target *t, int64_t runtime, struct berr **err)
{
	int r = cgroup_set_i64(t, "cpu.rt_runtime_us", runtime, "cpu.realtimeRuntime", err);

	if (r == -EINVAL)
		return berr_set(
			err, EINVAL,
			"cpu.realtimeRuntime: the kernel refused %lld: a cgroup's "
			"cpu.rt_runtime_us must fit in its parent's (see the parent of '%s')",
			(long long) runtime, t->dir);
	return r;
}

int cgroup_v1_set_cpu(struct cgroup_manager *m, const struct cgroup_target *t,
		      const struct spec_resources *r, struct berr **err)
{
	int ret;

	(void) m;
	if (r->cpu.shares.set &&
	    (ret = cgroup_set_u64(t, "cpu.shares", r->cpu.shares.v, "cpu.shares", err)) < 0)
		return ret;
	if ((ret = set_cfs(t, r, err)) < 0)
		return ret;
	if (r->cpu.burst.set &&
	    (ret = cgroup_set_u64(t, "cpu.cfs_burst_us", r->cpu.burst.v, "cpu.burst", err)) < 0)
		return ret;
	if (r->cpu.realtime_period.set &&
	    (ret = cgroup_set_u64(t, "cpu.rt_period_us", r->cpu.realtime_period.v,
				  "cpu.realtimePeriod", err)) < 0)
		return ret;
	if (r->cpu.realtime_runtime.set &&
	    (ret = set_rt_runtime(t, r->cpu.realtime_runtime.v, err)) < 0)
		return ret;
	if (r->cpu.idle.set &&
	    (ret = cgroup_set_i64(t, "cpu.idle", r->cpu.idle.v, "cpu.idle", err)) < 0)
		return ret;
	return 0;
}

/* cpus and mems; an empty list keeps what create inherited from the parent. */
int cgroup_v1_set_cpuset(struct cgroup_manager *m, const struct cgroup_target *t,
			 const struct spec_resources *r, struct berr **err)
{
	int ret;

	(void) m;
	if (r->cpu.cpus && *r->cpu.cpus &&
	    (ret = cgroup_set(t, "cpuset.cpus", r->cpu.cpus, "cpu.cpus", err)) < 0)
		return ret;
	if (r->cpu.mems && *r->cpu.mems &&
	    (ret = cgroup_set(t, "cpuset.mems", r->cpu.mems, "cpu.mems", err)) < 0)
		return ret;
	return 0;
}

int cgroup_v1_set_pids(struct cgroup_manager *m, const struct cgroup_target *t,
		       const struct spec_resources *r, struct berr **err)
{
	char buf[32];

	(void) m;
	return cgroup_set(t, "pids.max", cgroup_fmt_limit(r->pids_limit.v, buf, sizeof(buf)),
			  "pids.limit", err);
}

/* blkio.weight went with CFQ (Linux 5.0); BFQ has blkio.bfq.weight. */
static const char *weight_file(const struct cgroup_target *t, bool device)
{
	if (cgroup_has_file(t, device ? "blkio.weight_device" : "blkio.weight"))
		return device ? "blkio.weight_device" : "blkio.weight";
	return device ? "blkio.bfq.weight_device" : "blkio.bfq.weight";
}

static int set_weight_devices(const struct cgroup_target *t, const struct spec_blkio_devices *l,
			      struct berr **err)
{
	const char *file = weight_file(t, true);
	char line[64];
	int r;

	for (size_t i = 0; i < l->n; i++) {
		const struct spec_blkio_device *d = &l->v[i];

		if (d->weight.set) {
			snprintf(line, sizeof(line), "%lld:%lld %u", (long long) d->major,
				 (long long) d->minor, d->weight.v);
			r = cgroup_set(t, file, line, "blockIO.weightDevice", err);
			if (r == -EOPNOTSUPP)
				return berr_wrap(err,
						 "device %lld:%lld does not use the bfq I/O "
						 "scheduler",
						 (long long) d->major, (long long) d->minor);
			if (r < 0)
				return r;
		}
		if (d->leaf_weight.set) {
			snprintf(line, sizeof(line), "%lld:%lld %u", (long long) d->major,
				 (long long) d->minor, d->leaf_weight.v);
			r = cgroup_set(t, "blkio.leaf_weight_device", line,
				       "blockIO.weightDevice.leafWeight", err);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int set_throttle(const struct cgroup_target *t, const struct spec_blkio_devices *l,
			const char *file, const char *field, struct berr **err)
{
	char line[64];
	int r;

	for (size_t i = 0; i < l->n; i++) {
		snprintf(line, sizeof(line), "%lld:%lld %" PRIu64, (long long) l->v[i].major,
			 (long long) l->v[i].minor, l->v[i].rate);
		if ((r = cgroup_set(t, file, line, field, err)) < 0)
			return r;
	}
	return 0;
}

int cgroup_v1_set_blkio(struct cgroup_manager *m, const struct cgroup_target *t,
			const struct spec_resources *r, struct berr **err)
{
	const __typeof__(r->block_io) *b = &r->block_io;
	int ret;

	(void) m;
	if (b->weight.set && (ret = cgroup_set_u64(t, weight_file(t, false), b->weight.v,
						   "blockIO.weight", err)) < 0)
		return ret;
	if (b->leaf_weight.set && (ret = cgroup_set_u64(t, "blkio.leaf_weight", b->leaf_weight.v,
							"blockIO.leafWeight", err)) < 0)
		return ret == -ENOENT ? berr_wrap(err, "leaf weights went with the CFQ scheduler "
						       "(Linux 5.0)")
				      : ret;
	if ((ret = set_weight_devices(t, &b->weight_device, err)) < 0 ||
	    (ret = set_throttle(t, &b->throttle_read_bps, "blkio.throttle.read_bps_device",
				"blockIO.throttleReadBpsDevice", err)) < 0 ||
	    (ret = set_throttle(t, &b->throttle_write_bps, "blkio.throttle.write_bps_device",
				"blockIO.throttleWriteBpsDevice", err)) < 0 ||
	    (ret = set_throttle(t, &b->throttle_read_iops, "blkio.throttle.read_iops_device",
				"blockIO.throttleReadIOPSDevice", err)) < 0)
		return ret;
	return set_throttle(t, &b->throttle_write_iops, "blkio.throttle.write_iops_device",
			    "blockIO.throttleWriteIOPSDevice", err);
}

/*
 * hugetlb.<size>.<suffix>, and the reservation limit beside it when the kernel has one
 * (config-linux.md: reservations are limited where supported).
 */
int cgroup_hugetlb_write(const struct cgroup_target *t, const struct spec_resources *r,
			 const char *suffix, const char *rsvd_suffix, struct berr **err)
{
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		const struct spec_hugepage_limit *h = &r->hugepage_limits[i];
		_cleanup_free_ char *file = NULL, *rsvd = NULL;
		int ret;

		if (asprintf(&file, "hugetlb.%s.%s", h->page_size, suffix) < 0 ||
		    asprintf(&rsvd, "hugetlb.%s.%s", h->page_size, rsvd_suffix) < 0)
			return berr_set(err, ENOMEM, "out of memory");
		if (!cgroup_has_file(t, file))
			return berr_set(err, ENOENT,
					"hugepageLimits: this host has no %s huge pages (no %s)",
					h->page_size, file);
		if ((ret = cgroup_set_u64(t, file, h->limit, "hugepageLimits", err)) < 0)
			return ret;
		if (cgroup_has_file(t, rsvd) &&
		    (ret = cgroup_set_u64(t, rsvd, h->limit, "hugepageLimits", err)) < 0)
			return ret;
	}
	return 0;
}

int cgroup_v1_set_hugetlb(struct cgroup_manager *m, const struct cgroup_target *t,
			  const struct spec_resources *r, struct berr **err)
{
	(void) m;
	return cgroup_hugetlb_write(t, r, "limit_in_bytes", "rsvd.limit_in_bytes", err);
}

int cgroup_v1_set_net_cls(struct cgroup_manager *m, const struct cgroup_target *t,
			  const struct spec_resources *r, struct berr **err)
{
	(void) m;
	return cgroup_set_u64(t, "net_cls.classid", r->network.class_id.v, "network.classID", err);
}

int cgroup_v1_set_net_prio(struct cgroup_manager *m, const struct cgroup_target *t,
			   const struct spec_resources *r, struct berr **err)
{
	char line[64];
	int ret;

	(void) m;
	for (size_t i = 0; i < r->network.n_priorities; i++) {
		snprintf(line, sizeof(line), "%s %u", r->network.priorities[i].name,
			 r->network.priorities[i].priority);
		if ((ret = cgroup_set(t, "net_prio.ifpriomap", line, "network.priorities", err)) <
		    0)
			return ret;
	}
	return 0;
}

/* rdma.max has the same format in v1 and v2: "mlx5_1 hca_handle=3 hca_object=max". */
int cgroup_set_rdma(struct cgroup_manager *m, const struct cgroup_target *t,
		    const struct spec_resources *r, struct berr **err)
{
	(void) m;
	for (size_t i = 0; i < r->n_rdma; i++) {
		const struct spec_rdma *d = &r->rdma[i];
		char line[160], part[40];
		int ret;

		snprintf(line, sizeof(line), "%s", d->device);
		if (d->hca_handles.set) {
			snprintf(part, sizeof(part), " hca_handle=%u", d->hca_handles.v);
			strncat(line, part, sizeof(line) - strlen(line) - 1);
		}
		if (d->hca_objects.set) {
			snprintf(part, sizeof(part), " hca_object=%u", d->hca_objects.v);
			strncat(line, part, sizeof(line) - strlen(line) - 1);
		}
		if ((ret = cgroup_set(t, "rdma.max", line, "rdma", err)) < 0)
			return ret;
	}
	return 0;
}
