/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup v2: one unified tree; the init is cloned straight into it (CLONE_INTO_CGROUP). */
#include "runtime/cgroup/cgroup.h"
#include "runtime/cgroup/cgroup_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/strv.h"

static const struct cgroup_hier *unified(const struct cgroup_manager *m)
{
	return m->layout->unified;
}

static int v2_create(struct cgroup_manager *m, struct berr **err)
{
	_cleanup_free_ char *dir = cgroup_dir(unified(m), m->path);
	int r;

	if (!dir)
		return berr_set(err, ENOMEM, "out of memory");
	r = cgroup_mkdir_p(dir, err);
	if (r < 0)
		return r;
	/*
	 * Every controller the host offers, down to the parent, as runc (best effort). After
	 * the mkdir: a parent made just now has no cgroup.subtree_control before, and the
	 * container would lack pids.current (stats) and the rest.
	 */
	if (m->layout->mode == CGROUP_MODE_V2)
		(void) cgroup_v2_enable(m, cgroup_v2_controllers(m), true, NULL);
	m->unified_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m->unified_fd < 0)
		return berr_sys(err, errno, "opening cgroup '%s'", dir);
	return 0;
}

static int v2_enter(struct cgroup_manager *m, pid_t pid, struct berr **err)
{
	_cleanup_free_ char *dir = NULL;

	if (m->into_clone)
		return 0;
	dir = cgroup_dir(unified(m), m->path);
	if (!dir)
		return berr_set(err, ENOMEM, "out of memory");
	return cgroup_write_pid(dir, pid, err);
}

static int v2_destroy(struct cgroup_manager *m, struct berr **err)
{
	_cleanup_free_ char *dir = cgroup_dir(unified(m), m->path);

	if (!dir)
		return berr_set(err, ENOMEM, "out of memory");
	return cgroup_kill_and_rmdir(dir, err);
}

static int v2_procs(struct cgroup_manager *m, pid_t **ret, size_t *ret_n, struct berr **err)
{
	_cleanup_free_ char *dir = cgroup_dir(unified(m), m->path);
	int r;

	if (!dir)
		return berr_set(err, ENOMEM, "out of memory");
	r = cgroup_read_procs(dir, ret, ret_n);
	return r < 0 ? berr_sys(err, -r, "reading the processes of cgroup '%s'", dir) : 0;
}

const struct cgroup_ops cgroup_v2_ops = {
	.name = "v2",
	.create = v2_create,
	.apply = cgroup_apply_resources,
	.enter = v2_enter,
	.destroy = v2_destroy,
	.procs = v2_procs,
};
