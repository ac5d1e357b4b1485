/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The runner of `berth build`'s RUN steps: the engine's own commands (create, start -a,
 * wait, rm) run as child processes of this binary, so a step's container is made,
 * attached and cleaned up exactly as `berth run` does it.
 */
#include "cli/berth_build_run.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/container_ops.h"
#include "engine/container_store.h"
#include "engine/proc.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/strv.h"

static char **engine_argv(const struct build_cli *bc, const char *cmd)
{
	char **v = NULL;

	if (strv_push_dup(&v, "/proc/self/exe") < 0 || strv_push_dup(&v, "--root") < 0 ||
	    strv_push_dup(&v, bc->root) < 0 || strv_push_dup(&v, cmd) < 0)
		return strv_free(v);
	return v;
}

/* The signal (SIGINT, SIGTERM, SIGHUP) that asked the build to stop, or 0. */
static volatile sig_atomic_t interrupted;
static pid_t parent_pid; /* the build's, as its children check it */

static void on_stop_signal(int sig)
{
	interrupted = sig;
}

int berth_build_interrupted(void)
{
	return interrupted;
}

/* Without SA_RESTART, so the wait for a step's child returns EINTR. */
static void catch_stop_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa = {.sa_handler = on_stop_signal}, old;

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		/* a signal the caller ignores (a shell's background job) stays ignored */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			(void) sigaction(sigs[i], &sa, NULL);
}

enum spawn_mode {
	SPAWN_NORMAL,	 /* not started once the build is interrupted; else runs to its end */
	SPAWN_STOPPABLE, /* killed when the build is interrupted (`start -a` of a step) */
	SPAWN_CLEANUP,	 /* runs even when the build is interrupted (rm -f of a step) */
};

static void child_exec(const struct build_cli *bc, char *const *argv, int out_fd,
		       const sigset_t *mask, enum spawn_mode mode)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	/* a step's attach client is of no use once the build is gone (even by SIGKILL) */
	if (mode == SPAWN_STOPPABLE &&
	    (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent_pid))
		_exit(127);
	(void) sigprocmask(SIG_SETMASK, mask, NULL);
	if (null >= 0)
		(void) dup2(null, STDIN_FILENO);
	if (out_fd < 0 && bc->out_fd > 0)
		out_fd = bc->out_fd;
	if (out_fd >= 0)
		(void) dup2(out_fd, STDOUT_FILENO);
	else if (bc->quiet && null >= 0)
		(void) dup2(null, STDOUT_FILENO);
	if (bc->out_fd > 0)
		(void) dup2(bc->out_fd, STDERR_FILENO);
	else if (bc->quiet && null >= 0)
		(void) dup2(null, STDERR_FILENO);
	execv("/proc/self/exe", argv);
	_exit(127);
}

/*
 * Wait for pid with the stop signals blocked except inside ppoll (so one that comes
 * just before the wait is not missed); a STOPPABLE child is killed once interrupted.
 */
