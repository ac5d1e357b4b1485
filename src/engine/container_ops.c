/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/container_ops.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/container_create.h"
#include "engine/container_network.h"
#include "engine/container_runtime.h"
#include "engine/events.h"
#include "engine/proc.h"
#include "engine/units.h"
#include "image/snapshot.h"
#include "lib/cleanup.h"
#include "lib/crashpoint.h"

#define MONITOR_WAIT_MS 30000

bool container_active(const struct container *c)
{
	return c->st.status == STATUS_RUNNING || c->st.status == STATUS_PAUSED ||
	       c->st.status == STATUS_RESTARTING;
}

bool container_still_active(struct engine *e, const char *id)
{
	_cleanup_container_ struct container *c = NULL;

	if (container_load(e, id, false, &c, NULL) < 0)
		return false;
	return container_active(c) && container_monitor_alive(c);
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Take the lock again: 1, or 0 when the container was removed meanwhile (a --rm
 * container's monitor removes it when it exits; it is then as good as exited).
 */
static int relock_or_gone(struct container *c, struct berr **err)
{
	_cleanup_berr_ struct berr *e = NULL;
	int r = container_relock(c, &e);

	if (r == -ENOENT) {
		c->st.status = STATUS_EXITED;
		return 0;
	}
	if (r < 0 && err)
		*err = TAKE_PTR(e);
	return r < 0 ? r : 1;
}

int container_wait_exit(struct engine *e, struct container *c, int timeout_ms, struct berr **err)
{
	int64_t end = timeout_ms < 0 ? INT64_MAX : mono_ms() + timeout_ms;
	int r;

	for (;;) {
		_cleanup_close_ int pidfd = -1;

		if ((r = container_refresh(e, c, err)) < 0)
			return r;
		if (!container_active(c))
			return 0;
		pidfd = proc_pidfd(c->st.monitor_pid, c->st.monitor_start);
		container_unlock(c);
		if (pidfd >= 0) {
			int64_t left = end - mono_ms();

			(void) proc_wait_pidfd(pidfd,
					       left > INT32_MAX ? -1 : (int) (left > 0 ? left : 0));
		} else
			usleep(20000);
		if ((r = relock_or_gone(c, err)) <= 0)
			return r;
		if (!container_active(c))
			return 0;
		if (mono_ms() >= end)
			return berr_set(err, ETIMEDOUT, "container %.12s did not exit", c->cfg->id);
	}
}

static int signal_of(const struct container *c)
{
	int sig = SIGTERM;

	if (c->cfg->stop_signal)
		(void) units_parse_signal(c->cfg->stop_signal, &sig, NULL);
	return sig;
}

/* Wait at most ms for the init to exit (without the lock). 1: gone. */
static int wait_init(struct container *c, int64_t ms)
{
	_cleanup_close_ int fd = proc_pidfd(c->st.pid, c->st.pid_start);

	if (fd < 0)
		return 1;
	return proc_wait_pidfd(fd, ms > INT32_MAX ? INT32_MAX : (int) ms);
}

/* docker's "kill" event, with the signal's number, before the signal goes */
static void emit_kill(struct engine *e, const struct container *c, int sig)
{
	char num[16];

	snprintf(num, sizeof(num), "%d", sig);
	(void) events_container(e->root, c->cfg, "kill", "signal", num);
}

int container_stop(struct engine *e, struct container *c, int64_t timeout, struct berr **err)
{
	struct container_rt rt;
	bool paused;
	int r;

	if ((r = container_refresh(e, c, err)) < 0)
		return r;
	if (c->st.status == STATUS_CREATED) {
		/*
		 * Perhaps `run` is creating or starting it: the request stands, so that it does
		 * not run after this stop returned (container_start, the monitor).
		 */
		c->st.manually_stopped = true;
		(void) container_save_state(c, NULL);
		return 0;
	}
	if (!container_active(c))
		return 0;
	if (timeout < 0)
		timeout = container_stop_timeout(c->cfg);
	c->st.manually_stopped = true;
	/* signal even when the state cannot be written: on a full disk the container is the cure */
	(void) container_save_state(c, NULL);
	if (container_rt_init(e, c, &rt) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	paused = c->st.status == STATUS_PAUSED;
	container_unlock(c);
	if (c->st.pid > 0) {
		emit_kill(e, c, signal_of(c));
		(void) runtime_kill(&rt.rt, c->cfg->id, signal_of(c), false, NULL);
		if (paused)
			(void) runtime_resume(&rt.rt, c->cfg->id, NULL);
		if (wait_init(c, timeout * 1000) != 1) {
			emit_kill(e, c, SIGKILL);
			(void) runtime_kill(&rt.rt, c->cfg->id, SIGKILL, false, NULL);
		}
	}
	container_rt_done(&rt);
	if ((r = relock_or_gone(c, err)) <= 0)
		return r;
	if ((r = container_wait_exit(e, c, MONITOR_WAIT_MS, err)) >= 0)
		(void) events_container(e->root, c->cfg, "stop", NULL, NULL);
	return r;
}

int container_kill(struct engine *e, struct container *c, int sig, struct berr **err)
{
	struct container_rt rt;
	int r;

	if ((r = container_refresh(e, c, err)) < 0)
		return r;
	if (c->st.status != STATUS_RUNNING && c->st.status != STATUS_PAUSED)
		return berr_set(err, EINVAL,
				"Cannot kill container: %s: container %s is not running",
				c->cfg->name, c->cfg->id);
	if (sig == SIGKILL || sig == signal_of(c)) {
		c->st.manually_stopped = true;
		(void) container_save_state(c, NULL);
	}
	if (container_rt_init(e, c, &rt) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	emit_kill(e, c, sig);
	r = runtime_kill(&rt.rt, c->cfg->id, sig, false, err);
	container_rt_done(&rt);
	return r;
}

/* The directory out of its place first (atomically), then the name: never two rows, one name. */
static int remove_dir_and_name(struct engine *e, struct container *c, struct berr **err)
{
	int r = container_dir_remove(e, c->cfg->id, err);

	crashpoint("rm-dir");
	if (r >= 0) {
		container_name_release_all(e, c->cfg->id);
		/* a kill before this leaves a stale address: the next allocation drops it */
		container_network_release(e, c->cfg);
		(void) events_container(e->root, c->cfg, "destroy", NULL, NULL);
	}
	return r;
}

/*
 * A dead container's files do not say what it runs: kill and delete by what the runtime
 * knows (delete --force kills), unmount whatever is mounted, remove the rest.
 */
static int remove_dead(struct engine *e, struct image_store *s, struct container *c,
		       struct berr **err)
{
	struct container_rt rt;
	int r;

	if (c->cfg->runtime_path && container_rt_init(e, c, &rt) >= 0) {
		(void) runtime_delete(&rt.rt, c->cfg->id, true, NULL);
		container_rt_done(&rt);
	}
	if ((r = container_release_mounts(c, err)) < 0 ||
	    (r = image_snapshot_remove(s, c->cfg->id, err)) < 0)
		return r;
	return remove_dir_and_name(e, c, err);
}

int container_remove(struct engine *e, struct image_store *s, struct container *c, bool force,
		     bool volumes, struct berr **err)
{
	int r;

	if (c->st.status == STATUS_DEAD)
		return remove_dead(e, s, c, err);
	/* a state write that fails (a full disk) must not keep rm from freeing the space */
	(void) container_refresh(e, c, NULL);
	if (container_active(c)) {
		if (!force)
			return berr_set(
				err, EBUSY,
				"cannot remove container \"/%s\": container is %s: stop the "
				"container before removing or force remove",
				c->cfg->name, c->st.status == STATUS_PAUSED ? "paused" : "running");
		c->st.manually_stopped = true;
		(void) container_save_state(c, NULL);
		if (c->st.status == STATUS_PAUSED) {
			struct container_rt rt;

			if (container_rt_init(e, c, &rt) >= 0) {
				(void) runtime_kill(&rt.rt, c->cfg->id, SIGKILL, false, NULL);
				(void) runtime_resume(&rt.rt, c->cfg->id, NULL);
				container_rt_done(&rt);
			}
		}
		if ((r = container_stop(e, c, 0, err)) < 0 && r != -ENOSPC && r != -EDQUOT)
			return r;
	}
	if (!c->st.cleaned && container_cleanup(e, c, NULL) < 0) {
		/* a cgroup can be busy for a moment after its last process died: once more */
		usleep(100000);
		if ((r = container_cleanup(e, c, err)) < 0)
			return r;
	}
	crashpoint("rm-cleaned");
	if ((r = container_release_mounts(c, err)) < 0 ||
	    (r = image_snapshot_remove(s, c->cfg->id, err)) < 0)
		return r;
	crashpoint("rm-snapshot");
	if (volumes)
		container_remove_anonymous_volumes(e, c->cfg);
	/* with the lock held: a command waiting for it then finds the container gone */
	return remove_dir_and_name(e, c, err);
}

int container_pause(struct engine *e, struct container *c, bool pause, struct berr **err)
{
	struct container_rt rt;
	int r;

	if ((r = container_refresh(e, c, err)) < 0)
		return r;
	if (pause && c->st.status != STATUS_RUNNING)
		return berr_set(err, EINVAL, "container %s is not running", c->cfg->id);
	if (!pause && c->st.status != STATUS_PAUSED)
		return berr_set(err, EINVAL, "container %s is not paused", c->cfg->id);
	if (container_rt_init(e, c, &rt) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	r = pause ? runtime_pause(&rt.rt, c->cfg->id, err)
		  : runtime_resume(&rt.rt, c->cfg->id, err);
	container_rt_done(&rt);
	if (r < 0)
		return r;
	c->st.status = pause ? STATUS_PAUSED : STATUS_RUNNING;
	(void) events_container(e->root, c->cfg, pause ? "pause" : "unpause", NULL, NULL);
	return container_save_state(c, err);
}
