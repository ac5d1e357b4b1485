/* SPDX-License-Identifier: Apache-2.0 */
/* create, start and run. */
#include "runtime/lifecycle/lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/userns_detect.h"
#include "lib/log.h"
#include "lib/fd.h"
#include "lib/strv.h"
#include "runtime/rootfs/bind_sources.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/process/container.h"
#include "runtime/lifecycle/exec_fifo.h"
#include "runtime/lifecycle/hooks.h"
#include "runtime/lifecycle/lifecycle_hooks.h"
#include "runtime/rootfs/mounts.h"
#include "runtime/process/idmap.h"
#include "runtime/process/process.h"
#include "runtime/security/security.h"
#include "runtime/lifecycle/monitor.h"
#include "runtime/process/passfds.h"
#include "runtime/config/support.h"
#include "runtime/process/sync.h"
#include "runtime/process/terminal.h"
#include "runtime/process/netdev.h"
#include "runtime/process/process_attrs.h"
#include "runtime/process/sysctl.h"

/* Everything create makes, so that a failure can undo it in reverse order. */
struct creation {
	struct spec *spec;
	char *bundle;
	char *rootfs;
	int bundle_fd;
	int root_fd;
	int dir_fd;
	int sync[2];
	int fifo_fd;
	int console[2]; /* [0] ours (foreground terminal), [1] the init's */
	int listen_fds;
	char *config_text; /* config.json as read: saved in the state dir for exec, delete */
	size_t config_len;
	pid_t pid;
	struct cgroup_manager *cg;
	struct container_state st;
	struct container_ctx ctx;
	int *idmap_trees;   /* idmapped mount trees made before clone (mounts.h) */
	bool hooks_started; /* create-phase hooks ran: poststop must run on failure */
	warn_fn warn;
};

static void creation_init(struct creation *cr)
{
	memset(cr, 0, sizeof(*cr));
	cr->bundle_fd = cr->root_fd = cr->dir_fd = cr->fifo_fd = -1;
	cr->sync[0] = cr->sync[1] = -1;
	cr->console[0] = cr->console[1] = -1;
	for (int t = 0; t < _NS_TYPE_MAX; t++)
		cr->ctx.ns_fds[t] = -1;
	security_plan_init(&cr->ctx.sec);
}

static void creation_done(struct creation *cr)
{
	int *fds[] = {&cr->bundle_fd, &cr->root_fd, &cr->dir_fd,     &cr->fifo_fd,
		      &cr->sync[0],   &cr->sync[1], &cr->console[0], &cr->console[1]};

	for (size_t i = 0; i < ELEMENTSOF(fds); i++)
		if (*fds[i] >= 0) {
			(void) close(*fds[i]);
			*fds[i] = -1;
		}
	namespaces_close(cr->ctx.ns_fds);
	security_plan_done(&cr->ctx.sec);
	cr->idmap_trees = mounts_close_trees(cr->idmap_trees, cr->spec ? cr->spec->n_mounts : 0);
	cr->cg = cgroup_manager_free(cr->cg);
	free(cr->st.cgroup_path);
	cr->st.cgroup_path = NULL;
	cr->spec = spec_free(cr->spec);
	free(cr->bundle);
	free(cr->rootfs);
	free(cr->st.created);
	free(cr->config_text);
	cr->bundle = cr->rootfs = cr->st.created = cr->config_text = NULL;
}

/*
 * A bind source relative to the bundle (runtime-spec: "relative to the bundle"), made
 * absolute before clone, as runc does: the container's setup opens sources by path in its
 * own mount namespace, where the bundle's fd from the host's namespace cannot be cloned.
 */
static int absolute_bind_sources(struct spec *s, const char *bundle, struct berr **err)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		struct spec_mount *m = &s->mounts[i];
		bool bind = m->opts.bind ||
			    (m->type && (!strcmp(m->type, "bind") || !strcmp(m->type, "rbind")));
		char *abs;

		if (!bind || !m->source || m->source[0] == '/')
			continue;
		if (asprintf(&abs, "%s/%s", bundle, m->source) < 0)
			return berr_set(err, ENOMEM, "out of memory");
		free(m->source);
		m->source = abs;
	}
	return 0;
}

