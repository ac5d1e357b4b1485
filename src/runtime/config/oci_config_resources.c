/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.json: linux.resources (cgroup limits), also the document of `update -r`.
 * Every field is read and checked here, so that bad input fails before any cgroup is
 * touched; blockIO and devices are in oci_config_resources_io.c.
 */
#include "runtime/config/oci_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "runtime/cgroup/cgroup_convert.h"

/* Bounds on user-controlled counts (STYLE.md §8). */
#define MAX_HUGEPAGE_LIMITS 16
#define MAX_NET_PRIORITIES 1024
#define MAX_RDMA_DEVICES 1024
#define MAX_UNIFIED_KEYS 1024

/* An optional int64 member with a lower bound (-1 is "unlimited" for most fields). */
static int get_i64(const struct jnode *obj, const char *key, int64_t min, struct opt_int64 *ret,
		   struct berr **err)
{
	struct jnode m;
	int r;

	jnode_member(obj, key, &m);
	if (!jnode_present(&m))
		return 0;
	r = jnode_int_range(&m, min, INT64_MAX, &ret->v, err);
	if (r < 0)
		return r;
	ret->set = true;
	return 0;
}

static int get_u64(const struct jnode *obj, const char *key, uint64_t max, struct opt_uint64 *ret,
		   struct berr **err)
{
	struct jnode m;
	int r;

	jnode_member(obj, key, &m);
	r = jnode_get_uint64(obj, key, &ret->v, err);
	if (r <= 0)
		return r;
	if (ret->v > max)
		return jnode_err(&m, err, ERANGE, "must be at most %llu", (unsigned long long) max);
	ret->set = true;
	return 0;
}

static int get_bool(const struct jnode *obj, const char *key, struct opt_bool *ret,
		    struct berr **err)
{
	int r = jnode_get_bool(obj, key, &ret->v, err);

	if (r > 0)
		ret->set = true;
	return r < 0 ? r : 0;
}

/* A member that must be an object, or absent. */
static int member_object(const struct jnode *obj, const char *key, struct jnode *ret,
			 struct berr **err)
{
	jnode_member(obj, key, ret);
	return jnode_expect_object(ret, err);
}

static int parse_memory(const struct jnode *res, struct spec_resources *r, struct berr **err)
{
	struct jnode m;
	int ret;

	if ((ret = member_object(res, "memory", &m, err)) < 0 || !jnode_present(&m))
		return ret;
	if ((ret = get_i64(&m, "limit", -1, &r->memory.limit, err)) < 0 ||
	    (ret = get_i64(&m, "reservation", -1, &r->memory.reservation, err)) < 0 ||
	    (ret = get_i64(&m, "swap", -1, &r->memory.swap, err)) < 0 ||
	    (ret = get_i64(&m, "kernel", -1, &r->memory.kernel, err)) < 0 ||
	    (ret = get_i64(&m, "kernelTCP", -1, &r->memory.kernel_tcp, err)) < 0 ||
	    (ret = get_u64(&m, "swappiness", 100, &r->memory.swappiness, err)) < 0 ||
	    (ret = get_bool(&m, "disableOOMKiller", &r->memory.disable_oom_killer, err)) < 0 ||
	    (ret = get_bool(&m, "useHierarchy", &r->memory.use_hierarchy, err)) < 0 ||
	    (ret = get_bool(&m, "checkBeforeUpdate", &r->memory.check_before_update, err)) < 0)
		return ret;
	/*
	 * v1 refuses memory+swap below memory; v2 cannot express it (cgroup_swap_to_v2).
	 * A swap of 0 is no swap setting at all (spec_resources_unset_zeros).
	 */
	if (r->memory.limit.set && r->memory.swap.set && r->memory.limit.v >= 0 &&
	    r->memory.swap.v > 0 && r->memory.swap.v < r->memory.limit.v)
		return jnode_err(&m, err, EINVAL,
				 "swap: memory+swap (%lld) must not be below limit (%lld)",
				 (long long) r->memory.swap.v, (long long) r->memory.limit.v);
	return 0;
}

static int get_id_list(const struct jnode *obj, const char *key, char **ret, struct berr **err)
{
	struct jnode m;
	int r = jnode_get_string(obj, key, ret, err);

	if (r <= 0)
		return r;
	if (!cgroup_id_list_valid(*ret)) {
		jnode_member(obj, key, &m);
		return jnode_err(&m, err, EINVAL, "'%s' is not a list such as '0-3,7'", *ret);
	}
	return 0;
}

