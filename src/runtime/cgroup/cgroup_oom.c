/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OOM notifications for `events`: on v1 an eventfd registered on memory.oom_control
 * through cgroup.event_control; on v2 inotify on memory.events. The kernel signals an
 * OOM before its kill is counted (and with disableOOMKiller nothing is killed), so the
 * events reported are the larger of the notifications and the kills, counted from the
 * start: a kill counted late is not reported twice.
 */
#include "runtime/cgroup/cgroup_oom.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "runtime/cgroup/cgroup_internal.h"

struct cgroup_oom {
	struct cgroup_target t;
	int fd;		   /* eventfd (v1) or inotify (v2), non-blocking */
	uint64_t base;	   /* the kernel's count when we started */
	uint64_t wakes;	   /* v1: eventfd notifications since we started */
	uint64_t reported; /* events reported so far */
};

/* OOMs so far by the kernel's counters: v2 "oom" (or "oom_kill"), v1 "oom_kill". */
static int oom_count(const struct cgroup_oom *o, uint64_t *ret)
{
	uint64_t oom = 0, kills = 0;
	int r;

	if (!o->t.v2)
		return cgroup_get_keyed(&o->t, "memory.oom_control", "oom_kill", ret);
	r = cgroup_get_keyed(&o->t, "memory.events", "oom_kill", &kills);
	if (r < 0)
		return r;
	(void) cgroup_get_keyed(&o->t, "memory.events", "oom", &oom);
	*ret = oom > kills ? oom : kills;
	return 0;
}

static int register_v1(struct cgroup_oom *o, struct berr **err)
{
	_cleanup_close_ int ctl = -1;
	char line[64];
	int r;

	o->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (o->fd < 0)
		return berr_sys(err, errno, "creating an eventfd");
	ctl = openat(o->t.fd, "memory.oom_control", O_RDONLY | O_CLOEXEC);
	if (ctl < 0)
		return berr_sys(err, errno, "opening memory.oom_control of '%s'", o->t.dir);
	snprintf(line, sizeof(line), "%d %d", o->fd, ctl);
	r = cgroup_set(&o->t, "cgroup.event_control", line, "memory", err);
	return r < 0 ? r : 0;
}

static int register_v2(struct cgroup_oom *o, struct berr **err)
{
	_cleanup_free_ char *path = NULL;

	o->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (o->fd < 0)
		return berr_sys(err, errno, "creating an inotify instance");
	if (asprintf(&path, "%s/memory.events", o->t.dir) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	if (inotify_add_watch(o->fd, path, IN_MODIFY) < 0)
		return berr_sys(err, errno, "watching '%s'", path);
	return 0;
}

int cgroup_oom_open(struct cgroup_manager *m, struct cgroup_oom **ret, struct berr **err)
{
	struct cgroup_oom *o = calloc(1, sizeof(*o));
	int r;

	if (!o)
		return berr_set(err, ENOMEM, "out of memory");
	o->fd = -1;
	r = cgroup_target_open(m, CG_MEMORY, false, &o->t, err);
	if (r >= 0)
		r = o->t.v2 ? register_v2(o, err) : register_v1(o, err);
	if (r < 0) {
		cgroup_oom_free(o);
		return r;
	}
	if (oom_count(o, &o->base) < 0)
		o->base = 0; /* an old kernel without the counter: the eventfd alone counts */
	*ret = o;
	return 0;
}

int cgroup_oom_fd(const struct cgroup_oom *o)
{
	return o->fd;
}

int cgroup_oom_read(struct cgroup_oom *o, uint64_t *ret_new)
{
	uint64_t count = 0, total;
	char buf[4096];
	ssize_t n;

	*ret_new = 0;
	/* The eventfd also fires when the cgroup goes: look at the cgroup first. */
	if (oom_count(o, &count) < 0 && faccessat(o->t.fd, "cgroup.procs", F_OK, 0) < 0)
		return -ENOENT;
	while ((n = read(o->fd, buf, sizeof(buf))) > 0)
		if (!o->t.v2 && n == sizeof(uint64_t))
			o->wakes += *(uint64_t *) (void *) buf;
	count = count > o->base ? count - o->base : 0;
	total = count > o->wakes ? count : o->wakes;
	if (total > o->reported)
		*ret_new = total - o->reported;
	o->reported = total;
	return 0;
}

struct cgroup_oom *cgroup_oom_free(struct cgroup_oom *o)
{
	if (!o)
		return NULL;
	if (o->fd >= 0)
		(void) close(o->fd);
	cgroup_target_done(&o->t);
	free(o);
	return NULL;
}