/* The bundle and its rootfs as absolute paths; the config parsed and checked. */
static int load_bundle(const struct runtime_opts *ro, const struct create_opts *o,
		       struct creation *cr, struct berr **err)
{
	char buf[PATH_MAX];
	struct stat st;
	int r;

	if (!realpath(o->bundle ? o->bundle : ".", buf))
		return berr_sys(err, errno, "bundle '%s'", o->bundle ? o->bundle : ".");
	cr->bundle = strdup(buf);
	if (!cr->bundle)
		return berr_set(err, ENOMEM, "out of memory");
	cr->bundle_fd = open(cr->bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cr->bundle_fd < 0)
		return berr_sys(err, errno, "opening bundle '%s'", cr->bundle);
	r = oci_config_load(cr->bundle_fd, &cr->spec, &cr->config_text, &cr->config_len, err);
	if (r < 0 || (r = absolute_bind_sources(cr->spec, cr->bundle, err)) < 0)
		return r;
	r = support_check(cr->spec, o->detach, o->console_socket != NULL, ro->warn, err);
	if (r < 0)
		return r;
	if (sysctl_check_host_netns(cr->spec, err) < 0 ||
	    memory_policy_check_nodes(&cr->spec->linux, err) < 0 ||
	    netdev_check_present(&cr->spec->linux, err) < 0)
		return berr_wrap(err, "config.json");
	if (asprintf(&cr->rootfs, "%s%s%s", cr->spec->root_path[0] == '/' ? "" : cr->bundle,
		     cr->spec->root_path[0] == '/' ? "" : "/", cr->spec->root_path) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	if (!realpath(cr->rootfs, buf) || stat(buf, &st) < 0)
		return berr_sys(err, errno, "config.json: root.path: '%s'", cr->spec->root_path);
	if (!S_ISDIR(st.st_mode))
		return berr_set(err, ENOTDIR, "config.json: root.path: '%s' is not a directory",
				cr->spec->root_path);
	free(cr->rootfs);
	cr->rootfs = strdup(buf);
	return cr->rootfs ? 0 : berr_set(err, ENOMEM, "out of memory");
}

static int make_fifo(struct creation *cr, struct berr **err)
{
	if (mkfifoat(cr->dir_fd, STATE_FIFO, 0600) < 0)
		return berr_sys(err, errno, "creating %s", STATE_FIFO);
	/* O_RDWR never blocks on a fifo; the init then blocks reading it until start. */
	cr->fifo_fd = openat(cr->dir_fd, STATE_FIFO, O_RDWR | O_CLOEXEC);
	if (cr->fifo_fd < 0)
		return berr_sys(err, errno, "opening %s", STATE_FIFO);
	return 0;
}

/*
 * Wait for the init to be ready. On the way it may ask for the create hooks (SYNC_HOOKS):
 * prestart and createRuntime run here, in the runtime namespace, between its mounts and
 * its pivot_root (hooks.h).
 */
static int await_ready(struct creation *cr, struct berr **err)
{
	uint32_t got = 0;
	int r;

	r = sync_expect_either(cr->sync[0], SYNC_READY, SYNC_HOOKS, &got, err);
	if (r < 0 || got == SYNC_READY)
		return r;
	cr->hooks_started = true;
	r = lifecycle_create_hooks(cr->spec, &cr->st, err);
	if (r < 0)
		return r;
	if (sync_send(cr->sync[0], SYNC_HOOKS_DONE, NULL, 0) < 0)
		return berr_sys(err, errno, "resuming the init after the hooks");
	return sync_expect(cr->sync[0], SYNC_READY, NULL, 0, NULL, err);
}

static void fill_state(const struct create_opts *o, struct creation *cr)
{
	struct container_state *st = &cr->st;

	st->id = (char *) o->id;
	st->bundle = cr->bundle;
	st->rootfs = cr->rootfs;
	st->created = rfc3339_now();
	st->owner = (uint32_t) geteuid();
	st->annotations = cr->spec->annotations;
	st->n_annotations = cr->spec->n_annotations;
	st->own_pid_ns = cr->spec->linux.ns[NS_PID].enabled;
	st->phase = STATUS_CREATING;
	st->exit_code = -1;
	st->no_new_keyring = o->no_new_keyring;
}

static void fill_ctx(const struct create_opts *o, struct creation *cr)
{
	struct container_ctx *c = &cr->ctx;

	c->spec = cr->spec;
	c->id = o->id;
	c->bundle = cr->bundle;
	c->rootfs = cr->rootfs;
	c->bundle_fd = cr->bundle_fd;
	c->sync_fd = cr->sync[1];
	c->parent_sync_fd = cr->sync[0];
	c->parent_only_fds[0] = cr->root_fd;
	c->parent_only_fds[1] = cr->dir_fd;
	c->fifo_fd = cr->fifo_fd;
	c->clone_flags = namespaces_clone_flags(&cr->spec->linux);
	c->cgroup_fd = cgroup_clone_fd(cr->cg);
	c->cgroup_path = cr->cg ? cr->cg->path : NULL;
	c->preserve_fds = cr->listen_fds + o->preserve_fds;
	c->listen_fds = cr->listen_fds;
	c->console_fd = cr->console[1];
	c->console_proxied = cr->console[0] >= 0;
	c->no_pivot = o->no_pivot;
	c->no_new_keyring = o->no_new_keyring;
	c->idmap_trees = cr->idmap_trees;
	c->setgroups_denied =
		(c->clone_flags & CLONE_NEWUSER) && idmap_denies_setgroups(&cr->spec->linux);
}

static bool init_hung_up(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	return poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLIN | POLLHUP));
}

