/* SPDX-License-Identifier: Apache-2.0 */
/* update, pause, resume, ps and events: operations on a container's cgroup. */
#include "runtime/lifecycle/lifecycle_cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/cgroup/cgroup_oom.h"
#include "runtime/lifecycle/state.h"

static inline void cgroup_managerp(struct cgroup_manager **m)
{
	*m = cgroup_manager_free(*m);
}
#define _cleanup_cgroup_ __attribute__((cleanup(cgroup_managerp)))

/* The container's cgroup manager; -ENOENT when berth did not make a cgroup for it. */
static int open_cgroup(const struct runtime_opts *ro, const struct container_state *st,
		       struct cgroup_manager **ret, struct berr **err)
{
	int r;

	if (!st->cgroup_path || !st->cgroup_created)
		return berr_set(err, ENOENT, "container '%s' has no cgroup", st->id);
	r = cgroup_manager_new(st->cgroup_path, ret, err);
	if (r >= 0)
		(*ret)->warn = ro->warn;
	return r;
}

/* Open id locked, and check its status is one of those allowed (a bitmask). */
static int open_checked(const struct runtime_opts *ro, const char *id, bool exclusive,
			unsigned allowed, const char *verb, int *ret_dirfd,
			struct container_state **ret_st, struct berr **err)
{
	enum container_status status;
	int r;

	r = state_open_container(ro->root, id, exclusive, NULL, ret_dirfd, ret_st, err);
	if (r < 0)
		return r;
	status = state_status(*ret_st);
	if (!(allowed & (1u << status)))
		return berr_set(err, EINVAL, "cannot %s container '%s': it is %s", verb, id,
				status_name(status));
	return 0;
}

#define LIVE ((1u << STATUS_CREATED) | (1u << STATUS_RUNNING) | (1u << STATUS_PAUSED))

/*
 * memory.checkBeforeUpdate is a setting of the container, not of one update: when the
 * update does not say, the bundle's config.json does (unreadable: not set).
 */
static struct opt_bool check_before_update(const struct container_state *st,
					   const struct spec_resources *r)
{
	_cleanup_close_ int bundle = -1;
	_cleanup_spec_ struct spec *s = NULL;

	if (r->memory.check_before_update.set || !r->memory.limit.set || !st->bundle)
		return r->memory.check_before_update;
	bundle = open(st->bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (bundle < 0 || oci_config_load(bundle, &s, NULL, NULL, NULL) < 0)
		return r->memory.check_before_update;
	return s->linux.resources.memory.check_before_update;
}

int lifecycle_update(const struct runtime_opts *ro, const char *id, const struct spec_resources *r,
		     struct berr **err)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_state_ struct container_state *st = NULL;
	_cleanup_cgroup_ struct cgroup_manager *m = NULL;
	struct spec_resources merged;
	int ret;

	if ((ret = open_checked(ro, id, true, LIVE, "update", &dirfd, &st, err)) < 0 ||
	    (ret = open_cgroup(ro, st, &m, err)) < 0)
		return ret;
	merged = *r; /* shallow: only a flag changes */
	merged.memory.check_before_update = check_before_update(st, r);
	return cgroup_update(m, &merged, err);
}

int lifecycle_pause(const struct runtime_opts *ro, const char *id, struct berr **err)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_state_ struct container_state *st = NULL;
	_cleanup_cgroup_ struct cgroup_manager *m = NULL;
	int r;

	if ((r = open_checked(ro, id, true, (1u << STATUS_CREATED) | (1u << STATUS_RUNNING),
			      "pause", &dirfd, &st, err)) < 0 ||
	    (r = open_cgroup(ro, st, &m, err)) < 0 || (r = cgroup_freeze(m, true, err)) < 0)
		return r;
	st->phase = STATUS_PAUSED;
	return state_save(dirfd, st, err);
}

int lifecycle_resume(const struct runtime_opts *ro, const char *id, struct berr **err)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_state_ struct container_state *st = NULL;
	_cleanup_cgroup_ struct cgroup_manager *m = NULL;
	int r;

	if ((r = open_checked(ro, id, true, 1u << STATUS_PAUSED, "resume", &dirfd, &st, err)) < 0 ||
	    (r = open_cgroup(ro, st, &m, err)) < 0 || (r = cgroup_freeze(m, false, err)) < 0)
		return r;
	/* The exec fifo stays until `start`: a paused created container is created again. */
	st->phase = faccessat(dirfd, STATE_FIFO, F_OK, AT_SYMLINK_NOFOLLOW) == 0 ? STATUS_CREATED
										 : STATUS_RUNNING;
	return state_save(dirfd, st, err);
}

