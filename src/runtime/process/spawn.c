/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cloning the container's init (the parent's side of container_init).
 *
 * Usually one clone3() with every CLONE_NEW* flag makes the init, and the init joins the
 * namespaces given by `path` itself (as root on the host it may). Two cases need an
 * intermediate process first (runc's nsexec has the same stages):
 *
 * - A user namespace joined by `path`: the namespaces the container creates must be
 *   owned by that user namespace, so they must be made after setns(user). And a pid
 *   namespace (joined by path, or new) only applies to the children of the process that
 *   entered it. So the intermediate joins every namespace by path, user first, then
 *   clones the init with the remaining CLONE_NEW* flags: the init is pid 1 of a new pid
 *   namespace, and everything new is owned by the joined user namespace.
 * - A new user namespace together with namespaces joined by path: once inside the new
 *   user namespace the init has no rights over the host's namespaces, so the
 *   intermediate joins them first, with the host's rights, then clones the init with
 *   CLONE_NEWUSER and the rest.
 * - A pid namespace joined by path: setns(pid) would change the pid namespace of every
 *   later child of berth-runtime (the hooks, newuidmap): the intermediate takes it
 *   instead, and the runtime's own namespaces stay untouched.
 *
 * The intermediate clones with CLONE_PARENT, so the init is our child (we reap it and get
 * SIGCHLD for it); it sends the init's pid (in our pid namespace, which the intermediate
 * shares) and exits.
 */
#include "runtime/process/container.h"

#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/signals.h"
#include "runtime/process/sync.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* cache: clone3 is missing (kernel < 5.3). */
static bool no_clone3;

pid_t spawn_clone(uint64_t flags, int cgroup_fd, bool *ret_into_cgroup)
{
	struct clone_args args;
	long pid;

	*ret_into_cgroup = false;
	if (!no_clone3) {
		memset(&args, 0, sizeof(args));
		args.flags = flags | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0);
		/* With CLONE_PARENT the child gets our own exit signal (SIGCHLD). */
		args.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
		args.cgroup = cgroup_fd >= 0 ? (uint64_t) cgroup_fd : 0;
		pid = syscall(SYS_clone3, &args, sizeof(args));
		/* A cgroup whose pids.max is 0 takes no new task, but a moved one (as runc). */
		if (pid < 0 && errno == EAGAIN && cgroup_fd >= 0)
			return spawn_clone(flags, -1, ret_into_cgroup);
		if (pid >= 0 || errno != ENOSYS) {
			*ret_into_cgroup = pid >= 0 && cgroup_fd >= 0;
			return (pid_t) pid;
		}
		no_clone3 = true;
	}
	/* fork-like clone: the child runs on a copy of our stack; the caller then moves it
	 * into its cgroup (cgroup_fd is ignored here). */
	return (pid_t) syscall(SYS_clone, (unsigned long) flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

static bool needs_intermediate(const struct container_ctx *c)
{
	bool other_paths = false;

	for (int t = 0; t < _NS_TYPE_MAX; t++)
		if (t != NS_USER && c->ns_fds[t] >= 0)
			other_paths = true;
	if (c->ns_fds[NS_USER] >= 0 || c->ns_fds[NS_PID] >= 0)
		return true;
	return (c->clone_flags & CLONE_NEWUSER) && other_paths;
}

static void close_parent_fds(struct container_ctx *c)
{
	int *fds[] = {&c->parent_sync_fd, &c->parent_only_fds[0], &c->parent_only_fds[1]};

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] >= 0) {
			(void) close(*fds[i]);
			*fds[i] = -1;
		}
}

/* In the child of clone: drop what only the parent may hold, then become the init. */
static _Noreturn void become_init(struct container_ctx *c)
{
	struct berr *err = NULL;

	/*
	 * The state dir holds the container's flock: a copy in the init would keep it
	 * locked for as long as the container lives.
	 */
	close_parent_fds(c);
	if (cgroup_join_self(&c->cgj, &err) < 0) {
		/* Where the parent reads the init's errors: after SYNC_GO (it writes first). */
		(void) sync_expect(c->sync_fd, SYNC_GO, NULL, 0, NULL, NULL);
		sync_send_error(c->sync_fd, err);
		_exit(127);
	}
	signals_reset_for_exec();
	container_init(c);
}

static _Noreturn void intermediate(struct container_ctx *c)
{
	struct berr *err = NULL;
	bool into_cgroup;
	pid_t pid;

	(void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	close_parent_fds(c);
	/* enum order: user first (it grants the rights for the others), mount last. */
	if (namespaces_join(c->ns_fds, ~0u, &err) < 0)
		goto fail;
	pid = spawn_clone((uint64_t) c->clone_flags | CLONE_PARENT, -1, &into_cgroup);
	if (pid < 0) {
		berr_sys(&err, errno, "creating the container's init (clone)");
		goto fail;
	}
	if (pid == 0)
		become_init(c);
	if (sync_send(c->sync_fd, SYNC_PID, &pid, sizeof(pid)) < 0)
		(void) kill(pid, SIGKILL);
	_exit(0);
fail:
	sync_send_error(c->sync_fd, err);
	_exit(1);
}

/* The intermediate's report: the init's pid, or its error. Reaps the intermediate. */
static int wait_intermediate(struct container_ctx *c, pid_t mid, pid_t *ret_pid, struct berr **err)
{
	char buf[SYNC_MAX_PAYLOAD];
	pid_t pid = 0;
	size_t len = 0;
	int r;

	/* The whole buffer: an error message is longer than a pid. */
	r = sync_expect(c->parent_sync_fd, SYNC_PID, buf, sizeof(buf), &len, err);
	while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
		;
	if (r < 0)
		return r;
	if (len == sizeof(pid))
		memcpy(&pid, buf, sizeof(pid));
	if (pid <= 0)
		return berr_set(err, EPROTO, "sync: bad pid from the intermediate process");
	*ret_pid = pid;
	return 0;
}

int container_spawn(struct container_ctx *c, pid_t *ret_pid, struct berr **err)
{
	bool two_stage = needs_intermediate(c), into_cgroup;
	pid_t pid;

	/* A child in a new user namespace or an intermediate's is moved by the manager. */
	if (two_stage || (c->clone_flags & CLONE_NEWUSER))
		cgroup_join_done(&c->cgj);
	c->cgj_used = c->cgj.n > 0;
	pid = spawn_clone(two_stage ? 0 : (uint64_t) c->clone_flags, c->cgroup_fd, &into_cgroup);
	if (pid != 0)
		cgroup_join_done(&c->cgj);
	if (pid < 0)
		c->cgj_used = false;
	if (!into_cgroup)
		c->cgroup_fd = -1; /* not cloned into it: the cgroup manager moves the init */
	if (pid < 0)
		return berr_sys(err, errno, "creating the container's init (clone)");
	if (pid == 0) {
		if (two_stage)
			intermediate(c);
		become_init(c);
	}
	if (two_stage)
		return wait_intermediate(c, pid, ret_pid, err);
	*ret_pid = pid;
	return 0;
}
