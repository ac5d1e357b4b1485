/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup v1: one directory per hierarchy (memory, cpu,cpuacct, pids, name=systemd ...). */
#include "runtime/cgroup/cgroup.h"

#include <errno.h>
#include <unistd.h>
#include <stdlib.h>

#include <fcntl.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/strv.h"

#define FOREACH_V1(m, h)                                                                           \
	for (const struct cgroup_hier *h = (m)->layout->v; h < (m)->layout->v + (m)->layout->n;    \
	     h++)                                                                                  \
		if (!h->v2)

/* Copy file from parent to child when the child's is empty (a new cpuset has no cpus). */
static int inherit_value(const char *parent, const char *child, const char *file, struct berr **err)
{
	_cleanup_close_ int pfd = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int cfd = open(child, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *mine = NULL, *theirs = NULL;
	int r;

	if (pfd < 0 || cfd < 0)
		return berr_sys(err, errno, "opening cpuset '%s'", child);
	r = read_file_at(cfd, file, 65536, &mine, NULL);
	if (r >= 0 && strspn(mine, " \n") != strlen(mine))
		return 0;
	if (r >= 0)
		r = read_file_at(pfd, file, 65536, &theirs, NULL);
	if (r >= 0)
		r = write_file_at(cfd, file, theirs, O_WRONLY);
	return r < 0 ? berr_sys(err, -r, "setting %s of '%s'", file, child) : 0;
}

/*
 * A v1 cpuset starts with no cpus and no mems, and a process cannot join it: fill each
 * new level from its parent, top down, as runc does.
 */
static int cpuset_fill_down(const char *dir, size_t mount_len, struct berr **err)
{
	_cleanup_free_ char *child = strdup(dir), *parent = strdup(dir);
	size_t len = strlen(dir), parent_len = mount_len;
	int r;

	if (!child || !parent)
		return berr_set(err, ENOMEM, "out of memory");
	/* Each '/' after the mount point (and the end) closes one level of the path. */
	for (size_t i = mount_len + 1; i <= len; i++) {
		if (dir[i] != '/' && dir[i] != '\0')
			continue;
		child[i] = '\0';
		parent[parent_len] = '\0';
		if ((r = inherit_value(parent, child, "cpuset.cpus", err)) < 0 ||
		    (r = inherit_value(parent, child, "cpuset.mems", err)) < 0)
			return r;
		child[i] = dir[i];
		parent[parent_len] = dir[parent_len];
		parent_len = i;
	}
	return 0;
}

static int v1_create(struct cgroup_manager *m, struct berr **err)
{
	FOREACH_V1(m, h)
	{
		_cleanup_free_ char *dir = cgroup_dir(h, m->path);
		int r;

		if (!dir)
			return berr_set(err, ENOMEM, "out of memory");
		r = cgroup_mkdir_p(dir, err);
		if (r < 0)
			return r;
		if (strv_contains(h->controllers, "cpuset") &&
		    (r = cpuset_fill_down(dir, strlen(h->mountpoint), err)) < 0)
			return r;
	}
	return 0;
}

static int v1_enter(struct cgroup_manager *m, pid_t pid, struct berr **err)
{
	if (m->v1_joined)
		return 0;
	FOREACH_V1(m, h)
	{
		_cleanup_free_ char *dir = cgroup_dir(h, m->path);
		int r;

		if (!dir)
			return berr_set(err, ENOMEM, "out of memory");
		r = cgroup_write_pid(dir, pid, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int v1_destroy(struct cgroup_manager *m, struct berr **err)
{
	const struct cgroup_hier *freezer = cgroup_layout_find_v1(m->layout, "freezer");
	int ret = 0;

	/*
	 * A frozen v1 task does not die of SIGKILL until it is thawed (a paused container).
	 * A freezer cgroup that goes at once had no task to thaw.
	 */
	if (freezer) {
		_cleanup_free_ char *dir = cgroup_dir(freezer, m->path);

		if (dir && rmdir(dir) < 0 && errno != ENOENT)
			(void) cgroup_freeze(m, false, NULL);
	}

	FOREACH_V1(m, h)
	{
		_cleanup_free_ char *dir = cgroup_dir(h, m->path);
		int r;

		if (!dir)
			return berr_set(err, ENOMEM, "out of memory");
		r = cgroup_kill_and_rmdir(dir, err);
		if (r < 0 && ret == 0)
			ret = r; /* go on: remove what can be removed */
	}
	return ret;
}

/* The pids hierarchy (or else any hierarchy) lists the container's processes. */
static int v1_procs(struct cgroup_manager *m, pid_t **ret, size_t *ret_n, struct berr **err)
{
	const struct cgroup_hier *h = cgroup_layout_find_v1(m->layout, "pids");
	_cleanup_free_ char *dir = NULL;
	int r;

	if (!h) {
		FOREACH_V1(m, any)
		{
			h = any;
			break;
		}
	}
	if (!h)
		return berr_set(err, ENOENT, "no cgroup v1 hierarchy");
	dir = cgroup_dir(h, m->path);
	if (!dir)
		return berr_set(err, ENOMEM, "out of memory");
	r = cgroup_read_procs(dir, ret, ret_n);
	return r < 0 ? berr_sys(err, -r, "reading the processes of cgroup '%s'", dir) : 0;
}

const struct cgroup_ops cgroup_v1_ops = {
	.name = "v1",
	.create = v1_create,
	.apply = cgroup_apply_resources,
	.enter = v1_enter,
	.destroy = v1_destroy,
	.procs = v1_procs,
};