static int parse_cpu(const struct jnode *res, struct spec_resources *r, struct berr **err)
{
	struct jnode c;
	int ret;

	if ((ret = member_object(res, "cpu", &c, err)) < 0 || !jnode_present(&c))
		return ret;
	if ((ret = get_u64(&c, "shares", UINT64_MAX, &r->cpu.shares, err)) < 0 ||
	    (ret = get_i64(&c, "quota", -1, &r->cpu.quota, err)) < 0 ||
	    (ret = get_u64(&c, "burst", UINT64_MAX, &r->cpu.burst, err)) < 0 ||
	    (ret = get_u64(&c, "period", UINT64_MAX, &r->cpu.period, err)) < 0 ||
	    (ret = get_i64(&c, "realtimeRuntime", -1, &r->cpu.realtime_runtime, err)) < 0 ||
	    (ret = get_u64(&c, "realtimePeriod", UINT64_MAX, &r->cpu.realtime_period, err)) < 0 ||
	    (ret = get_id_list(&c, "cpus", &r->cpu.cpus, err)) < 0 ||
	    (ret = get_id_list(&c, "mems", &r->cpu.mems, err)) < 0 ||
	    (ret = get_i64(&c, "idle", 0, &r->cpu.idle, err)) < 0)
		return ret;
	if (r->cpu.idle.set && r->cpu.idle.v > 1)
		return jnode_err(&c, err, EINVAL, "idle: must be 0 or 1");
	if (r->cpu.burst.set && r->cpu.quota.set && r->cpu.quota.v > 0 &&
	    r->cpu.burst.v > (uint64_t) r->cpu.quota.v)
		return jnode_err(&c, err, EINVAL, "burst: %llu must not be above quota (%lld)",
				 (unsigned long long) r->cpu.burst.v, (long long) r->cpu.quota.v);
	return 0;
}

static int parse_pids(const struct jnode *res, struct spec_resources *r, struct berr **err)
{
	struct jnode p;
	int ret;

	if ((ret = member_object(res, "pids", &p, err)) < 0 || !jnode_present(&p))
		return ret;
	/* 0 is a valid limit (config-linux.md); -1 is "max". */
	return get_i64(&p, "limit", -1, &r->pids_limit, err);
}

static int parse_hugepage_limits(const struct jnode *res, struct spec_resources *r,
				 struct berr **err)
{
	struct jnode list;
	size_t len;
	int ret;

	jnode_member(res, "hugepageLimits", &list);
	if (!jnode_present(&list))
		return 0;
	if ((ret = jnode_expect_array(&list, err)) < 0)
		return ret;
	len = jnode_array_len(&list);
	if (len > MAX_HUGEPAGE_LIMITS)
		return jnode_err(&list, err, E2BIG, "more than %d entries", MAX_HUGEPAGE_LIMITS);
	r->hugepage_limits = calloc(len + 1, sizeof(*r->hugepage_limits));
	if (!r->hugepage_limits)
		return berr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < len; i++) {
		struct spec_hugepage_limit *h = &r->hugepage_limits[i];
		struct jnode e, m;
		uint64_t size;

		jnode_array_at(&list, i, &e);
		if (!jnode_is_object(&e))
			return jnode_err(&e, err, EINVAL, "must be an object");
		r->n_hugepage_limits++;
		jnode_member(&e, "pageSize", &m);
		if (!jnode_present(&m))
			return jnode_err(&m, err, EINVAL, "must be given");
		if ((ret = jnode_string(&m, &h->page_size, err)) < 0)
			return ret;
		if (cgroup_page_size_parse(h->page_size, &size) < 0)
			return jnode_err(&m, err, EINVAL,
					 "'%s' is not a size such as '2MB' or '1GB'", h->page_size);
		jnode_member(&e, "limit", &m);
		if (!jnode_present(&m))
			return jnode_err(&m, err, EINVAL, "must be given");
		if ((ret = jnode_uint64(&m, &h->limit, err)) < 0)
			return ret;
	}
	return 0;
}

/* An interface or device name written into a cgroup file: one word, no separators. */
static bool word_valid(const char *s, size_t max)
{
	size_t len = strlen(s);

	if (len == 0 || len > max)
		return false;
	for (const char *p = s; *p; p++)
		if (*p <= ' ' || *p == '/' || *p == '=' || *p == ':' || *p == 0x7f)
			return false;
	return true;
}

