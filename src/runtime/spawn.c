/* SPDX-License-Identifier: Apache-2.0 */
/* Cloning the container's init (the parent's side of container_init). */
#include "runtime/container.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "runtime/sync.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* cache: clone3 is missing (kernel < 5.3). */
static bool no_clone3;

pid_t spawn_clone(uint64_t flags, int cgroup_fd, bool *ret_into_cgroup)
{
	struct clone_args args;
	long pid;

	if (!no_clone3) {
		memset(&args, 0, sizeof(args));
		args.flags = flags | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0);
		args.exit_signal = SIGCHLD;
		args.cgroup = cgroup_fd >= 0 ? (uint64_t) cgroup_fd : 0;
		pid = syscall(SYS_clone3, &args, sizeof(args));
		/* A cgroup whose pids.max is 0 takes no new task, but a moved one (as runc). */
		if (pid < 0 && errno == EAGAIN && cgroup_fd >= 0)
			return spawn_clone(flags, -1, ret_into_cgroup);
		if (pid >= 0 || errno != ENOSYS) {
			*ret_into_cgroup = cgroup_fd >= 0;
			return (pid_t) pid;
		}
		no_clone3 = true;
	}
	/* fork-like clone: the child runs on a copy of our stack; the caller then moves it
	 * into its cgroup (cgroup_fd is ignored here). */
	*ret_into_cgroup = false;
	return (pid_t) syscall(SYS_clone, (unsigned long) flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

int container_spawn(struct container_ctx *c, pid_t *ret_pid, struct berr **err)
{
	_cleanup_close_ int own_pidns = -1;
	bool into_cgroup = false;
	sigset_t none;
	pid_t pid;

	/*
	 * Joining a pid namespace only affects children: do it here, before clone, and
	 * go back after it, so that our later children (LeakSanitizer's tracer at exit)
	 * do not land in the container's pid namespace.
	 */
	if (c->ns_fds[NS_PID] >= 0) {
		own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		if (setns(c->ns_fds[NS_PID], CLONE_NEWPID) < 0)
			return berr_sys(err, errno, "joining pid namespace");
		(void) close(c->ns_fds[NS_PID]);
		c->ns_fds[NS_PID] = -1;
	}
	pid = spawn_clone((uint64_t) c->clone_flags, c->cgroup_fd, &into_cgroup);
	if (pid != 0 && own_pidns >= 0)
		(void) setns(own_pidns, CLONE_NEWPID);
	if (!into_cgroup)
		c->cgroup_fd = -1; /* not cloned into it: the cgroup manager moves the init */
	if (pid < 0)
		return berr_sys(err, errno, "creating the container's init (clone)");
	if (pid == 0) {
		/*
		 * The state dir holds the container's flock: a copy in the init would keep
		 * it locked for as long as the container lives.
		 */
		(void) close(c->parent_sync_fd);
		if (own_pidns >= 0)
			(void) close(own_pidns);
		for (size_t i = 0; i < 2; i++)
			if (c->parent_only_fds[i] >= 0)
				(void) close(c->parent_only_fds[i]);
		sigemptyset(&none);
		(void) sigprocmask(SIG_SETMASK, &none, NULL);
		container_init(c);
	}
	*ret_pid = pid;
	return 0;
}
