/* SPDX-License-Identifier: Apache-2.0 */
/* berth stop, kill, rm, wait, restart, pause, unpause, `container ...`: the table. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/berth_cmds.h"
#include "cli/berth_container.h"
#include "cli/port_format.h"
#include "engine/container_ops.h"
#include "engine/events.h"
#include "engine/units.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/log.h"
#include "lib/strv.h"

struct engine *berth_engine(struct berth_ctx *ctx)
{
	_cleanup_berr_ struct berr *err = NULL;

	if (!ctx->engine && engine_open(ctx->root, &ctx->engine, &err) < 0) {
		log_error_report("%s", err ? err->msg : "cannot open the container store");
		return NULL;
	}
	return ctx->engine;
}

/* One container: open it (any: also a dead one, missing or corrupt files, for rm), run op. */
static int one_container(struct berth_ctx *ctx, struct engine *e, const char *ref, container_op op,
			 void *arg, bool any, struct berr **err)
{
	_cleanup_container_ struct container *c = NULL;
	int r = any ? container_open_any(e, ref, true, &c, err)
		    : container_open(e, ref, true, &c, err);

	return r < 0 ? r : op(ctx, c, arg, err);
}

/* As docker: at most this many containers are worked on at once. */
#define PARALLEL_MAX 32

struct worker {
	pid_t pid;
	int out; /* the child's error message, if any */
};

/* A child runs the op; its error text comes back through a pipe. */
static void start_worker(struct berth_ctx *ctx, struct engine *e, const char *ref, container_op op,
			 void *arg, bool any, struct worker *w)
{
	int p[2];

	w->pid = -1;
	w->out = -1;
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	fflush(stdout);
	w->pid = fork();
	if (w->pid == 0) {
		_cleanup_berr_ struct berr *err = NULL;
		int r;

		(void) close(p[0]);
		r = one_container(ctx, e, ref, op, arg, any, &err);
		if (r < 0)
			(void) dprintf(p[1], "%s", err ? err->msg : strerror(-r));
		fflush(stdout);
		_exit(r < 0);
	}
	(void) close(p[1]);
	if (w->pid < 0)
		(void) close(p[0]);
	else
		w->out = p[0];
}

/* The worker's result: 0, or -1 with its message in *msg (malloc'd). */
static int finish_worker(struct worker *w, char **msg)
{
	size_t len = 0;
	int status = 0;

	*msg = NULL;
	if (w->pid < 0)
		return (*msg = strdup("cannot start a process for it: out of resources")), -1;
	(void) read_fd_all(w->out, 1 << 16, msg, &len);
	(void) close(w->out);
	while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (!*msg || !**msg) {
		free(*msg);
		*msg = strdup("the operation died");
	}
	return -1;
}

/*
 * Run op on each container named in pos, side by side as docker does (`stop a b c` takes
 * one timeout, not three), printing each name or error in the order given.
 */
int berth_each_container(struct berth_ctx *ctx, char **pos, container_op op, void *arg, bool print,
			 bool any)
{
	struct engine *e = berth_engine(ctx);
	size_t n = strv_length(pos);
	_cleanup_free_ struct worker *w = NULL;
	int code = 0;

	if (!e)
		return 1;
	if (n == 1) {
		_cleanup_berr_ struct berr *err = NULL;
		int r = one_container(ctx, e, pos[0], op, arg, any, &err);

		if (r < 0)
			log_error_report("%s", err ? err->msg : strerror(-r));
		else if (print)
			printf("%s\n", pos[0]);
		return r < 0;
	}
	if (!(w = calloc(n, sizeof(*w))))
		return 1;
	for (size_t i = 0; i < n && i < PARALLEL_MAX; i++)
		start_worker(ctx, e, pos[i], op, arg, any, &w[i]);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *msg = NULL;

		if (finish_worker(&w[i], &msg) < 0) {
			log_error_report("%s", msg ? msg : "out of memory");
			code = 1;
		} else if (print) {
			printf("%s\n", pos[i]);
			fflush(stdout);
		}
		if (i + PARALLEL_MAX < n)
			start_worker(ctx, e, pos[i + PARALLEL_MAX], op, arg, any,
				     &w[i + PARALLEL_MAX]);
	}
	return code;
}

static int each_container(struct berth_ctx *ctx, char **pos, container_op op, void *arg, bool print)
{
	return berth_each_container(ctx, pos, op, arg, print, false);
}

static int op_stop(struct berth_ctx *ctx, struct container *c, void *arg, struct berr **err)
{
	return container_stop(ctx->engine, c, *(int64_t *) arg, err);
}