/* Clone the init and walk it through setup until it is ready. */
static int spawn_init(struct creation *cr, struct berr **err)
{
	int r;

	cgroup_join_open(cr->cg, &cr->ctx.cgj);
	r = container_spawn(&cr->ctx, &cr->pid, err);
	/* The init has its copy; ours would keep the seccomp listener from seeing EOF. */
	security_plan_done(&cr->ctx.sec);
	if (r < 0)
		return r;
	if (cr->cg) {
		cr->cg->into_clone = cr->ctx.cgroup_fd >= 0;
		cr->cg->v1_joined = cr->ctx.cgj_used;
	}
	(void) close(cr->sync[1]);
	cr->sync[1] = -1;
	if (cr->console[1] >= 0) {
		(void) close(cr->console[1]);
		cr->console[1] = -1;
	}
	cr->st.pid = cr->pid;
	r = proc_start_time(cr->pid, &cr->st.start_time);
	/* An init that failed at once is gone already: the error it sent says why. */
	if (r < 0 && init_hung_up(cr->sync[0])) {
		int said = sync_expect(cr->sync[0], SYNC_READY, NULL, 0, NULL, err);

		if (said < 0)
			return said;
	}
	if (r < 0)
		return berr_sys(err, -r, "reading the start time of the init");
	/* Written now so that `delete --force` finds the init if we die from here on. */
	r = state_save(cr->dir_fd, &cr->st, err);
	if (r < 0)
		return r;
	if (cr->ctx.clone_flags & CLONE_NEWUSER) {
		r = idmap_write(cr->pid, &cr->spec->linux, &cr->ctx.setgroups_denied, err);
		if (r < 0)
			return r;
	}
	if (cr->cg && (r = cr->cg->ops->enter(cr->cg, cr->pid, err)) < 0)
		return r;
	if ((r = process_set_oom_score_adj(cr->pid, cr->spec->process, err)) < 0 ||
	    (r = netdev_move_all(&cr->spec->linux, cr->pid, err)) < 0)
		return r;
	if (bind_sources_wanted(cr->spec, cr->ctx.clone_flags) &&
	    (r = bind_sources_send(cr->spec, cr->pid, cr->sync[0], err)) < 0)
		return r;
	r = sync_send(cr->sync[0], SYNC_GO, NULL, 0);
	/* The init failed first (it hung up): the error it sent says why. */
	if (r < 0 && !init_hung_up(cr->sync[0]))
		return berr_sys(err, -r, "starting the init");
	return await_ready(cr, err);
}

