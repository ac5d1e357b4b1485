/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The processes `exec` starts, between clone and execve, in two steps as runc's nsexec:
 *
 * - the intermediate, berth-runtime's clone, in its pid namespace: it joins the container's
 *   cgroup, writes the LSM exec labels through the host's /proc, becomes non-dumpable,
 *   joins every namespace of the init (user first, mount and pid included: setns(pid)
 *   only applies to its children), and clones the process;
 * - the process, born in the container's pid namespace already inside all its other
 *   namespaces, with the container's root and cwd (setns(mnt) set them in the
 *   intermediate) and not dumpable: a process of the container that sees it appear (with
 *   CAP_SYS_PTRACE, or with kill) never sees the host's root through /proc/PID/root.
 *   It sets up the rest and execs.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/signals.h"
#include "lib/strv.h"
#include "runtime/process/affinity.h"
#include "runtime/process/container.h"
#include "runtime/lifecycle/exec.h"
#include "runtime/lifecycle/exec_internal.h"
#include "runtime/security/keyring.h"
#include "runtime/process/namespaces.h"
#include "runtime/process/process.h"
#include "runtime/process/rlimits.h"
#include "runtime/process/sync.h"
#include "runtime/process/terminal.h"

/* Kernels before 5.8 take only namespace fds: open the init's, one type at a time. */
static int join_by_fds(const struct exec_ctx *x, struct berr **err)
{
	int fds[_NS_TYPE_MAX];
	int r;

	for (int t = 0; t < _NS_TYPE_MAX; t++) {
		char path[64];

		fds[t] = -1;
		if (!(x->ns_flags & ns_info[t].clone_flag))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int) x->init_pid,
			 ns_info[t].proc_name);
		fds[t] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[t] < 0) {
			r = berr_sys(err, errno, "opening '%s'", path);
			namespaces_close(fds);
			return r;
		}
	}
	/* The fds are of the init only if it is still the process the pidfd names. */
	if (syscall(SYS_pidfd_send_signal, x->init_pidfd, 0, NULL, 0) < 0) {
		r = berr_sys(err, errno, "the container's init is gone");
		namespaces_close(fds);
		return r;
	}
	r = namespaces_join(fds, ~0u, err);
	namespaces_close(fds);
	return r;
}

/*
 * All of the init's namespaces at once through its pidfd (Linux 5.8): the kernel joins
 * the user namespace first and checks every step with the credentials it gives (so a
 * rootless runtime may join the pid namespace its user namespace owns). The pid namespace
 * applies to our children only: the process we clone next.
 */
static int join_namespaces(const struct exec_ctx *x, struct berr **err)
{
	if (!x->ns_flags)
		return 0;
	if (setns(x->init_pidfd, x->ns_flags) == 0)
		return 0;
	if (errno != EINVAL)
		return berr_sys(err, errno, "joining the namespaces of the container's init");
	return join_by_fds(x, err);
}

/* As runc: a missing cwd is an error for exec (the init creates its own). */
static int check_cwd(const struct spec_process *p, struct berr **err)
{
	struct stat st;

	if (stat(p->cwd, &st) < 0 && errno == ENOENT)
		return berr_set(err, ENOENT, "cwd '%s' does not exist in the container", p->cwd);
	return 0;
}

static int oom_score_adj(const struct exec_ctx *x, struct berr **err)
{
	/* Container-wide in runc: the process's own value if it has one, else the config's. */
	if (x->process->oom_score_adj.set)
		return process_set_oom_score_adj(0, x->process, err);
	return process_set_oom_score_adj(0, x->config->process ? x->config->process : x->process,
					 err);
}

/*
 * The intermediate's steps, up to setns. The LSM exec labels go through the host's /proc,
 * before we join the container's mount namespace, whose /proc the container controls
 * (CVE-2019-16884); the clone inherits them (AppArmor's task context and SELinux's
 * credentials carry the exec label) and its oom_score_adj. Rootless, berth-runtime stays
 * dumpable (security.c says why): drop it here, before any of the container's
 * namespaces, so that the process is born non-dumpable.
 */
static int enter(struct exec_ctx *x, struct berr **err)
{
	int r;

	r = sync_expect(x->sync_fd, SYNC_GO, NULL, 0, NULL, err);
	if (r < 0)
		return r;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return berr_sys(err, errno, "making the process non-dumpable");
	if ((r = security_set_labels(x->process, err)) < 0 || (r = oom_score_adj(x, err)) < 0)
		return r;
	return join_namespaces(x, err);
}

/*
 * The process's steps up to the identity switch, inside the container's namespaces.
 * *ret_host_pid is its pid in berth-runtime's pid namespace, which comes with SYNC_GO.
 */
static int setup(struct exec_ctx *x, char **ret_path, char ***ret_env, int *ret_host_pid,
		 struct berr **err)
{
	const struct spec_process *p = x->process;
	bool in_userns = x->ns_flags & CLONE_NEWUSER;
	pid_t pid = 0;
	size_t len = 0;
	int r;