static int cmd_stop(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	const char *time_s = NULL;
	const struct opt_def defs[] = {
		{"time", 't', OPT_STRING, &time_s, "SECONDS", "seconds to wait before killing"},
		{"timeout", 0, OPT_STRING, &time_s, NULL, NULL},
		END_OPTS,
	};
	_cleanup_berr_ struct berr *err = NULL;
	int64_t t = -1;

	BERTH_PARSE_OR_RETURN(
		berth_parse(argc, argv, defs, "[options] CONTAINER [CONTAINER...]", 1, 1024, &pos));
	if (time_s && units_parse_int(time_s, -1, INT32_MAX, "--time", &t, &err) < 0)
		return berth_report(-EINVAL, &err) ? 125 : 0;
	return each_container(ctx, pos, op_stop, &t, true);
}

static int op_kill(struct berth_ctx *ctx, struct container *c, void *arg, struct berr **err)
{
	return container_kill(ctx->engine, c, *(int *) arg, err);
}

static int cmd_kill(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	const char *sig_s = "KILL";
	const struct opt_def defs[] = {
		{"signal", 's', OPT_STRING, &sig_s, "SIGNAL", "signal to send (default KILL)"},
		END_OPTS,
	};
	_cleanup_berr_ struct berr *err = NULL;
	int sig;

	BERTH_PARSE_OR_RETURN(
		berth_parse(argc, argv, defs, "[options] CONTAINER [CONTAINER...]", 1, 1024, &pos));
	if (units_parse_signal(sig_s, &sig, &err) < 0)
		return berth_report(-EINVAL, &err) ? 125 : 0;
	return each_container(ctx, pos, op_kill, &sig, true);
}

struct rm_args {
	bool force, volumes;
};

static int op_rm(struct berth_ctx *ctx, struct container *c, void *arg, struct berr **err)
{
	const struct rm_args *a = arg;
	struct image_store *s = berth_store(ctx);

	if (!s)
		return berr_set(err, EIO, "cannot open the image store");
	return container_remove(ctx->engine, s, c, a->force, a->volumes, err);
}

static int cmd_rm(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	struct rm_args a = {0};
	const struct opt_def defs[] = {
		{"force", 'f', OPT_BOOL, &a.force, NULL, "kill a running container first"},
		{"volumes", 'v', OPT_BOOL, &a.volumes, NULL, "remove its anonymous volumes"},
		END_OPTS,
	};

	BERTH_PARSE_OR_RETURN(
		berth_parse(argc, argv, defs, "[options] CONTAINER [CONTAINER...]", 1, 1024, &pos));
	return berth_each_container(ctx, pos, op_rm, &a, true, true);
}

static int op_wait(struct berth_ctx *ctx, struct container *c, void *arg, struct berr **err)
{
	int r = container_wait_exit(ctx->engine, c, -1, err);

	(void) arg;
	if (r >= 0)
		printf("%d\n", c->st.exit_code);
	return r;
}

static int cmd_wait(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	const struct opt_def defs[] = {END_OPTS};

	BERTH_PARSE_OR_RETURN(
		berth_parse(argc, argv, defs, "CONTAINER [CONTAINER...]", 1, 1024, &pos));
	return each_container(ctx, pos, op_wait, NULL, false);
}

static int op_restart(struct berth_ctx *ctx, struct container *c, void *arg, struct berr **err)
{
	int r = container_stop(ctx->engine, c, *(int64_t *) arg, err);

	if (r >= 0 && (r = berth_start_container(ctx, c, -1, false, err)) >= 0)
		(void) events_container(ctx->engine->root, c->cfg, "restart", NULL, NULL);
	return r;
}

static int cmd_restart(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	const char *time_s = NULL;
	const struct opt_def defs[] = {
		{"time", 't', OPT_STRING, &time_s, "SECONDS", "seconds to wait before killing"},
		END_OPTS,
	};
	_cleanup_berr_ struct berr *err = NULL;
	int64_t t = -1;

	BERTH_PARSE_OR_RETURN(
		berth_parse(argc, argv, defs, "[options] CONTAINER [CONTAINER...]", 1, 1024, &pos));
	if (time_s && units_parse_int(time_s, -1, INT32_MAX, "--time", &t, &err) < 0)
		return berth_report(-EINVAL, &err) ? 125 : 0;
	return each_container(ctx, pos, op_restart, &t, true);
}

static int op_pause(struct berth_ctx *ctx, struct container *c, void *arg, struct berr **err)
{
	return container_pause(ctx->engine, c, *(bool *) arg, err);
}

