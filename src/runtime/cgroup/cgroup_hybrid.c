/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hybrid hosts (systemd's layout, and this machine): the v1 controllers do the
 * limiting, and the container also gets a directory in the cgroup2 tree, as runc does.
 */
#include "runtime/cgroup/cgroup.h"

static int hybrid_create(struct cgroup_manager *m, struct berr **err)
{
	int r = cgroup_v1_ops.create(m, err);

	return r < 0 ? r : cgroup_v2_ops.create(m, err);
}

static int hybrid_enter(struct cgroup_manager *m, pid_t pid, struct berr **err)
{
	int r = cgroup_v1_ops.enter(m, pid, err);

	return r < 0 ? r : cgroup_v2_ops.enter(m, pid, err);
}

static int hybrid_destroy(struct cgroup_manager *m, struct berr **err)
{
	int r1 = cgroup_v1_ops.destroy(m, err);
	int r2 = cgroup_v2_ops.destroy(m, r1 < 0 ? NULL : err);

	return r1 < 0 ? r1 : r2;
}

/* The v1 hierarchies know the processes (the cgroup2 tree has no controller here). */
static int hybrid_procs(struct cgroup_manager *m, pid_t **ret, size_t *ret_n, struct berr **err)
{
	return cgroup_v1_ops.procs(m, ret, ret_n, err);
}

const struct cgroup_ops cgroup_hybrid_ops = {
	.name = "hybrid",
	.create = hybrid_create,
	.apply = cgroup_apply_resources,
	.enter = hybrid_enter,
	.destroy = hybrid_destroy,
	.procs = hybrid_procs,
};