	r = sync_expect(x->sync_fd, SYNC_GO, &pid, sizeof(pid), &len, err);
	if (r < 0)
		return r;
	if (len != sizeof(pid) || pid <= 0)
		return berr_set(err, EPROTO, "sync: no pid from berth-runtime");
	*ret_host_pid = (int) pid;
	if (setsid() < 0)
		return berr_sys(err, errno, "creating a session (setsid)");
	if ((x->join_keyring && (r = keyring_join_session(x->id, false, in_userns, err)) < 0) ||
	    (r = rlimits_apply(p->rlimits, p->n_rlimits, err)) < 0 || (r = check_cwd(p, err)) < 0 ||
	    (p->terminal &&
	     (r = terminal_setup(x->console_fd, p, -1, x->console_proxied, err)) < 0) ||
	    (r = process_prepare_exec(p, ret_path, ret_env, err)) < 0)
		return r;
	return 0;
}

/*
 * The last steps, after the runtime's fds are closed: the final CPU affinity (in the
 * container's cgroup now, whose cpuset may have changed it), then the container's
 * seccomp filter with the user and capabilities (the same call as the init's). For the
 * listener the exec'd process belongs to a running container, as in runc.
 */
static int finish(struct exec_ctx *x, const char *path, int pid, struct berr **err)
{
	const struct spec_process *p = x->process;
	struct seccomp_notify_state st = {
		.id = x->id,
		.bundle = x->bundle,
		.status = "running",
		.pid = pid,
		.init_pid = (int) x->init_pid,
		.annotations = x->config->annotations,
		.n_annotations = x->config->n_annotations,
		.metadata = x->sec.listener_metadata,
	};
	int r;

	r = affinity_apply(0, p->exec_cpu_affinity_final, "process.execCPUAffinity.final", err);
	if (r < 0)
		return r;
	return security_apply_before_exec(&x->sec, p, path, true, &st, err);
}

/* The process: born in the container, it sets up and execs. */
static _Noreturn void exec_process(struct exec_ctx *x)
{
	_cleanup_strv_ char **env = NULL;
	_cleanup_free_ char *path = NULL;
	struct berr *err = NULL;
	int pid = 0, r;

	(void) close(x->init_pidfd);
	x->init_pidfd = -1;
	/*
	 * Until exec, it must not outlive a berth-runtime that died (CLONE_PARENT: it is the
	 * parent). Dead before this, its end of the sync socket is closed: setup fails.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
		r = berr_sys(&err, errno, "setting the parent-death signal");
		goto fail;
	}
	r = setup(x, &path, &env, &pid, &err);
	if (r < 0)
		goto fail;
	if (prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0) {
		r = berr_sys(&err, errno, "clearing the parent-death signal");
		goto fail;
	}
	/* Only stdio and preserved fds may reach the process (CVE-2024-21626). */
	r = fd_cloexec_from(3 + x->preserve_fds);
	if (r < 0) {
		berr_sys(&err, -r, "closing the runtime's file descriptors");
		goto fail;
	}
	r = finish(x, path, pid, &err);
	if (r < 0)
		goto fail;
	execve(path, x->process->args, env);
	berr_sys(&err, errno, "executing '%s'", path);
fail:
	sync_send_error(x->sync_fd, err);
	_exit(127);
}

_Noreturn void exec_child(struct exec_ctx *x)
{
	struct berr *err = NULL;
	bool into_cgroup;
	pid_t pid;

	/* The state dir's fd holds the container's lock: it must not live on in here. */
	for (size_t i = 0; i < ELEMENTSOF(x->parent_fds); i++)
		if (x->parent_fds[i] >= 0)
			(void) close(x->parent_fds[i]);
	/* Still root on the host, before any of the container's namespaces. */
	if (cgroup_join_self(&x->cgj, &err) < 0) {
		/* Where berth-runtime reads our errors: after SYNC_GO (it writes first). */
		(void) sync_expect(x->sync_fd, SYNC_GO, NULL, 0, NULL, NULL);
		goto fail;
	}
	signals_reset_for_exec();
	/* Until it exits, it must not outlive a berth-runtime that died. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
		berr_sys(&err, errno, "setting the parent-death signal");
		goto fail;
	}
	if (enter(x, &err) < 0)
		goto fail;
	/* In every namespace of the container now: the process is born in its pid namespace. */
	pid = spawn_clone(CLONE_PARENT, -1, &into_cgroup);
	if (pid < 0) {
		berr_sys(&err, errno, "creating the process (clone)");
		goto fail;
	}
	if (pid == 0)
		exec_process(x);
	/* Our pid namespace is berth-runtime's: pid is what it sees. */
	if (sync_send(x->sync_fd, SYNC_PID, &pid, sizeof(pid)) < 0)
		(void) kill(pid, SIGKILL);
	_exit(0);
fail:
	sync_send_error(x->sync_fd, err);
	_exit(127);
}
