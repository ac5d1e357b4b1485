/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.resources onto the container's cgroup, controller by controller: each group of
 * fields goes to the v1 hierarchy of its controller or to the cgroup2 tree (see
 * cgroup_internal.h), through the writers of cgroup_v1_resources.c / cgroup_v2_resources.c.
 */
#include "runtime/cgroup/cgroup_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/strv.h"

#define CGROUP_FILE_MAX (4u << 20)

static const struct {
	const char *v1;
	const char *v2;
} ctrl_names[_CG_CTRL_MAX] = {
	[CG_CPU] = {"cpu", "cpu"},
	[CG_CPUACCT] = {"cpuacct", ""}, /* cpu.stat is in the cgroup2 core */
	[CG_CPUSET] = {"cpuset", "cpuset"},
	[CG_MEMORY] = {"memory", "memory"},
	[CG_PIDS] = {"pids", "pids"},
	[CG_BLKIO] = {"blkio", "io"},
	[CG_HUGETLB] = {"hugetlb", "hugetlb"},
	[CG_NET_CLS] = {"net_cls", NULL},
	[CG_NET_PRIO] = {"net_prio", NULL},
	[CG_RDMA] = {"rdma", "rdma"},
	[CG_DEVICES] = {"devices", ""}, /* an eBPF program on the cgroup2 directory */
	[CG_FREEZER] = {"freezer", ""}, /* cgroup.freeze */
};

const char *cgroup_ctrl_v1_name(enum cgroup_ctrl c)
{
	return ctrl_names[c].v1;
}

const char *cgroup_ctrl_v2_name(enum cgroup_ctrl c)
{
	return ctrl_names[c].v2;
}

void cgroup_warn(const struct cgroup_manager *m, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	int r;

	if (!m->warn)
		return;
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r >= 0)
		m->warn(msg);
}

char **cgroup_v2_controllers(struct cgroup_manager *m)
{
	_cleanup_free_ char *path = NULL, *text = NULL;

	if (m->v2_controllers_read || !m->layout->unified)
		return m->v2_controllers;
	m->v2_controllers_read = true;
	if (asprintf(&path, "%s/cgroup.controllers", m->layout->unified->mountpoint) < 0 ||
	    read_file_at(AT_FDCWD, path, 65536, &text, NULL) < 0)
		return NULL;
	m->v2_controllers = strv_split(text, " \n");
	return m->v2_controllers;
}

bool cgroup_has_ctrl(struct cgroup_manager *m, enum cgroup_ctrl c)
{
	const char *v2 = ctrl_names[c].v2;

	if (cgroup_layout_find_v1(m->layout, ctrl_names[c].v1))
		return true;
	if (!m->layout->unified || !v2)
		return false;
	return !*v2 || strv_contains(cgroup_v2_controllers(m), v2);
}

/* "+a +b" for the controllers not yet in dir's cgroup.subtree_control ("" if none). */
static char *missing_in(const char *dir, char *const *controllers)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	_cleanup_strv_ char **have = NULL, **want = NULL;

	if (asprintf(&path, "%s/cgroup.subtree_control", dir) < 0)
		return NULL;
	have = read_file_at(AT_FDCWD, path, 65536, &text, NULL) >= 0 ? strv_split(text, " \n")
								     : NULL;
	STRV_FOREACH (c, controllers) {
		char *plus = NULL;

		if (strv_contains(have, *c))
			continue;
		if (asprintf(&plus, "+%s", *c) < 0 || strv_consume(&want, plus) < 0)
			return NULL;
	}
	return strv_join(want, " ");
}

