/* SPDX-License-Identifier: Apache-2.0 */
/* exec: berth-runtime's side. */
#include "runtime/lifecycle/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "runtime/process/affinity.h"
#include "runtime/cgroup/cgroup.h"
#include "lib/cgroup_layout.h"
#include "runtime/process/container.h"
#include "runtime/lifecycle/exec_internal.h"
#include "runtime/lifecycle/lifecycle.h"
#include "runtime/lifecycle/monitor.h"
#include "runtime/process/namespaces.h"
#include "runtime/process/passfds.h"
#include "runtime/lifecycle/state.h"
#include "runtime/config/support.h"
#include "runtime/process/sync.h"
#include "runtime/process/terminal.h"

/* Everything exec holds, released in one place. */
struct execution {
	struct container_state *st;
	struct spec *config;
	struct spec_process *process;
	struct cgroup_manager *cg;
	int root_fd;
	int dir_fd; /* holds a shared lock: no delete while we set up */
	int sync[2];
	int console[2]; /* [0] ours (foreground terminal), [1] the child's */
	pid_t pid;
	struct exec_ctx x;
};

static void execution_init(struct execution *e)
{
	memset(e, 0, sizeof(*e));
	e->root_fd = e->dir_fd = -1;
	e->sync[0] = e->sync[1] = e->console[0] = e->console[1] = -1;
	e->x.init_pidfd = -1;
	security_plan_init(&e->x.sec);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		(void) close(*fd);
	*fd = -1;
}

static void execution_done(struct execution *e)
{
	int *fds[] = {&e->root_fd,    &e->dir_fd,     &e->sync[0],     &e->sync[1],
		      &e->console[0], &e->console[1], &e->x.init_pidfd};

	if (e->pid > 0) {
		(void) kill(e->pid, SIGKILL);
		while (waitpid(e->pid, NULL, 0) < 0 && errno == EINTR)
			;
		e->pid = 0;
	}
	for (size_t i = 0; i < ELEMENTSOF(fds); i++)
		close_fd(fds[i]);
	security_plan_done(&e->x.sec);
	e->cg = cgroup_manager_free(e->cg);
	e->process = spec_process_free(e->process);
	e->config = spec_free(e->config);
	e->st = state_free(e->st);
}

static int open_state(const struct runtime_opts *ro, const struct exec_opts *o, struct execution *e,
		      struct berr **err)
{
	enum container_status status;
	int r;

	if (!state_id_valid(o->id))
		return berr_set(err, EINVAL, "invalid container id '%s'", o->id);
	r = state_root_open(ro->root, false, &e->root_fd, err);
	if (r == -ENOENT)
		return berr_set(err, ENOENT, "container '%s' does not exist", o->id);
	if (r < 0 || (r = state_dir_open(e->root_fd, o->id, false, &e->dir_fd, err)) < 0 ||
	    (r = state_load(e->dir_fd, &e->st, err)) < 0)
		return r;
	status = state_status(e->st);
	/* runc's rules: created and running containers take an exec, stopped ones do not. */
	if (status == STATUS_STOPPED || status == STATUS_CREATING)
		return berr_set(err, EINVAL, "cannot exec in container '%s': it is %s", o->id,
				status_name(status));
	if (status == STATUS_PAUSED && !o->ignore_paused)
		return berr_set(err, EINVAL,
				"cannot exec in container '%s': it is paused (use --ignore-paused)",
				o->id);
	return 0;
}