int lifecycle_pids(const struct runtime_opts *ro, const char *id, pid_t **ret, size_t *ret_n,
		   struct berr **err)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_state_ struct container_state *st = NULL;
	_cleanup_cgroup_ struct cgroup_manager *m = NULL;
	int r;

	if ((r = state_open_container(ro->root, id, false, NULL, &dirfd, &st, err)) < 0 ||
	    (r = open_cgroup(ro, st, &m, err)) < 0)
		return r;
	r = m->ops->procs(m, ret, ret_n, err);
	if (r == -ENOENT) { /* the cgroup is gone: no process */
		berr_clear(err);
		*ret = NULL;
		*ret_n = 0;
		return 0;
	}
	return r;
}

void lifecycle_cgroup_kill_paused(const struct container_state *st)
{
	struct cgroup_manager *m = NULL;

	if (!st->cgroup_path || cgroup_manager_new(st->cgroup_path, &m, NULL) < 0)
		return;
	(void) cgroup_signal_all(m, SIGKILL, NULL);
	(void) cgroup_freeze(m, false, NULL);
	cgroup_manager_free(m);
}

static int emit(const char *type, const char *id, struct jwriter *data, event_fn cb, void *userdata,
		struct berr **err)
{
	_cleanup_jw_ struct jwriter *ev = jw_object();
	_cleanup_free_ char *text = NULL;

	jw_str(ev, "type", type);
	jw_str(ev, "id", id);
	if (data)
		jw_put(ev, "data", data);
	text = jw_to_string(ev, false);
	if (!text)
		return berr_set(err, ENOMEM, "out of memory");
	return cb(text, userdata) < 0 ? berr_set(err, EPIPE, "writing the event") : 0;
}

static int emit_stats(struct cgroup_manager *m, const char *id, event_fn cb, void *userdata,
		      struct berr **err)
{
	struct jwriter *data = NULL;
	int r = cgroup_stats(m, &data, err);

	return r < 0 ? r : emit("stats", id, data, cb, userdata, err);
}

static int emit_ooms(struct cgroup_oom *oom, const char *id, event_fn cb, void *userdata,
		     struct berr **err)
{
	uint64_t n = 0;
	int r;

	if (!oom || cgroup_oom_read(oom, &n) < 0)
		return 0;
	for (uint64_t i = 0; i < n; i++)
		if ((r = emit("oom", id, NULL, cb, userdata, err)) < 0)
			return r;
	return 0;
}

/* Is the container still there and not stopped? (The state is read without holding it.) */
static bool still_live(const struct runtime_opts *ro, const char *id)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_state_ struct container_state *st = NULL;

	if (state_open_container(ro->root, id, false, NULL, &dirfd, &st, NULL) < 0)
		return false;
	return state_status(st) != STATUS_STOPPED;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

/* Stats every interval, OOM kills as they come, until the container stops. */
static int stream(const struct runtime_opts *ro, const char *id, struct cgroup_manager *m,
		  uint64_t interval_ns, event_fn cb, void *userdata, struct berr **err)
{
	struct cgroup_oom *oom = NULL;
	uint64_t next = now_ns() + interval_ns;
	int r = 0;

	/* Without a memory controller there is nothing to hear OOM kills from. */
	if (cgroup_oom_open(m, &oom, NULL) < 0)
		oom = NULL;
	while (r >= 0) {
		uint64_t now = now_ns();
		struct pollfd pfd = {.fd = oom ? cgroup_oom_fd(oom) : -1, .events = POLLIN};
		int timeout = now >= next ? 0 : (int) ((next - now + 999999) / 1000000);

		if (poll(&pfd, 1, timeout) < 0 && errno != EINTR) {
			r = berr_sys(err, errno, "waiting for events");
			break;
		}
		if ((r = emit_ooms(oom, id, cb, userdata, err)) < 0 || now_ns() < next)
			continue;
		next += interval_ns;
		if (!still_live(ro, id)) {
			r = emit_ooms(oom, id, cb, userdata, err);
			break;
		}
		r = emit_stats(m, id, cb, userdata, err);
	}
	cgroup_oom_free(oom);
	return r;
}

int lifecycle_events(const struct runtime_opts *ro, const char *id, const struct events_opts *o,
		     event_fn cb, void *userdata, struct berr **err)
{
	_cleanup_cgroup_ struct cgroup_manager *m = NULL;
	_cleanup_state_ struct container_state *st = NULL;
	int dirfd = -1, r;

	r = open_checked(ro, id, false, LIVE, "get the events of", &dirfd, &st, err);
	if (r >= 0)
		r = open_cgroup(ro, st, &m, err);
	/* Not held while streaming: delete must not wait for us. */
	if (dirfd >= 0)
		(void) close(dirfd);
	if (r < 0)
		return r;
	if (o->stats_once)
		return emit_stats(m, id, cb, userdata, err);
	if (o->interval_ns == 0)
		return berr_set(err, EINVAL, "--interval must be above 0");
	return stream(ro, id, m, o->interval_ns, cb, userdata, err);
}