static int wait_child(pid_t pid, enum spawn_mode mode, const sigset_t *mask, int *ret_status)
{
	_cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);

	while (pidfd >= 0) {
		struct pollfd pfd = {.fd = pidfd, .events = POLLIN};

		if (interrupted && mode == SPAWN_STOPPABLE)
			(void) kill(pid, SIGKILL); /* it would only proxy the signal to the step */
		if (ppoll(&pfd, 1, NULL, mask) > 0 || errno != EINTR)
			break;
	}
	while (waitpid(pid, ret_status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* Run argv; its stdout into *ret_out when asked, else to ours (or /dev/null when quiet). */
static int spawn_as(const struct build_cli *bc, char *const *argv, char **ret_out, int *ret_code,
		    enum spawn_mode mode)
{
	int p[2] = {-1, -1}, status = 0, r;
	sigset_t stop, mask;
	pid_t pid;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	if (interrupted && mode != SPAWN_CLEANUP)
		return -EINTR;
	if (ret_out && pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	(void) sigprocmask(SIG_BLOCK, &stop, &mask);
	parent_pid = getpid();
	pid = fork();
	if (pid == 0)
		child_exec(bc, argv, p[1], &mask, mode);
	if (p[1] >= 0)
		close(p[1]);
	if (pid > 0 && ret_out) {
		size_t len;

		if (read_fd_all(p[0], 4096, ret_out, &len) < 0)
			*ret_out = NULL;
	}
	if (p[0] >= 0)
		close(p[0]);
	r = pid < 0 ? -errno : wait_child(pid, mode, &mask, &status);
	(void) sigprocmask(SIG_SETMASK, &mask, NULL);
	if (r < 0)
		return r;
	*ret_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return 0;
}

static int spawn(const struct build_cli *bc, char *const *argv, char **ret_out, int *ret_code)
{
	return spawn_as(bc, argv, ret_out, ret_code, SPAWN_NORMAL);
}

static char *label_arg(const char *key, const char *value)
{
	char *s;

	return asprintf(&s, "%s=%s", key, value) < 0 ? NULL : s;
}

static int run_create(void *ud, const char *image, char *const *argv, char *const *env,
		      char **ret_id, struct berr **err)
{
	const struct build_cli *bc = ud;
	_cleanup_strv_ char **v = engine_argv(bc, "create");
	_cleanup_free_ char *out = NULL;
	int code = 0, r = v ? 0 : -ENOMEM;

	if (r >= 0 && bc->runtime)
		r = strv_push_dup(&v, "--runtime") < 0 ? -ENOMEM : strv_push_dup(&v, bc->runtime);
	if (r >= 0 && bc->cgroup_parent)
		r = strv_push_dup(&v, "--cgroup-parent") < 0 ? -ENOMEM
							     : strv_push_dup(&v, bc->cgroup_parent);
	if (r >= 0)
		r = strv_push_dup(&v, "--network") < 0 ? -ENOMEM : strv_push_dup(&v, bc->network);
	if (r >= 0 && (strv_push_dup(&v, "--label") < 0 ||
		       strv_consume(&v, label_arg(BUILD_OWNER_LABEL, bc->owner)) < 0))
		r = -ENOMEM;
	if (r >= 0)
		r = strv_push_dup(&v, "--entrypoint") < 0 ? -ENOMEM : strv_push_dup(&v, argv[0]);
	STRV_FOREACH (e, env)
		if (r >= 0)
			r = strv_push_dup(&v, "-e") < 0 ? -ENOMEM : strv_push_dup(&v, *e);
	if (r >= 0)
		r = strv_push_dup(&v, image);
	for (size_t i = 1; r >= 0 && argv[i]; i++)
		r = strv_push_dup(&v, argv[i]);
	if (r < 0)
		return berr_set(err, ENOMEM, "out of memory");
	r = spawn(bc, v, &out, &code);
	if (r == -EINTR)
		return berr_set(err, EINTR, "interrupted (%s)", strsignal(interrupted));
	if (r < 0 || code != 0 || !out || strlen(out) < 12)
		return berr_set(err, EIO, "cannot create the container of the step");
	out[strcspn(out, "\n")] = '\0';
	*ret_id = TAKE_PTR(out);
	return 0;
}

static int run_start(void *ud, const char *id, int *ret_code, struct berr **err)
{
	const struct build_cli *bc = ud;
	_cleanup_strv_ char **start = engine_argv(bc, "start"), **wait = engine_argv(bc, "wait");
	_cleanup_free_ char *out = NULL;
	int code = 0;

	if (!start || !wait || strv_push_dup(&start, "-a") < 0 || strv_push_dup(&start, id) < 0 ||
	    strv_push_dup(&wait, id) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	fflush(stdout);
	if (spawn_as(bc, start, NULL, &code, SPAWN_STOPPABLE) < 0 ||
	    spawn(bc, wait, &out, &code) < 0 || code != 0 || !out)
		return interrupted
			       ? berr_set(err, EINTR, "interrupted (%s)", strsignal(interrupted))
			       : berr_set(err, EIO, "cannot run the container of the step");
	*ret_code = atoi(out);
	return 0;
}

static void run_remove(void *ud, const char *id)
{
	const struct build_cli *bc = ud;
	_cleanup_strv_ char **v = engine_argv(bc, "rm");
	_cleanup_free_ char *out = NULL;
	int code;

	if (v && strv_push_dup(&v, "-f") >= 0 && strv_push_dup(&v, id) >= 0)
		(void) spawn_as(bc, v, &out, &code, SPAWN_CLEANUP);
}

static int run_idmap(void *ud, const char *id, char ***ret_uid_map, char ***ret_gid_map,
		     struct berr **err)
{
	const struct build_cli *bc = ud;
	_cleanup_container_ struct container *c = NULL;
	struct engine *e = NULL;
	int r = engine_open(bc->root, &e, err);

	if (r >= 0)
		r = container_load(e, id, false, &c, err);
	engine_free(e);
	if (r < 0)
		return r;
	*ret_uid_map = TAKE_PTR(c->cfg->uid_map);
	*ret_gid_map = TAKE_PTR(c->cfg->gid_map);
	return 0;
}

static void progress(void *ud, const char *line)
{
	(void) ud;
	printf("%s\n", line);
	fflush(stdout);
}

void berth_build_runner(struct build_cli *bc, struct build_runner *ret)
{
	snprintf(bc->owner, sizeof(bc->owner), "%d:%" PRIu64, (int) getpid(),
		 proc_starttime(getpid()));
	if (!bc->in_service)
		catch_stop_signals();
	*ret = (struct build_runner){
		.ud = bc,
		.create = run_create,
		.start = run_start,
		.remove = run_remove,
		.idmap = run_idmap,
		.progress = bc->quiet ? NULL : progress,
	};
}

/* The step container c's build is gone: its owner label names no running process. */
static bool orphaned_step(const struct container *c)
{
	const char *owner = strv_env_get(c->cfg->labels, BUILD_OWNER_LABEL) /* K=V */;
	unsigned long long start;
	int pid;

	if (!owner || sscanf(owner, "%d:%llu", &pid, &start) != 2 || pid <= 0)
		return false;
	return !proc_alive(pid, start);
}

void berth_build_reap(struct berth_ctx *ctx)
{
	struct engine *e = berth_engine(ctx);
	struct image_store *s = berth_store(ctx);
	_cleanup_strv_ char **ids = NULL;

	if (!e || !s || container_list_ids(e, &ids) < 0)
		return;
	STRV_FOREACH (id, ids) {
		_cleanup_container_ struct container *c = NULL;

		/* looked at unlocked; removed (killed first) under the lock */
		if (container_load(e, *id, false, &c, NULL) < 0 || !orphaned_step(c))
			continue;
		c = container_free(c);
		if (container_load(e, *id, true, &c, NULL) >= 0 && orphaned_step(c))
			(void) container_remove(e, s, c, true, true, NULL);
	}
}