int lifecycle_write_pid_file(const char *path, pid_t pid, struct berr **err)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_close_ int dirfd = -1;
	const char *base = strrchr(path, '/');
	char text[32];
	int r;

	dir = base ? strndup(path, (size_t) (base - path)) : strdup(".");
	if (!dir)
		return berr_set(err, ENOMEM, "out of memory");
	dirfd = open(*dir ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return berr_sys(err, errno, "pid file '%s'", path);
	snprintf(text, sizeof(text), "%d", (int) pid);
	r = write_file_atomic_at(dirfd, base ? base + 1 : path, text, strlen(text), 0644, false);
	if (r < 0)
		return berr_sys(err, -r, "writing pid file '%s'", path);
	return 0;
}

/*
 * Rootless, without a delegated cgroup: go on without one, as `runc --rootless` does,
 * after undoing what create made in the hierarchies that let us.
 */
static int skip_cgroup(struct creation *cr, struct berr **err)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "cgroup '%s': %s; running without a cgroup (rootless)%s",
		 cr->st.cgroup_path, *err ? (*err)->msg : "not permitted",
		 cr->spec->linux.resources.set ? ", linux.resources not applied" : "");
	berr_clear(err);
	if (cr->warn)
		cr->warn(msg);
	(void) cr->cg->ops->destroy(cr->cg, NULL);
	cr->cg = cgroup_manager_free(cr->cg);
	cr->st.cgroup_created = false;
	free(cr->st.cgroup_path);
	cr->st.cgroup_path = NULL;
	return 0;
}

/*
 * A cgroupsPath that already holds processes (another container's, a leftover): the
 * container shares its limits and `kill --all`/`delete` reach them too. runc warns; so do we.
 */
static void warn_if_not_empty(struct creation *cr, warn_fn warn)
{
	_cleanup_free_ pid_t *pids = NULL;
	char msg[512];
	size_t n = 0;

	if (!warn || cr->cg->ops->procs(cr->cg, &pids, &n, NULL) < 0 || n == 0)
		return;
	snprintf(msg, sizeof(msg),
		 "cgroup '%s' is not empty: %zu process(es) already in it share the container's "
		 "limits, and kill --all and delete reach them",
		 cr->st.cgroup_path, n);
	warn(msg);
}

/* The container's cgroup, made and limited before the init exists. */
static int setup_cgroup(const struct runtime_opts *ro, const struct create_opts *o,
			struct creation *cr, struct berr **err)
{
	int r;

	r = cgroup_path_for(cr->spec->linux.cgroups_path, o->id, &cr->st.cgroup_path, err);
	if (r < 0)
		return berr_wrap(err, "config.json");
	r = cgroup_manager_new(cr->st.cgroup_path, &cr->cg, err);
	if (r < 0)
		return r;
	cr->st.cgroup_created = true;
	/* Recorded before the cgroup exists: `delete --force` removes it if we die. */
	r = state_save(cr->dir_fd, &cr->st, err);
	if (r < 0)
		return r;
	cr->cg->warn = ro->warn;
	r = cr->cg->ops->create(cr->cg, err);
	/* rootless: not the host's root, or its uid 0 in a user namespace (rootless berth) */
	if (r < 0 && (geteuid() != 0 || in_nested_userns()) &&
	    (r == -EACCES || r == -EPERM || r == -EROFS))
		return skip_cgroup(cr, err);
	if (r < 0 || (r = cgroup_check_thawed(cr->cg, err)) < 0)
		return r;
	warn_if_not_empty(cr, ro->warn);
	r = cr->cg->ops->apply(cr->cg, &cr->spec->linux.resources, err);
	return r < 0 ? berr_wrap(err, "config.json: linux.resources") : 0;
}

