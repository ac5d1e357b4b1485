/* SPDX-License-Identifier: Apache-2.0 */
/* The container's init between clone and exec. */
#include "runtime/process/container.h"
#include "runtime/rootfs/bind_sources.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/userns_detect.h"
#include "lib/fd.h"
#include "lib/strv.h"
#include "runtime/security/exec_guard.h"
#include "runtime/security/keyring.h"
#include "runtime/process/netdev.h"
#include "runtime/process/passfds.h"
#include "runtime/lifecycle/hooks.h"
#include "runtime/process/process.h"
#include "runtime/process/process_attrs.h"
#include "runtime/process/rlimits.h"
#include "runtime/rootfs/rootfs.h"
#include "runtime/security/security.h"
#include "runtime/process/sync.h"
#include "runtime/process/terminal.h"
#include "runtime/process/sysctl.h"

extern char **environ;

static int set_names(const struct spec *s, struct berr **err)
{
	if (s->hostname && *s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
		return berr_sys(err, errno, "setting hostname '%s'", s->hostname);
	if (s->domainname && *s->domainname &&
	    setdomainname(s->domainname, strlen(s->domainname)) < 0)
		return berr_sys(err, errno, "setting domainname '%s'", s->domainname);
	return 0;
}

/* Namespaces the init joins or creates itself, after the parent let it go. */
static int enter_namespaces(struct container_ctx *c, struct berr **err)
{
	const struct spec_linux *l = &c->spec->linux;
	int r;

	/* New (ids just mapped by the parent) or joined by the intermediate (spawn.c). */
	if (l->ns[NS_USER].enabled) {
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
			return berr_sys(err, errno, "becoming root in the user namespace");
	}
	/* Those not joined by the intermediate (spawn.c); pid never comes here. */
	r = namespaces_join(c->ns_fds, ~0u, err);
	if (r < 0)
		return r;
	/* After the parent put us in our cgroup, so that it is the namespace's root. */
	if (l->ns[NS_CGROUP].enabled && !l->ns[NS_CGROUP].path && unshare(CLONE_NEWCGROUP) < 0)
		return berr_sys(err, errno, "creating the cgroup namespace");
	r = namespaces_enter_time(l, err);
	if (r < 0)
		return r;
	return set_names(c->spec, err);
}

/* Block until `start` writes to the exec fifo, or the parent says SYNC_START. */
static int wait_for_start(struct container_ctx *c, struct berr **err)
{
	char byte;
	ssize_t n;

	if (c->fifo_fd < 0)
		return sync_expect(c->sync_fd, SYNC_START, NULL, 0, NULL, err);
	do
		n = read(c->fifo_fd, &byte, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		return berr_sys(err, n < 0 ? errno : EPIPE, "waiting for start");
	/* Kept (close-on-exec) until exec: start waits for it to close (lifecycle_start). */
	return 0;
}

/* Our pid in the host's pid namespace: /proc is still the host's (before pivot_root). */
static int host_pid(void)
{
	char buf[32];
	ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return atoi(buf);
}

/* The pty, when process.terminal: /dev/console is made before pivot_root, used after. */
static int setup_rootfs_and_terminal(struct container_ctx *c, bool in_userns, struct berr **err)
{
	_cleanup_close_ int rootfd = -1, console = -1;
	bool terminal = c->spec->process->terminal;
	/* New or joined by path: either way the rootfs is set up and entered in it. */
	bool mount_ns = c->spec->linux.ns[NS_MNT].enabled;
	int r;

	r = mount_ns ? rootfs_prepare(c, in_userns, &rootfd, err) : rootfs_chroot(c, &rootfd, err);
	/* As runc: createContainer hooks run with their cwd at the rootfs. */
	if (r >= 0 && fchdir(rootfd) < 0)
		r = berr_sys(err, errno, "entering the rootfs");
	if (r >= 0)
		r = hooks_init_create(c, err);
	if (r >= 0 && terminal && mount_ns)
		r = terminal_console_target(rootfd, &console, err);
	if (r >= 0 && mount_ns)
		r = rootfs_enter(c, rootfd, err);
	if (r >= 0 && terminal)
		r = terminal_setup(c->console_fd, c->spec->process, console, c->console_proxied,
				   err);
	return r;
}

/*
 * What only the setup needed: the bundle, the cgroup2 directory, the namespaces joined,
 * the idmapped trees. Close-on-exec as they are, a created init that keeps them holds
 * host directories for anything that gets at it while it waits for start (a cwd of
 * /proc/self/fd/N, CVE-2024-21626, is one check away from the bundle): as runc's init,
 * it keeps only what start needs.
 */
static void close_setup_fd(int *fd)
{
	closep(fd);
	*fd = -1;
}

static void close_setup_fds(struct container_ctx *c)
{
	close_setup_fd(&c->bundle_fd);
	close_setup_fd(&c->cgroup_fd);
	for (int t = 0; t < _NS_TYPE_MAX; t++)
		close_setup_fd(&c->ns_fds[t]);
	for (size_t i = 0; c->idmap_trees && i < c->spec->n_mounts; i++)
		close_setup_fd(&c->idmap_trees[i]);
	c->bind_src_fds = bind_sources_close(c->bind_src_fds, c->spec->n_mounts);
}

/* After start, a failure goes back to `start` through the fifo (lifecycle_start). */
static void report_start_failure(const struct container_ctx *c, const struct berr *err)
{
	if (c->fifo_fd >= 0 && err)
		(void) write(c->fifo_fd, err->msg, strnlen(err->msg, SYNC_MAX_PAYLOAD));
}

static int init_setup(struct container_ctx *c, char **ret_path, char ***ret_env, struct berr **err)
{
	const struct spec_process *p = c->spec->process;
	/* a user namespace of its own, or berth-runtime's (rootless berth runs it in one) */
	bool in_userns = c->spec->linux.ns[NS_USER].enabled || in_nested_userns();
	int r;

	if (bind_sources_wanted(c->spec, c->clone_flags) &&
	    (r = bind_sources_receive(c->spec, c->sync_fd, &c->bind_src_fds, err)) < 0)
		return r;
	r = sync_expect(c->sync_fd, SYNC_GO, NULL, 0, NULL, err);
	if (r < 0)
		return r;
	/* Not dumpable before any of the container's setup (security.c says why). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return berr_sys(err, errno, "making the init non-dumpable");
	if ((r = enter_namespaces(c, err)) < 0 ||
	    (r = netdev_loopback_up(&c->spec->linux, err)) < 0 ||
	    (r = security_set_labels(p, err)) < 0 || (r = sysctl_apply(c->spec, err)) < 0 ||
	    (!c->no_new_keyring && (r = keyring_join_session(c->id, true, in_userns, err)) < 0))
		return r;
	c->host_pid = host_pid();
	if ((r = setup_rootfs_and_terminal(c, in_userns, err)) < 0)
		return r;
	close_setup_fds(c);
	/* While privileged, and at create: a refused priority fails create, not start. */
	if ((r = rlimits_apply(p->rlimits, p->n_rlimits, err)) < 0 ||
	    (r = process_attrs_apply(p, err)) < 0 ||
	    (r = process_prepare_exec(p, ret_path, ret_env, err)) < 0)
		return r;
	if (passfds_listen_env(ret_env, c->listen_fds) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	return 0;
}

_Noreturn void container_init(struct container_ctx *c)
{
	const struct spec_process *p = c->spec->process;
	_cleanup_strv_ char **env = NULL;
	_cleanup_free_ char *path = NULL;
	struct berr *err = NULL;
	bool parent_listens = c->fifo_fd < 0; /* `run`: the parent waits for us to exec */
	bool ready = false;
	struct seccomp_notify_state st = {
		.id = c->id,
		.bundle = c->bundle,
		.status = "created",
		.annotations = c->spec->annotations,
		.n_annotations = c->spec->n_annotations,
		.metadata = c->sec.listener_metadata,
	};
	int r;

	/* Until we are ready, the init must not outlive a create that died. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
		r = berr_sys(&err, errno, "setting the parent-death signal");
		goto fail;
	}
	/* As runc: a session of its own, without the caller's controlling terminal. */
	if (setsid() < 0) {
		r = berr_sys(&err, errno, "creating a session (setsid)");
		goto fail;
	}
	r = init_setup(c, &path, &env, &err);
	if (r < 0)
		goto fail;
	/* Kept, it would kill the container when create exits. */
	if (prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0) {
		r = berr_sys(&err, errno, "clearing the parent-death signal");
		goto fail;
	}
	if (sync_send(c->sync_fd, SYNC_READY, NULL, 0) < 0)
		_exit(127);
	ready = true;
	st.pid = c->host_pid;
	r = wait_for_start(c, &err);
	if (r < 0)
		goto fail;
	/* Only stdio and preserved fds may reach the container (CVE-2024-21626). */
	r = fd_cloexec_from(3 + c->preserve_fds);
	if (r < 0) {
		berr_sys(&err, -r, "closing the runtime's file descriptors");
		goto fail;
	}
	r = linux_attrs_apply(&c->spec->linux, &err);
	if (r >= 0)
		r = security_apply_before_exec(&c->sec, p, path, !c->setgroups_denied, &st, &err);
	if (r < 0)
		goto fail;
	/*
	 * startContainer hooks resolve in the container, so the image may supply them: they
	 * run as the process will, with its user, capabilities, no_new_privs and seccomp
	 * filter, and none of the runtime's fds (as runc, right before its execve). One
	 * without env gets the process's environment, as runc's init has, not the runtime's.
	 */
	environ = env;
	if ((r = hooks_init_start(c, &err)) < 0)
		goto fail;
	/*
	 * A hook may have rewritten the program since the check (a "#!/proc/self/exe" in its
	 * place, CVE-2019-5736): checked again, as the process, right before execve. A script
	 * the process cannot read passes, but execve then makes it non-dumpable.
	 */
	if (hooks_have(c->spec, HOOK_START_CONTAINER) &&
	    exec_guard_check(&c->sec.self, path, p->cwd, &err) < 0)
		goto fail;
	execve(path, p->args, env);
	berr_sys(&err, errno, "executing '%s'", path);
fail:
	/* Before ready the parent reports it; after, `create` may be gone: say it here too. */
	sync_send_error(c->sync_fd, err);
	if (ready && !parent_listens && err) {
		report_start_failure(c, err);
		/* start waits for the fifo to close: not for a stderr that may block. */
		if (c->fifo_fd >= 0)
			(void) close(c->fifo_fd);
		dprintf(STDERR_FILENO, "berth-runtime: %s\n", err->msg);
	}
	_exit(127);
}