/* The config snapshot taken at create; the bundle's config.json for older state dirs. */
static int load_config(struct execution *e, struct berr **err)
{
	_cleanup_close_ int bundle = -1;
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	r = read_file_at(e->dir_fd, STATE_CONFIG, 16u << 20, &text, &len);
	if (r >= 0)
		return oci_config_parse(text, len, &e->config, err) < 0
			       ? berr_wrap(err, "the state's %s", STATE_CONFIG)
			       : 0;
	if (r != -ENOENT)
		return berr_sys(err, -r, "reading the state's %s", STATE_CONFIG);
	bundle = open(e->st->bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (bundle < 0)
		return berr_sys(err, errno, "opening bundle '%s'", e->st->bundle);
	return oci_config_load(bundle, &e->config, NULL, NULL, err);
}

/* The init's pidfd, checked to be the process the state names (not a reused pid). */
static int open_init(struct execution *e, const char *id, struct berr **err)
{
	int fd = (int) syscall(SYS_pidfd_open, e->st->pid, 0);

	if (fd < 0 && errno != ESRCH)
		return berr_sys(err, errno, "opening the init of '%s'", id);
	if (fd < 0 || !state_pid_alive(e->st)) {
		if (fd >= 0)
			(void) close(fd);
		return berr_set(err, ESRCH, "cannot exec in container '%s': it is stopped", id);
	}
	e->x.init_pidfd = fd;
	return 0;
}

/* CLONE_NEW* of the namespaces the init is in and we are not. */
static int init_namespaces(pid_t pid, int *ret_flags, struct berr **err)
{
	int flags = 0;

	for (int t = 0; t < _NS_TYPE_MAX; t++) {
		char theirs[64], ours[64];
		struct stat a, b;

		snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", (int) pid, ns_info[t].proc_name);
		snprintf(ours, sizeof(ours), "/proc/self/ns/%s", ns_info[t].proc_name);
		if (stat(theirs, &a) < 0 || stat(ours, &b) < 0) {
			if (errno == ENOENT)
				continue; /* a namespace type this kernel lacks */
			return berr_sys(err, errno, "reading '%s'", theirs);
		}
		if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
			flags |= ns_info[t].clone_flag;
	}
	*ret_flags = flags;
	return 0;
}

/*
 * --cgroup PATH: an existing sub-cgroup of the container's, in every hierarchy that has
 * the container's cgroup (runc's PATH form; its per-controller CONTROLLER:PATH is not
 * supported). On success *ret is the full path, malloc'd.
 */
static int sub_cgroup(const struct container_state *st, const char *sub, char **ret,
		      struct berr **err)
{
	_cleanup_free_ char *full = NULL;
	struct cgroup_layout *layout = NULL;
	const char *p = sub;
	int r;

	if (!*sub)
		return berr_set(err, EINVAL, "--cgroup: an empty path");
	/* As runc: the path is below the container's cgroup, "/" being that cgroup itself. */
	while (*sub == '/')
		sub++;
	if (!*sub) {
		*ret = strdup(st->cgroup_path);
		return *ret ? 0 : berr_set(err, ENOMEM, "out of memory");
	}
	p = sub;
	if (strchr(sub, ':'))
		return berr_set(err, EINVAL,
				"--cgroup: '%s': per-controller sub-cgroups (CONTROLLER:PATH) are "
				"not supported; give one PATH for every controller",
				sub);
	for (size_t n; *p; p += n + (p[n] == '/')) {
		n = strcspn(p, "/");
		if ((n == 2 && !strncmp(p, "..", 2)) || (n == 1 && *p == '.'))
			return berr_set(err, EINVAL,
					"--cgroup: '%s': must be a relative path below the "
					"container's cgroup",
					sub);
	}
	if (asprintf(&full, "%s/%s", st->cgroup_path, sub) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	if ((r = cgroup_layout_detect(&layout, err)) < 0)
		return r;
	for (size_t i = 0; i < layout->n && r >= 0; i++) {
		_cleanup_free_ char *base = cgroup_dir(&layout->v[i], st->cgroup_path);
		_cleanup_free_ char *dir = cgroup_dir(&layout->v[i], full);
		struct stat sb;

		if (!base || !dir)
			r = berr_set(err, ENOMEM, "out of memory");
		else if (stat(base, &sb) == 0 && stat(dir, &sb) < 0)
			r = berr_sys(err, errno, "--cgroup: sub-cgroup '%s'", dir);
	}
	cgroup_layout_free(layout);
	if (r >= 0)
		*ret = TAKE_PTR(full);
	return r;
}

/* The container's cgroup, opened for CLONE_INTO_CGROUP where there is a cgroup2 tree. */
static int open_cgroup(const struct exec_opts *o, struct execution *e, struct berr **err)
{
	_cleanup_free_ char *dir = NULL, *sub = NULL;
	int r;

	if (!e->st->cgroup_path || !e->st->cgroup_created) {
		if (o->cgroup)
			return berr_set(err, EINVAL, "--cgroup: the container has no cgroup");
		return 0;
	}
	if (o->cgroup && (r = sub_cgroup(e->st, o->cgroup, &sub, err)) < 0)
		return r;
	r = cgroup_manager_new(sub ? sub : e->st->cgroup_path, &e->cg, err);
	if (r < 0 || !e->cg->layout->unified)
		return r;
	dir = cgroup_dir(e->cg->layout->unified, e->cg->path);
	if (!dir)
		return berr_set(err, ENOMEM, "out of memory");
	e->cg->unified_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (e->cg->unified_fd < 0)
		return berr_sys(err, errno, "opening the container's cgroup '%s'", dir);
	return 0;
}

static int open_console(const struct exec_opts *o, struct execution *e, struct berr **err)
{
	if (!e->process->terminal)
		return 0;
	if (o->console_socket)
		return terminal_connect(o->console_socket, &e->console[1], err);
	return terminal_socketpair(&e->console[0], &e->console[1], err);
}

static int prepare(const struct runtime_opts *ro, const struct exec_opts *o, struct execution *e,
		   struct berr **err)
{
	int r;

	if ((r = passfds_check(0, o->preserve_fds, err)) < 0 ||
	    (r = open_state(ro, o, e, err)) < 0 || (r = load_config(e, err)) < 0 ||
	    (r = exec_build_process(o, e->config, &e->process, err)) < 0)
		return r;
	r = support_check_terminal(e->process, o->process_path ? "process.json: terminal" : "--tty",
				   o->detach, o->console_socket != NULL, err);
	if (r < 0)
		return r;
	/* The config's seccomp and the process's labels, as for the init. */
	r = security_prepare(e->config, e->process, e->root_fd, &e->x.sec, err);
	if (r < 0)
		return r;
	if ((r = open_init(e, o->id, err)) < 0 ||
	    (r = init_namespaces(e->st->pid, &e->x.ns_flags, err)) < 0 ||
	    (r = open_cgroup(o, e, err)) < 0 || (r = open_console(o, e, err)) < 0)
		return r;
	return sync_pair(e->sync, err);
}

static void fill_ctx(const struct exec_opts *o, struct execution *e)
{
	struct exec_ctx *x = &e->x;

	x->config = e->config;
	x->process = e->process;
	x->id = o->id;
	x->bundle = e->st->bundle;
	x->init_pid = e->st->pid;
	x->sync_fd = e->sync[1];
	x->parent_fds[0] = e->sync[0];
	x->parent_fds[1] = e->dir_fd;
	x->parent_fds[2] = e->root_fd;
	x->parent_fds[3] = e->console[0];
	x->console_fd = e->console[1];
	x->console_proxied = e->console[0] >= 0;
	x->preserve_fds = o->preserve_fds;
	x->join_keyring = !e->st->no_new_keyring;
}

/*
 * process.execCPUAffinity.initial: the CPUs of the process until it is in the container's
 * cgroup. We take them for the clone, which the child inherits from its first instant
 * (born in the cgroup through CLONE_INTO_CGROUP, or moved there by us after), and
 * *ret_own keeps ours to go back to. *ret_pinned is false when there is no initial list.
 */
static int pin_initial(const struct spec_process *p, cpu_set_t *ret_own, bool *ret_pinned,
		       struct berr **err)
{
	const char *initial = p->exec_cpu_affinity_initial;

	*ret_pinned = false;
	if (!initial || !*initial)
		return 0;
	if (sched_getaffinity(0, sizeof(*ret_own), ret_own) < 0)
		return berr_sys(err, errno, "reading our CPU affinity");
	*ret_pinned = true;
	return affinity_apply(0, initial, "process.execCPUAffinity.initial", err);
}

/*
 * Clone the intermediate (exec_child.c), with the initial CPUs. It stays in our pid
 * namespace: the process it clones later is the first to be in the container's.
 */
static int clone_child(struct execution *e, bool *ret_into_cgroup, struct berr **err)
{
	int clone_errno, r;
	cpu_set_t own_cpus;
	bool pinned;

	r = pin_initial(e->process, &own_cpus, &pinned, err);
	if (r >= 0) {
		cgroup_join_open(e->cg, &e->x.cgj);
		e->pid = spawn_clone(0, cgroup_clone_fd(e->cg), ret_into_cgroup);
		if (e->pid == 0)
			exec_child(&e->x);
		clone_errno = errno;
		if (e->cg)
			e->cg->v1_joined = e->pid > 0 && e->x.cgj.n > 0;
		cgroup_join_done(&e->x.cgj);
		if (e->pid < 0) {
			e->pid = 0;
			r = berr_sys(err, clone_errno, "creating the process (clone)");
		}
	}
	if (pinned)
		(void) sched_setaffinity(0, sizeof(own_cpus), &own_cpus);
	return r;
}

/* Reap the intermediate (it exits once it sent SYNC_PID, or on an error). */
static void reap_intermediate(pid_t *mid)
{
	if (*mid <= 0)
		return;
	while (waitpid(*mid, NULL, 0) < 0 && errno == EINTR)
		;
	*mid = 0;
}

/*
 * The intermediate's report: the pid of the process it cloned, in our pid namespace (its
 * own); e->pid is that process from then on. The pid must be our child (CLONE_PARENT), or
 * we would wait for, or kill, a process that is not ours.
 */
static int take_process(struct execution *e, struct berr **err)
{
	char buf[SYNC_MAX_PAYLOAD];
	siginfo_t si;
	pid_t pid = 0;
	size_t len = 0;
	int r;

	/* The whole buffer: an error message is longer than a pid. */
	r = sync_expect(e->sync[0], SYNC_PID, buf, sizeof(buf), &len, err);
	if (r < 0)
		return r;
	if (len == sizeof(pid))
		memcpy(&pid, buf, sizeof(pid));
	memset(&si, 0, sizeof(si));
	if (pid <= 0 || waitid(P_PID, (id_t) pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return berr_set(err, EPROTO, "sync: bad pid from the intermediate process");
	e->pid = pid;
	return 0;
}

/*
 * Clone the intermediate into the cgroup and let it go; it clones the process inside the
 * container's namespaces. Then let the process go, with its pid on the host (for the
 * seccomp listener), reap the intermediate meanwhile, and see the process exec (the sync
 * socket closes).
 */
static int spawn(struct execution *e, struct berr **err)
{
	bool into_cgroup = false;
	pid_t mid;
	int r;

	r = clone_child(e, &into_cgroup, err);
	if (r < 0)
		return r;
	close_fd(&e->sync[1]);
	close_fd(&e->console[1]);
	if (e->cg) {
		e->cg->into_clone = into_cgroup;
		r = e->cg->ops->enter(e->cg, e->pid, err);
		if (r < 0)
			return r;
	}
	if (sync_send(e->sync[0], SYNC_GO, NULL, 0) < 0)
		return berr_sys(err, errno, "starting the process");
	mid = e->pid;
	e->pid = 0;
	r = take_process(e, err);
	if (r >= 0 && sync_send(e->sync[0], SYNC_GO, &e->pid, sizeof(e->pid)) < 0)
		r = berr_sys(err, errno, "starting the process");
	if (r < 0)
		(void) kill(mid, SIGKILL);
	reap_intermediate(&mid);
	if (r < 0)
		return r;
	r = sync_expect(e->sync[0], 0, NULL, 0, NULL, err);
	if (r == -EPIPE) {
		berr_clear(err);
		return 0; /* closed on exec: it runs */
	}
	return r < 0 ? r : berr_set(err, EPROTO, "unexpected message from the process");
}

static int wait_foreground(struct execution *e, const sigset_t *set, int *ret_code,
			   struct berr **err)
{
	struct terminal_proxy tp = {.master = -1};
	int master = -1;
	pid_t pid = e->pid;
	int r = 0;

	if (e->console[0] >= 0) {
		r = terminal_recv_fd(e->console[0], &master, err);
		if (r >= 0)
			r = terminal_proxy_start(&tp, master, err);
		else
			master = -1;
	}
	if (r >= 0)
		r = monitor_wait(pid, set, e->console[0] >= 0 ? &tp : NULL, ret_code, err);
	if (r >= 0)
		e->pid = 0; /* reaped */
	terminal_proxy_finish(&tp);
	return r;
}

int lifecycle_exec(const struct runtime_opts *ro, const struct exec_opts *o, int *ret_exit_code,
		   struct berr **err)
{
	struct execution e;
	sigset_t set;
	int r;

	*ret_exit_code = 0;
	execution_init(&e);
	r = prepare(ro, o, &e, err);
	if (r < 0)
		goto out;
	/*
	 * A paused container (--ignore-paused): the process freezes as it joins the cgroup
	 * and stays frozen until `resume`, which takes the lock exclusively. Held across that
	 * wait, the lock would deadlock both. Without it a concurrent delete can only make
	 * this exec fail.
	 */
	if (state_status(e.st) == STATUS_PAUSED)
		close_fd(&e.dir_fd);
	fill_ctx(o, &e);
	/* Before clone, so that no signal for the process is lost. */
	if (!o->detach && (r = monitor_block_signals(&set, NULL)) < 0) {
		r = berr_sys(err, -r, "blocking signals");
		goto out;
	}
	r = spawn(&e, err);
	if (r < 0)
		goto out;
	close_fd(&e.dir_fd); /* the lock: delete may go on now */
	if (o->pid_file && (r = lifecycle_write_pid_file(o->pid_file, e.pid, err)) < 0)
		goto out;
	if (o->detach) {
		e.pid = 0; /* it runs on, without us */
		goto out;
	}
	r = wait_foreground(&e, &set, ret_exit_code, err);
out:
	execution_done(&e);
	return r;
}