/* Undo a failed create: the init, its cgroup, then the state directory. */
static void creation_abort(const struct create_opts *o, struct creation *cr)
{
	if (cr->pid > 0) {
		(void) kill(cr->pid, SIGKILL);
		while (waitpid(cr->pid, NULL, 0) < 0 && errno == EINTR)
			;
		cr->pid = 0;
	}
	if (cr->cg && cr->st.cgroup_created)
		(void) cr->cg->ops->destroy(cr->cg, NULL);
	if (cr->dir_fd >= 0)
		(void) state_dir_remove(cr->root_fd, o->id);
	/* runtime.md: a failed hook stops the container and goes on at delete's steps. */
	if (cr->hooks_started)
		lifecycle_poststop(cr->spec, &cr->st, cr->warn);
}

/* The fds that pass into the container, and where its terminal goes. */
static int open_passed_fds(const struct create_opts *o, struct creation *cr, struct berr **err)
{
	int r = passfds_listen_count(err);

	if (r < 0)
		return r;
	cr->listen_fds = r;
	r = passfds_check(cr->listen_fds, o->preserve_fds, err);
	if (r < 0 || !cr->spec->process->terminal)
		return r;
	if (o->console_socket)
		return terminal_connect(o->console_socket, &cr->console[1], err);
	return terminal_socketpair(&cr->console[0], &cr->console[1], err);
}

/* The config as create read it, for the commands that come later (exec, poststart,
 * poststop): later edits of the bundle must not change the container. */
static int save_config(struct creation *cr, struct berr **err)
{
	int r = write_file_atomic_at(cr->dir_fd, STATE_CONFIG, cr->config_text, cr->config_len,
				     0600, false);

	return r < 0 ? berr_sys(err, -r, "writing %s", STATE_CONFIG) : 0;
}

static int do_create(const struct runtime_opts *ro, const struct create_opts *o, bool run_mode,
		     struct creation *cr, struct berr **err)
{
	int r;

	if (!state_id_valid(o->id))
		return berr_set(err, EINVAL, "invalid container id '%s'", o->id);
	cr->warn = ro->warn;
	if ((r = load_bundle(ro, o, cr, err)) < 0 || (r = open_passed_fds(o, cr, err)) < 0 ||
	    (r = state_root_open(ro->root, true, &cr->root_fd, err)) < 0 ||
	    (r = state_dir_create(cr->root_fd, o->id, &cr->dir_fd, err)) < 0)
		return r;
	fill_state(o, cr);
	if ((r = save_config(cr, err)) < 0)
		goto out_abort;
	if ((r = setup_cgroup(ro, o, cr, err)) < 0 || (!run_mode && (r = make_fifo(cr, err)) < 0) ||
	    (r = namespaces_open_paths(&cr->spec->linux, cr->ctx.ns_fds, err)) < 0 ||
	    (r = mounts_prepare_idmapped(cr->spec, cr->bundle_fd, &cr->idmap_trees, err)) < 0 ||
	    (r = sync_pair(cr->sync, err)) < 0 ||
	    (r = security_prepare(cr->spec, cr->spec->process, cr->root_fd, &cr->ctx.sec, err)) < 0)
		goto out_abort;
	fill_ctx(o, cr);
	r = spawn_init(cr, err);
	if (r < 0)
		goto out_abort;
	cr->st.phase = STATUS_CREATED;
	log_debug("container '%s': init %d, cgroup '%s'", o->id, (int) cr->pid,
		  cr->st.cgroup_path ? cr->st.cgroup_path : "(none)");
	/* run saves "running" next, and holds the lock until then: nobody sees "created". */
	if ((!run_mode && (r = state_save(cr->dir_fd, &cr->st, err)) < 0) ||
	    (o->pid_file && (r = lifecycle_write_pid_file(o->pid_file, cr->pid, err)) < 0))
		goto out_abort;
	return 0;
out_abort:
	creation_abort(o, cr);
	return r;
}

int lifecycle_create(const struct runtime_opts *ro, const struct create_opts *o, struct berr **err)
{
	struct creation cr;
	int r;

	creation_init(&cr);
	r = do_create(ro, o, false, &cr, err);
	creation_done(&cr);
	return r;
}

