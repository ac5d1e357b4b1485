/* SPDX-License-Identifier: Apache-2.0 */
/* state, kill, delete and list. */
#include "runtime/lifecycle/lifecycle.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/lifecycle/lifecycle_cgroup.h"
#include "runtime/lifecycle/lifecycle_hooks.h"
#include "runtime/lifecycle/state.h"

/* How long delete --force waits for a killed init to go. */
#define KILL_WAIT_MS 10000

static int with_cgroup(const struct container_state *st, struct cgroup_manager **ret,
		       struct berr **err)
{
	*ret = NULL;
	if (!st->cgroup_path || !st->cgroup_created)
		return 0;
	return cgroup_manager_new(st->cgroup_path, ret, err);
}

int lifecycle_state(const struct runtime_opts *ro, const char *id, char **ret_json,
		    struct berr **err)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_state_ struct container_state *st = NULL;
	int r;

	r = state_open_container(ro->root, id, false, NULL, &dirfd, &st, err);
	if (r < 0)
		return r;
	*ret_json = state_to_json(st, state_status(st), true);
	return *ret_json ? 0 : berr_set(err, ENOMEM, "out of memory");
}

/* A pidfd for st->pid that is verified to be the init we started (not a reused pid). */
static int open_init_pidfd(const struct container_state *st)
{
	int fd = (int) syscall(SYS_pidfd_open, st->pid, 0);

	if (fd < 0)
		return -errno;
	if (!state_pid_alive(st)) {
		(void) close(fd);
		return -ESRCH;
	}
	return fd;
}

static int signal_init(const struct container_state *st, int sig)
{
	_cleanup_close_ int pidfd = open_init_pidfd(st);

	/* No pidfds (before Linux 5.3, valgrind): by pid, its start time checked just now. */
	if (pidfd == -ENOSYS)
		return !state_pid_alive(st) ? -ESRCH : kill(st->pid, sig) < 0 ? -errno : 0;
	if (pidfd < 0)
		return pidfd;
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
		return -errno;
	return 0;
}

int lifecycle_kill(const struct runtime_opts *ro, const char *id, int sig, bool all,
		   struct berr **err)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_state_ struct container_state *st = NULL;
	enum container_status status;
	int r;

	r = state_open_container(ro->root, id, false, NULL, &dirfd, &st, err);
	if (r < 0)
		return r;
	status = state_status(st);
	/*
	 * As runc: --all also reaches what is left in the cgroup of a stopped container (the
	 * containerd shim sends it when the init has exited), and the errors say "container not
	 * running", which containerd and Podman take for "already exited".
	 */
	if (all && st->cgroup_path) {
		struct cgroup_manager *cg = NULL;

		r = with_cgroup(st, &cg, err);
		if (r >= 0 && cg)
			r = cgroup_signal_all(cg, sig, err);
		cgroup_manager_free(cg);
		if (r == -ENOENT && status == STATUS_STOPPED) {
			berr_clear(err);
			return 0;
		}
		if (r < 0 || cg || status == STATUS_STOPPED)
			return r < 0 ? r : 0;
	}
	if (status != STATUS_CREATED && status != STATUS_RUNNING && status != STATUS_PAUSED)
		return berr_set(err, ESRCH, "cannot kill container '%s': container not running",
				id);
	log_debug("container '%s': signal %d to init %d", id, sig, (int) st->pid);
	r = signal_init(st, sig);
	if (r == -ESRCH)
		return berr_set(err, ESRCH, "cannot kill container '%s': container not running",
				id);
	if (r < 0)
		return berr_sys(err, -r, "sending signal %d to container '%s'", sig, id);
	return 0;
}

/* kill_and_wait without pidfds: by pid, then polling its start time. */
static int kill_and_poll(const struct container_state *st, struct berr **err)
{
	if (state_pid_alive(st) && kill(st->pid, SIGKILL) < 0 && errno != ESRCH)
		return berr_sys(err, errno, "killing the init of '%s'", st->id);
	for (int waited = 0; state_pid_alive(st); waited += 10) {
		if (waited >= KILL_WAIT_MS)
			return berr_set(err, ETIMEDOUT,
					"the init of '%s' did not exit after SIGKILL", st->id);
		(void) usleep(10000);
	}
	return 0;
}