static int parse_priority(const struct jnode *e, struct spec_net_priority *p, struct berr **err)
{
	struct jnode m;
	int r;

	if (!jnode_is_object(e))
		return jnode_err(e, err, EINVAL, "must be an object");
	jnode_member(e, "name", &m);
	if (!jnode_present(&m))
		return jnode_err(&m, err, EINVAL, "must be given");
	if ((r = jnode_string(&m, &p->name, err)) < 0)
		return r;
	if (!word_valid(p->name, 15))
		return jnode_err(&m, err, EINVAL, "'%s' is not an interface name", p->name);
	r = jnode_get_uint32(e, "priority", &p->priority, err);
	if (r == 0) {
		jnode_member(e, "priority", &m);
		return jnode_err(&m, err, EINVAL, "must be given");
	}
	return r < 0 ? r : 0;
}

static int parse_network(const struct jnode *res, struct spec_resources *r, struct berr **err)
{
	struct jnode n, list;
	size_t len;
	int ret;

	if ((ret = member_object(res, "network", &n, err)) < 0 || !jnode_present(&n))
		return ret;
	ret = jnode_get_uint32(&n, "classID", &r->network.class_id.v, err);
	if (ret < 0)
		return ret;
	r->network.class_id.set = ret > 0;
	jnode_member(&n, "priorities", &list);
	if (!jnode_present(&list))
		return 0;
	if ((ret = jnode_expect_array(&list, err)) < 0)
		return ret;
	len = jnode_array_len(&list);
	if (len > MAX_NET_PRIORITIES)
		return jnode_err(&list, err, E2BIG, "more than %d entries", MAX_NET_PRIORITIES);
	r->network.priorities = calloc(len + 1, sizeof(*r->network.priorities));
	if (!r->network.priorities)
		return berr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < len; i++) {
		struct jnode e;

		jnode_array_at(&list, i, &e);
		r->network.n_priorities++;
		if ((ret = parse_priority(&e, &r->network.priorities[i], err)) < 0)
			return ret;
	}
	return 0;
}

static int rdma_member(const struct jnode *child, void *userdata, struct berr **err)
{
	struct spec_resources *r = userdata;
	struct spec_rdma *d = &r->rdma[r->n_rdma];
	int ret;

	if (!jnode_is_object(child))
		return jnode_err(child, err, EINVAL, "must be an object");
	if (!word_valid(child->key, 64))
		return jnode_err(child, err, EINVAL, "'%s' is not an RDMA device name", child->key);
	d->device = strdup(child->key);
	if (!d->device)
		return berr_set(err, ENOMEM, "out of memory");
	r->n_rdma++;
	if ((ret = jnode_get_uint32(child, "hcaHandles", &d->hca_handles.v, err)) < 0)
		return ret;
	d->hca_handles.set = ret > 0;
	if ((ret = jnode_get_uint32(child, "hcaObjects", &d->hca_objects.v, err)) < 0)
		return ret;
	d->hca_objects.set = ret > 0;
	if (!d->hca_handles.set && !d->hca_objects.set)
		return jnode_err(child, err, EINVAL, "needs hcaHandles or hcaObjects");
	return 0;
}

static int parse_rdma(const struct jnode *res, struct spec_resources *r, struct berr **err)
{
	struct jnode m;
	int ret;

	if ((ret = member_object(res, "rdma", &m, err)) < 0 || !jnode_present(&m))
		return ret;
	if (jnode_object_len(&m) > MAX_RDMA_DEVICES)
		return jnode_err(&m, err, E2BIG, "more than %d devices", MAX_RDMA_DEVICES);
	r->rdma = calloc(jnode_object_len(&m) + 1, sizeof(*r->rdma));
	if (!r->rdma)
		return berr_set(err, ENOMEM, "out of memory");
	return jnode_foreach_member(&m, rdma_member, r, err);
}

/*
 * A key of "unified" names a file in the container's cgroup directory: a plain name
 * ("memory.high"), never a path that could leave the directory.
 */
static bool unified_key_valid(const char *k)
{
	const char *dot = strchr(k, '.');

	return word_valid(k, 255) && dot && dot != k && dot[1] != '\0';
}

