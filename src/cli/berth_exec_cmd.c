/* SPDX-License-Identifier: Apache-2.0 */
/* berth exec: a process in a running container, through `runtime exec --process`. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/attach.h"
#include "cli/berth_cmds.h"
#include "cli/berth_container.h"
#include "cli/berth_exec.h"
#include "cli/exec_tty.h"
#include "engine/container_runtime.h"
#include "engine/events.h"
#include "engine/exec_files.h"
#include "engine/exec_process.h"
#include "engine/user_lookup.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/log.h"
#include "lib/strv.h"

#define EXEC_USAGE "[options] CONTAINER COMMAND [ARG...]"
#define CONFIG_MAX (16 << 20)

static int parse_exec(int argc, char **argv, struct exec_flags *f, char ***ret_pos)
{
	const struct opt_def defs[] = {
		{"detach", 'd', OPT_BOOL, &f->detach, NULL, "run in the background"},
		{"interactive", 'i', OPT_BOOL, &f->interactive, NULL, "keep STDIN open"},
		{"tty", 't', OPT_BOOL, &f->tty, NULL, "allocate a pseudo-TTY"},
		{"env", 'e', OPT_LIST, &f->env, "K=V", "set environment variables"},
		{"user", 'u', OPT_STRING, &f->user, "USER[:GROUP]", "user (name or uid)"},
		{"workdir", 'w', OPT_STRING, &f->workdir, "DIR", "working directory"},
		{"privileged", 0, OPT_BOOL, &f->privileged, NULL, "every capability"},
		{"detach-keys", 0, OPT_STRING, &f->detach_keys, "KEYS",
		 "key sequence to detach (default ctrl-p,ctrl-q)"},
		END_OPTS,
	};
	_cleanup_free_ char *msg = NULL;

	for (int i = 1; i < argc && argv[i][0] == '-'; i++)
		if (strcmp(argv[i], "--help") == 0) {
			printf("Usage: berth exec %s\n", EXEC_USAGE);
			argparse_help(defs);
			return 1;
		}
	if (argparse(argc, argv, 1, defs, true, 1, ret_pos, &msg) < 0) {
		log_error_report("exec: %s%s", msg ? msg : "out of memory", berth_global_hint(msg));
		return -1;
	}
	if (strv_length(*ret_pos) < 2) {
		log_error_report(
			"\"berth exec\" requires at least 2 arguments.\nUsage:  berth exec %s",
			EXEC_USAGE);
		return -1;
	}
	return 0;
}

int berth_exec_write_process(struct container *c, const struct exec_flags *f, char *const *args,
			     char **ret_path, int *ret_lock, struct berr **err)
{
	_cleanup_free_ char *config = NULL, *text = NULL;
	_cleanup_close_ int rootfd = -1;
	struct exec_user user = {0};
	struct exec_request rq = {.args = args,
				  .env = f->env,
				  .cwd = f->workdir,
				  .tty = f->tty,
				  .privileged = f->privileged};
	int r;

	if ((r = read_file_at(c->dirfd, "bundle/config.json", CONFIG_MAX, &config, NULL)) < 0)
		return berr_sys(err, -r, "cannot read the container's config.json");
	if (f->user) {
		rootfd = openat(c->dirfd, "bundle/rootfs", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0)
			return berr_sys(err, errno, "cannot open the container's rootfs");
		if ((r = user_lookup(rootfd, f->user, &user, err)) < 0)
			return r; /* user_lookup() says "unable to find user ..." */
		/* docker: the container's --group-add for exec -u too */
		if ((r = user_add_groups(rootfd, c->cfg->group_add, &user, err)) < 0) {
			exec_user_done(&user);
			return r;
		}
		rq.user = &user;
	}
	r = exec_process_json(config, &rq, &text, err);
	exec_user_done(&user);
	if (r < 0)
		return r;
	(void) exec_files_sweep(c->dirfd); /* what killed execs left */
	return exec_file_create(c->dirfd, c->dir, text, ret_path, ret_lock, err);
}

int berth_exec_failure(const char *log, char **ret_msg)
{
	char *msg = runtime_log_error(log);
	int code = 126;

	if (msg && (strcasestr(msg, "not found") || strcasestr(msg, "no such file")))
		code = 127;
	*ret_msg = msg;
	return code;
}

/* The runtime's error is in its log; say it. */
static int exec_failure_code(const char *log)
{
	_cleanup_free_ char *msg = NULL;
	int code = berth_exec_failure(log, &msg);

	if (msg)
		log_error_report("%s", msg);
	return code;
}