/* Kill the init and wait (bounded) until it has exited. */
static int kill_and_wait(const struct container_state *st, struct berr **err)
{
	_cleanup_close_ int pidfd = open_init_pidfd(st);
	struct pollfd pfd;
	int r;

	/* pid 0: create died before it cloned the init (or -ESRCH: the init is gone). */
	if (st->pid <= 0 || pidfd == -ESRCH)
		return 0;
	if (pidfd == -ENOSYS)
		return kill_and_poll(st, err);
	if (pidfd < 0)
		return berr_sys(err, -pidfd, "opening the init of '%s'", st->id);
	if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
		return berr_sys(err, errno, "killing the init of '%s'", st->id);
	pfd = (struct pollfd){.fd = pidfd, .events = POLLIN};
	do
		r = poll(&pfd, 1, KILL_WAIT_MS);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return berr_set(err, ETIMEDOUT, "the init of '%s' did not exit after SIGKILL",
				st->id);
	return 0;
}

/* Undo create: what the container was given on the host goes, then its state. */
static int destroy(int rootfd, const struct container_state *st, struct berr **err)
{
	struct cgroup_manager *cg = NULL;
	int r = with_cgroup(st, &cg, err);

	if (r >= 0 && cg)
		r = cg->ops->destroy(cg, err);
	cgroup_manager_free(cg);
	if (r < 0)
		return r;
	r = state_dir_remove(rootfd, st->id);

	if (r < 0)
		return berr_sys(err, -r, "removing the state of '%s'", st->id);
	return 0;
}

int lifecycle_delete(const struct runtime_opts *ro, const char *id, bool force, struct berr **err)
{
	_cleanup_close_ int rootfd = -1, dirfd = -1;
	_cleanup_state_ struct container_state *st = NULL;
	_cleanup_spec_ struct spec *saved = NULL;
	enum container_status status;
	int r;

	log_debug("container '%s': delete%s", id, force ? " --force" : "");
	r = state_open_container(ro->root, id, true, &rootfd, &dirfd, NULL, err);
	if (r == -ENOENT && force) {
		berr_clear(err);
		return 0; /* as runc: nothing to delete is not an error with --force */
	}
	if (r < 0)
		return r;
	r = state_load(dirfd, &st, err);
	if (r == -ENOENT && force) {
		/* Create died before writing any state: nothing ran. */
		berr_clear(err);
		r = state_dir_remove(rootfd, id);
		return r < 0 ? berr_sys(err, -r, "removing the state of '%s'", id) : 0;
	}
	if (r < 0)
		return r;
	status = state_status(st);
	/*
	 * A created container is killed and deleted without --force, as runc does:
	 * containerd deletes containers whose start failed this way.
	 */
	if (status == STATUS_RUNNING || status == STATUS_PAUSED || status == STATUS_CREATING) {
		if (!force)
			return berr_set(err, EBUSY,
					"cannot delete container '%s': it is %s (use --force)", id,
					status_name(status));
	}
	if (status == STATUS_PAUSED)
		lifecycle_cgroup_kill_paused(st);
	if (status != STATUS_STOPPED) {
		r = kill_and_wait(st, err);
		if (r < 0)
			return r;
	}
	/* Read before the state dir goes: poststop runs once the container is gone. */
	r = lifecycle_saved_config(dirfd, "\"poststop\"", &saved, err);
	if (r < 0 && ro->warn && *err) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s: poststop hooks not run", (*err)->msg);
		ro->warn(msg);
	}
	berr_clear(err);
	r = destroy(rootfd, st, err);
	if (r < 0)
		return r;
	lifecycle_poststop(saved, st, ro->warn);
	return 0;
}

static int list_filter(const struct dirent *de)
{
	return de->d_type == DT_DIR && state_id_valid(de->d_name);
}

static int list_compare(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void free_names(struct dirent **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int lifecycle_list(const struct runtime_opts *ro, list_fn cb, void *userdata, struct berr **err)
{
	_cleanup_close_ int rootfd = -1;
	struct dirent **names = NULL;
	int r = 0, n;

	r = state_root_open(ro->root, false, &rootfd, err);
	if (r == -ENOENT) {
		berr_clear(err);
		return 0;
	}
	if (r < 0)
		return r;
	/* Sorted by id, byte by byte, as runc lists them. */
	n = scandirat(rootfd, ".", &names, list_filter, list_compare);
	if (n < 0)
		return berr_sys(err, errno, "listing '%s'", ro->root);
	for (int i = 0; i < n && r >= 0; i++) {
		_cleanup_close_ int cfd = -1;
		_cleanup_state_ struct container_state *st = NULL;

		cfd = openat(rootfd, names[i]->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cfd < 0 || state_load(cfd, &st, NULL) < 0)
			continue; /* being created or deleted right now */
		r = cb(st, state_status(st), userdata);
	}
	free_names(names, n);
	return r < 0 ? r : 0;
}