static int parse_unified(const struct jnode *res, struct spec_resources *r, struct berr **err)
{
	struct jnode m;
	int ret;

	jnode_member(res, "unified", &m);
	if (!jnode_present(&m))
		return 0;
	if (jnode_is_object(&m) && jnode_object_len(&m) > MAX_UNIFIED_KEYS)
		return jnode_err(&m, err, E2BIG, "more than %d keys", MAX_UNIFIED_KEYS);
	ret = oci_parse_kv_map(&m, &r->unified, &r->n_unified, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < r->n_unified; i++)
		if (!unified_key_valid(r->unified[i].key))
			return jnode_err(&m, err, EINVAL,
					 "'%s' is not a cgroup file name such as 'memory.high'",
					 r->unified[i].key);
	return 0;
}

static void unset_zero_i64(struct opt_int64 *o)
{
	if (o->set && o->v == 0)
		o->set = false;
}

static void unset_zero_u64(struct opt_uint64 *o)
{
	if (o->set && o->v == 0)
		o->set = false;
}

static void unset_zero_u16(struct opt_uint16 *o)
{
	if (o->set && o->v == 0)
		o->set = false;
}

void spec_resources_unset_zeros(struct spec_resources *r)
{
	struct opt_int64 *i64[] = {&r->memory.limit,	    &r->memory.reservation, &r->memory.swap,
				   &r->memory.kernel,	    &r->memory.kernel_tcp,  &r->cpu.quota,
				   &r->cpu.realtime_runtime};
	struct opt_uint64 *u64[] = {&r->cpu.shares, &r->cpu.period, &r->cpu.realtime_period};

	for (size_t i = 0; i < ELEMENTSOF(i64); i++)
		unset_zero_i64(i64[i]);
	for (size_t i = 0; i < ELEMENTSOF(u64); i++)
		unset_zero_u64(u64[i]);
	unset_zero_u16(&r->block_io.weight);
	unset_zero_u16(&r->block_io.leaf_weight);
	for (size_t i = 0; i < r->block_io.weight_device.n; i++) {
		unset_zero_u16(&r->block_io.weight_device.v[i].weight);
		unset_zero_u16(&r->block_io.weight_device.v[i].leaf_weight);
	}
	if (r->network.class_id.set && r->network.class_id.v == 0)
		r->network.class_id.set = false;
}

int oci_parse_resources(const struct jnode *n, struct spec_resources *r, struct berr **err)
{
	int ret;

	if (!jnode_present(n))
		return 0;
	if (!jnode_is_object(n))
		return jnode_err(n, err, EINVAL, "must be an object");
	if ((ret = oci_parse_resources_devices(n, r, err)) < 0 ||
	    (ret = parse_memory(n, r, err)) < 0 || (ret = parse_cpu(n, r, err)) < 0 ||
	    (ret = parse_pids(n, r, err)) < 0 || (ret = oci_parse_resources_blkio(n, r, err)) < 0 ||
	    (ret = parse_hugepage_limits(n, r, err)) < 0 || (ret = parse_network(n, r, err)) < 0 ||
	    (ret = parse_rdma(n, r, err)) < 0 || (ret = parse_unified(n, r, err)) < 0)
		return ret;
	spec_resources_unset_zeros(r);
	r->set = jnode_object_len(n) > 0;
	return 0;
}

int oci_resources_parse(const char *text, size_t len, const char *name, struct spec_resources *ret,
			struct berr **err)
{
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	struct jnode top;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = jdoc_parse(text, len, name, &doc, err);
	if (r < 0)
		return r;
	jdoc_root(doc, &top);
	r = oci_parse_resources(&top, ret, err);
	if (r < 0) {
		spec_resources_done(ret);
		memset(ret, 0, sizeof(*ret));
		return berr_wrap(err, "%s", name);
	}
	return 0;
}

void spec_resources_done(struct spec_resources *r)
{
	free(r->devices);
	free(r->block_io.weight_device.v);
	free(r->block_io.throttle_read_bps.v);
	free(r->block_io.throttle_write_bps.v);
	free(r->block_io.throttle_read_iops.v);
	free(r->block_io.throttle_write_iops.v);
	for (size_t i = 0; i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	for (size_t i = 0; i < r->network.n_priorities; i++)
		free(r->network.priorities[i].name);
	free(r->network.priorities);
	for (size_t i = 0; i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	free(r->cpu.cpus);
	free(r->cpu.mems);
	kv_free_array(r->unified, r->n_unified);
}