int lifecycle_start(const struct runtime_opts *ro, const char *id, struct berr **err)
{
	_cleanup_close_ int rootfd = -1, dirfd = -1;
	_cleanup_state_ struct container_state *st = NULL;
	enum container_status status;
	int r;

	if ((r = state_root_open(ro->root, false, &rootfd, err)) < 0)
		return r == -ENOENT ? berr_set(err, ENOENT, "container '%s' does not exist", id)
				    : r;
	if ((r = state_dir_open(rootfd, id, true, &dirfd, err)) < 0 ||
	    (r = state_load(dirfd, &st, err)) < 0)
		return r;
	status = state_status(st);
	if (status != STATUS_CREATED)
		return berr_set(err, EINVAL, "cannot start container '%s': it is %s, not created",
				id, status_name(status));
	r = exec_fifo_start(dirfd, id, err);
	if (r < 0)
		return r;
	log_debug("container '%s': started init %d", id, (int) st->pid);
	st->phase = STATUS_RUNNING;
	if ((r = state_save(dirfd, st, err)) < 0)
		return r;
	r = lifecycle_poststart_saved(dirfd, st, err);
	if (r < 0) {
		/*
		 * runtime.md: a failed poststart hook stops the container and the lifecycle goes
		 * on at delete's step: destroyed as delete would, poststop hooks included.
		 */
		struct berr *derr = NULL;

		closep(&dirfd);
		dirfd = -1;
		if (lifecycle_delete(ro, id, true, &derr) < 0 && ro->warn && derr)
			ro->warn(derr->msg);
		berr_clear(&derr);
	}
	return r;
}

/* run: the init is our child; tell it to start and see it exec (the sync socket closes). */
static int run_start(struct creation *cr, struct berr **err)
{
	int r;

	if (sync_send(cr->sync[0], SYNC_START, NULL, 0) < 0)
		return berr_sys(err, errno, "starting the container");
	r = sync_expect(cr->sync[0], 0, NULL, 0, NULL, err);
	if (r == -EPIPE) {
		berr_clear(err);
		r = 0; /* closed on exec: it runs */
	}
	if (r < 0)
		return r;
	cr->st.phase = STATUS_RUNNING;
	return state_save(cr->dir_fd, &cr->st, err);
}

/* A foreground terminal: the init sent the pty's master before it was ready. */
static int start_proxy(struct creation *cr, struct terminal_proxy *tp, struct berr **err)
{
	int master = -1;
	int r = terminal_recv_fd(cr->console[0], &master, err);

	if (r < 0)
		return r;
	return terminal_proxy_start(tp, master, err);
}

int lifecycle_run(const struct runtime_opts *ro, const struct create_opts *o, int *ret_exit_code,
		  struct berr **err)
{
	struct terminal_proxy tp = {.master = -1};
	struct creation cr;
	sigset_t set;
	int r;

	*ret_exit_code = 0;
	/* Block before clone so no signal is lost; the init unblocks them. */
	if (!o->detach && (r = monitor_block_signals(&set, NULL)) < 0)
		return berr_sys(err, -r, "blocking signals");
	creation_init(&cr);
	r = do_create(ro, o, true, &cr, err);
	if (r < 0)
		goto out;
	r = run_start(&cr, err);
	if (r >= 0 && cr.console[0] >= 0)
		r = start_proxy(&cr, &tp, err);
	if (r >= 0)
		r = lifecycle_poststart(cr.spec, &cr.st, err);
	if (r < 0) {
		cr.hooks_started = true; /* past start: poststop runs whatever failed */
		creation_abort(o, &cr);
		goto out;
	}
	if (o->detach)
		goto out;
	/* Unlock: state, kill and delete of the running container must not wait for us. */
	(void) close(cr.dir_fd);
	cr.dir_fd = -1;
	r = monitor_wait(cr.pid, &set, cr.console[0] >= 0 ? &tp : NULL, ret_exit_code, err);
	if (r >= 0) {
		creation_done(&cr);
		if (!o->keep)
			r = lifecycle_delete(ro, o->id, true, err);
	}
out:
	terminal_proxy_finish(&tp);
	creation_done(&cr);
	return r;
}