static int pause_cmd(struct berth_ctx *ctx, int argc, char **argv, bool pause)
{
	_cleanup_strv_ char **pos = NULL;
	const struct opt_def defs[] = {END_OPTS};

	BERTH_PARSE_OR_RETURN(
		berth_parse(argc, argv, defs, "CONTAINER [CONTAINER...]", 1, 1024, &pos));
	return each_container(ctx, pos, op_pause, &pause, true);
}

static int cmd_pause(struct berth_ctx *ctx, int argc, char **argv)
{
	return pause_cmd(ctx, argc, argv, true);
}

static int cmd_unpause(struct berth_ctx *ctx, int argc, char **argv)
{
	return pause_cmd(ctx, argc, argv, false);
}

static int cmd_container(struct berth_ctx *ctx, int argc, char **argv)
{
	return berth_run_group(ctx, "container", berth_container_subcmds, 10, argc, argv);
}

/* clang-format off */
const struct berth_cmd berth_container_subcmds[] = {
	{"run", "create and start a container", berth_cmd_run},
	{"create", "create a container", berth_cmd_create},
	{"start", "start containers", berth_cmd_start},
	{"stop", "stop containers (signal, then KILL after a timeout)", cmd_stop},
	{"restart", "restart containers", cmd_restart},
	{"kill", "send a signal to containers", cmd_kill},
	{"rm", "remove containers", cmd_rm},
	{"ps", "list containers", berth_cmd_ps},
	{"logs", "show a container's logs", berth_cmd_logs},
	{"exec", "run a command in a running container", berth_cmd_exec},
	{"attach", "attach to a running container's main process", berth_cmd_attach},
	{"top", "show a container's processes", berth_cmd_top},
	{"port", "list a container's published ports", berth_cmd_port},
	{"ns", "list a container's namespaces", berth_cmd_ns},
	{"wait", "wait for containers to exit and print their exit codes", cmd_wait},
	{"pause", "freeze containers", cmd_pause},
	{"unpause", "thaw containers", cmd_unpause},
	{"stats", "show containers' CPU, memory, pids and block IO", berth_cmd_stats},
	{"diff", "show a container's changes to its image's files", berth_cmd_diff},
	{"commit", "create an image from a container's changes", berth_cmd_commit},
	{"cp", "copy files between a container and the host", berth_cmd_cp},
	{"export", "write a container's filesystem as a tar archive", berth_cmd_export},
	{"rename", "rename a container", berth_cmd_rename},
	{"update", "change containers' resources and restart policy", berth_cmd_update},
	{"ls", NULL, berth_cmd_ps},
	{"list", NULL, berth_cmd_ps},
	{"inspect", "show containers as JSON", berth_cmd_container_inspect},
	{"prune", "remove every stopped container", berth_cmd_prune},
	{NULL, NULL, NULL},
};

const struct berth_cmd berth_container_cmds[] = {
	{"container", "manage containers (berth container --help)", cmd_container},
	{"run", "create and start a container", berth_cmd_run},
	{"create", "create a container", berth_cmd_create},
	{"start", "start containers", berth_cmd_start},
	{"stop", "stop containers (signal, then KILL after a timeout)", cmd_stop},
	{"restart", "restart containers", cmd_restart},
	{"kill", "send a signal to containers", cmd_kill},
	{"rm", "remove containers", cmd_rm},
	{"ps", "list containers", berth_cmd_ps},
	{"logs", "show a container's logs", berth_cmd_logs},
	{"exec", "run a command in a running container", berth_cmd_exec},
	{"attach", "attach to a running container's main process", berth_cmd_attach},
	{"top", "show a container's processes", berth_cmd_top},
	{"port", "list a container's published ports", berth_cmd_port},
	{"ns", "list a container's namespaces", berth_cmd_ns},
	{"wait", "wait for containers to exit and print their exit codes", cmd_wait},
	{"pause", "freeze containers", cmd_pause},
	{"unpause", "thaw containers", cmd_unpause},
	{"stats", "show containers' CPU, memory, pids and block IO", berth_cmd_stats},
	{"diff", "show a container's changes to its image's files", berth_cmd_diff},
	{"cp", "copy files between a container and the host", berth_cmd_cp},
	{"export", "write a container's filesystem as a tar archive", berth_cmd_export},
	{"rename", "rename a container", berth_cmd_rename},
	{"update", "change containers' resources and restart policy", berth_cmd_update},
	{"inspect", "show containers or images as JSON", berth_cmd_inspect},
	{NULL, NULL, NULL},
};
/* clang-format on */