/* Enable the controllers at one level: all in one write, else one by one. */
static int enable_at(const char *dir, char *const *controllers, bool best_effort, struct berr **err)
{
	_cleanup_free_ char *file = NULL, *want = missing_in(dir, controllers);
	int r;

	if (!want || asprintf(&file, "%s/cgroup.subtree_control", dir) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	if (!*want || write_file_at(AT_FDCWD, file, want, O_WRONLY) >= 0)
		return 0;
	STRV_FOREACH (c, controllers) {
		_cleanup_free_ char *plus = NULL;

		if (asprintf(&plus, "+%s", *c) < 0)
			return berr_set(err, ENOMEM, "out of memory");
		r = write_file_at(AT_FDCWD, file, plus, O_WRONLY);
		if (r < 0 && !best_effort)
			return berr_sys(err, -r, "enabling the %s controller in '%s'", *c, file);
	}
	return 0;
}

int cgroup_v2_enable(struct cgroup_manager *m, char *const *controllers, bool best_effort,
		     struct berr **err)
{
	const struct cgroup_hier *u = m->layout->unified;
	_cleanup_free_ char *dir = NULL;
	size_t base;

	if (!u)
		return berr_set(err, ENOENT, "this host has no cgroup2 tree");
	dir = cgroup_dir(u, m->path);
	if (!dir)
		return berr_set(err, ENOMEM, "out of memory");
	base = strlen(u->mountpoint);
	/* Each level above the container: each '/' of the path ends one (the first: root). */
	for (size_t i = base; dir[i]; i++) {
		int r;

		if (dir[i] != '/')
			continue;
		dir[i] = '\0';
		r = enable_at(dir, controllers, best_effort, err);
		dir[i] = '/';
		if (r < 0)
			return r;
	}
	return 0;
}

int cgroup_v2_enable_one(struct cgroup_manager *m, const char *controller, struct berr **err)
{
	char *one[] = {(char *) controller, NULL};

	return cgroup_v2_enable(m, one, false, err);
}

static int not_available(struct cgroup_manager *m, enum cgroup_ctrl c, struct berr **err)
{
	const char *v1 = ctrl_names[c].v1, *v2 = ctrl_names[c].v2;
	_cleanup_free_ char *offered = NULL;

	if (!m->layout->unified)
		return berr_set(err, ENOENT, "the %s controller is not mounted on this host", v1);
	if (!v2)
		return berr_set(err, ENOENT,
				"the %s controller is not mounted on this host, and cgroup v2 "
				"has no equivalent",
				v1);
	offered = strv_join(cgroup_v2_controllers(m), " ");
	if (m->layout->mode == CGROUP_MODE_HYBRID)
		return berr_set(err, ENOENT,
				"the %s controller is neither mounted as cgroup v1 nor offered by "
				"the cgroup2 tree of this hybrid host (cgroup.controllers: '%s')",
				v1, offered ? offered : "");
	return berr_set(err, ENOENT,
			"the %s controller is not available in cgroup2 (cgroup.controllers: '%s')",
			v2, offered ? offered : "");
}

int cgroup_target_open(struct cgroup_manager *m, enum cgroup_ctrl c, bool enable,
		       struct cgroup_target *ret, struct berr **err)
{
	const struct cgroup_hier *h = cgroup_layout_find_v1(m->layout, ctrl_names[c].v1);
	const char *v2 = ctrl_names[c].v2;
	int r;

	*ret = (struct cgroup_target){.ctrl = c, .fd = -1};
	if (!h) {
		if (!cgroup_has_ctrl(m, c))
			return not_available(m, c, err);
		h = m->layout->unified;
		ret->v2 = true;
		if (enable && *v2 && (r = cgroup_v2_enable_one(m, v2, err)) < 0)
			return r;
	}
	ret->dir = cgroup_dir(h, m->path);
	if (!ret->dir)
		return berr_set(err, ENOMEM, "out of memory");
	ret->fd = open(ret->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ret->fd < 0) {
		r = berr_sys(err, errno, "opening cgroup '%s'", ret->dir);
		cgroup_target_done(ret);
		return r;
	}
	return 0;
}

void cgroup_target_done(struct cgroup_target *t)
{
	if (t->fd >= 0)
		(void) close(t->fd);
	t->fd = -1;
	free(t->dir);
	t->dir = NULL;
}

int cgroup_set(const struct cgroup_target *t, const char *file, const char *value,
	       const char *field, struct berr **err)
{
	int r = write_file_at(t->fd, file, value, O_WRONLY);

	if (r == -ENOENT)
		return berr_set(err, ENOENT, "%s: this kernel has no %s in '%s'", field, file,
				t->dir);
	if (r < 0)
		return berr_sys(err, -r, "%s: writing '%s' to %s", field, value, file);
	return 0;
}

int cgroup_set_u64(const struct cgroup_target *t, const char *file, uint64_t value,
		   const char *field, struct berr **err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, value);
	return cgroup_set(t, file, buf, field, err);
}

int cgroup_set_i64(const struct cgroup_target *t, const char *file, int64_t value,
		   const char *field, struct berr **err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, value);
	return cgroup_set(t, file, buf, field, err);
}

int cgroup_get(const struct cgroup_target *t, const char *file, char **ret)
{
	return read_file_at(t->fd, file, CGROUP_FILE_MAX, ret, NULL);
}

int cgroup_get_u64(const struct cgroup_target *t, const char *file, uint64_t *ret)
{
	_cleanup_free_ char *text = NULL;
	char *end;
	int r = cgroup_get(t, file, &text);

	if (r < 0)
		return r;
	if (strncmp(text, "max", 3) == 0) {
		*ret = UINT64_MAX;
		return 0;
	}
	errno = 0;
	*ret = strtoull(text, &end, 10);
	if (errno || end == text)
		return -EINVAL;
	return 0;
}

int cgroup_get_keyed(const struct cgroup_target *t, const char *file, const char *key,
		     uint64_t *ret)
{
	_cleanup_free_ char *text = NULL;
	size_t klen = strlen(key);
	int r = cgroup_get(t, file, &text);

	if (r < 0)
		return r;
	for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, key, klen) == 0 && l[klen] == ' ') {
			*ret = strtoull(l + klen + 1, NULL, 10);
			return 0;
		}
	}
	return -ENOENT;
}

bool cgroup_has_file(const struct cgroup_target *t, const char *file)
{
	return faccessat(t->fd, file, F_OK, 0) == 0;
}