int berth_exec_args(const char *process, const char *pidfile, bool detach, bool tty,
		    const char *console, const char *id, char ***ret)
{
	_cleanup_strv_ char **args = NULL;

	if (strv_push_dup(&args, "exec") < 0 || strv_push_dup(&args, "--pid-file") < 0 ||
	    strv_push_dup(&args, pidfile) < 0 || strv_push_dup(&args, "--process") < 0 ||
	    strv_push_dup(&args, process) < 0 || (detach && strv_push_dup(&args, "-d") < 0) ||
	    (tty && strv_push_dup(&args, "-t") < 0) ||
	    (console &&
	     (strv_push_dup(&args, "--console-socket") < 0 || strv_push_dup(&args, console) < 0)) ||
	    strv_push_dup(&args, id) < 0)
		return -ENOMEM;
	*ret = TAKE_PTR(args);
	return 0;
}

int berth_exec_target(struct berth_ctx *ctx, const char *ref, struct engine **ret_e,
		      struct container **ret, struct berr **err)
{
	_cleanup_container_ struct container *c = NULL;
	struct engine *e = berth_engine(ctx);
	int r;

	if (!e)
		return -EIO;
	if ((r = container_open(e, ref, true, &c, err)) < 0)
		return r;
	(void) container_refresh(e, c, NULL);
	container_unlock(c);
	if (c->st.status == STATUS_PAUSED)
		return berr_set(err, EINVAL,
				"Container %s is paused, unpause the container before exec", ref);
	if (c->st.status != STATUS_RUNNING)
		return berr_set(err, EINVAL, "Container %s is not running", c->cfg->id);
	*ret_e = e;
	*ret = TAKE_PTR(c);
	return 0;
}

void berth_exec_event(struct engine *e, const struct container *c, const char *what,
		      char *const *args)
{
	_cleanup_free_ char *cmd = strv_join(args, " "), *action = NULL;

	if (cmd && asprintf(&action, "%s: %s", what, cmd) >= 0)
		(void) events_container(e->root, c->cfg, action, NULL, NULL);
}

int berth_cmd_exec(struct berth_ctx *ctx, int argc, char **argv)
{
	struct exec_flags f = {0};
	_cleanup_strv_ char **pos = NULL, **args = NULL;
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_free_ char *process = NULL, *pidfile = NULL, *log = NULL;
	_cleanup_close_ int process_lock = -1; /* held while this exec lives (exec_files.h) */
	struct container_rt rt;
	struct engine *e;
	_cleanup_(console_socket_freep) struct console_socket *cs = NULL;
	struct detach_keys keys;
	int r = parse_exec(argc, argv, &f, &pos);

	if (r == 0 && berth_detach_keys(f.detach_keys, &keys) < 0)
		r = -1;
	if (r != 0) {
		strv_free(f.env);
		return r > 0 ? 0 : 125;
	}
	if ((r = berth_exec_target(ctx, pos[0], &e, &c, &err)) < 0) {
		strv_free(f.env);
		/* docker: a missing, stopped or paused container is the daemon's error, 1 */
		return berth_report(r, &err) ? 1 : 0;
	}
	r = berth_exec_write_process(c, &f, pos + 1, &process, &process_lock, &err);
	strv_free(f.env);
	if (r < 0)
		return berth_report(r, &err) ? 126 : 0;
	berth_exec_event(e, c, "exec_create", pos + 1);
	if (container_rt_init(e, c, &rt) < 0)
		return 126;
	if (asprintf(&pidfile, "%s.pid", process) < 0 || asprintf(&log, "%s.log", process) < 0)
		return 126;
	rt.rt.log = log;
	/* -it from a terminal: berth relays it (the detach keys), the runtime detaches */
	if (f.tty && f.interactive && !f.detach && isatty(STDIN_FILENO) &&
	    (r = console_socket_open(c->dirfd, &cs, &err)) < 0)
		return berth_report(r, &err) ? 126 : 0;
	r = berth_exec_args(process, pidfile, f.detach || cs, f.tty, cs ? cs->path : NULL,
			    c->cfg->id, &args);
	if (r >= 0) {
		struct runtime_spawn s = {
			.args = args, .inherit_stdio = !f.detach, .stdio = {-1, -1, -1}};

		if (cs)
			exec_tty_prepare();
		berth_exec_event(e, c, "exec_start", pos + 1);
		r = runtime_run(&rt.rt, &s, &err);
	}
	if (r == 0 && cs)
		r = exec_tty_relay(cs, pidfile, &keys, &err);
	rt.rt.log = NULL;
	container_rt_done(&rt);
	if (r > 0 && access(pidfile, F_OK) < 0)
		r = exec_failure_code(log);
	(void) unlink(process);
	(void) unlink(pidfile);
	(void) unlink(log);
	if (r < 0)
		return berth_report(r, &err) ? 126 : 0;
	return r;
}