/* What each group of fields needs, and who writes it on v1 and on v2. */
struct resource_group {
	const char *field;
	enum cgroup_ctrl ctrl;
	bool (*is_set)(const struct spec_resources *r, bool create);
	cgroup_setter_fn v1, v2;
};

static bool cpuset_set(const struct spec_resources *r, bool create)
{
	(void) create;
	return r->cpu.cpus || r->cpu.mems;
}
static bool memory_set(const struct spec_resources *r, bool create)
{
	(void) create;
	return r->memory.limit.set || r->memory.reservation.set || r->memory.swap.set ||
	       r->memory.kernel.set || r->memory.kernel_tcp.set || r->memory.swappiness.set ||
	       r->memory.disable_oom_killer.set || r->memory.use_hierarchy.set;
}
static bool cpu_set(const struct spec_resources *r, bool create)
{
	(void) create;
	return r->cpu.shares.set || r->cpu.quota.set || r->cpu.burst.set || r->cpu.period.set ||
	       r->cpu.realtime_runtime.set || r->cpu.realtime_period.set || r->cpu.idle.set;
}
static bool pids_set(const struct spec_resources *r, bool create)
{
	(void) create;
	return r->pids_limit.set;
}
static bool blkio_set(const struct spec_resources *r, bool create)
{
	const __typeof__(r->block_io) *b = &r->block_io;

	(void) create;
	return b->weight.set || b->leaf_weight.set || b->weight_device.n ||
	       b->throttle_read_bps.n || b->throttle_write_bps.n || b->throttle_read_iops.n ||
	       b->throttle_write_iops.n;
}
static bool hugetlb_set(const struct spec_resources *r, bool create)
{
	(void) create;
	return r->n_hugepage_limits > 0;
}
static bool net_cls_set(const struct spec_resources *r, bool create)
{
	(void) create;
	return r->network.class_id.set;
}
static bool net_prio_set(const struct spec_resources *r, bool create)
{
	(void) create;
	return r->network.n_priorities > 0;
}
static bool rdma_set(const struct spec_resources *r, bool create)
{
	(void) create;
	return r->n_rdma > 0;
}
/* At create the device rules always apply: runc's default list comes with them. */
static bool devices_set(const struct spec_resources *r, bool create)
{
	return create || r->devices_set;
}

static const struct resource_group groups[] = {
	{"cpu", CG_CPUSET, cpuset_set, cgroup_v1_set_cpuset, cgroup_v2_set_cpuset},
	{"memory", CG_MEMORY, memory_set, cgroup_v1_set_memory, cgroup_v2_set_memory},
	{"cpu", CG_CPU, cpu_set, cgroup_v1_set_cpu, cgroup_v2_set_cpu},
	{"pids", CG_PIDS, pids_set, cgroup_v1_set_pids, cgroup_v2_set_pids},
	{"blockIO", CG_BLKIO, blkio_set, cgroup_v1_set_blkio, cgroup_v2_set_io},
	{"hugepageLimits", CG_HUGETLB, hugetlb_set, cgroup_v1_set_hugetlb, cgroup_v2_set_hugetlb},
	{"network.classID", CG_NET_CLS, net_cls_set, cgroup_v1_set_net_cls, NULL},
	{"network.priorities", CG_NET_PRIO, net_prio_set, cgroup_v1_set_net_prio, NULL},
	{"rdma", CG_RDMA, rdma_set, cgroup_set_rdma, cgroup_set_rdma},
	{"devices", CG_DEVICES, devices_set, cgroup_devices_set_v1, cgroup_devices_set_v2},
};

static int apply_group(struct cgroup_manager *m, const struct resource_group *g,
		       const struct spec_resources *r, struct berr **err)
{
	struct cgroup_target t;
	int ret;

	ret = cgroup_target_open(m, g->ctrl, true, &t, err);
	if (ret < 0)
		return berr_wrap(err, "%s", g->field);
	ret = (t.v2 ? g->v2 : g->v1)(m, &t, r, err);
	cgroup_target_done(&t);
	return ret;
}

static int apply(struct cgroup_manager *m, const struct spec_resources *r, bool create,
		 struct berr **err)
{
	int ret;

	for (size_t i = 0; i < ELEMENTSOF(groups); i++) {
		const struct resource_group *g = &groups[i];

		if (!g->is_set(r, create))
			continue;
		/* Devices on a host without any way to filter them: nothing to enforce. */
		if (g->ctrl == CG_DEVICES && !r->devices_set && !cgroup_has_ctrl(m, CG_DEVICES))
			continue;
		ret = apply_group(m, g, r, err);
		if (ret < 0)
			return ret;
	}
	/* Last, so that unified values win over the converted ones (as runc). */
	return r->n_unified ? cgroup_v2_set_unified(m, r, err) : 0;
}

int cgroup_apply_resources(struct cgroup_manager *m, const struct spec_resources *r,
			   struct berr **err)
{
	return apply(m, r, true, err);
}

int cgroup_update(struct cgroup_manager *m, const struct spec_resources *r, struct berr **err)
{
	return apply(m, r, false, err);
}
