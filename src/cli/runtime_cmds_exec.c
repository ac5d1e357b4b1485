/* SPDX-License-Identifier: Apache-2.0 */
/* The exec and features commands. */
#include <stdio.h>
#include <string.h>

#include "cli/argparse.h"
#include "cli/runtime_cmds.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "runtime/lifecycle/exec.h"
#include "runtime/config/oci_features.h"

#define EXEC_FAILED 255

#define EXEC_USAGE "[options] ID COMMAND [ARG...] | [options] --process FILE ID"

static void exec_opts_done(struct exec_opts *o)
{
	o->env = strv_free(o->env);
	o->additional_gids = strv_free(o->additional_gids);
	o->caps = strv_free(o->caps);
}

int runtime_cmd_exec(struct runtime_ctx *ctx, int argc, char **argv)
{
	struct exec_opts o = {.no_new_privs = -1};
	_cleanup_strv_ char **pos = NULL;
	_cleanup_free_ char *msg = NULL;
	bool help = false;
	const struct opt_def defs[] = {
		{"process", 'p', OPT_STRING, &o.process_path, "FILE",
		 "the process as process.json"},
		{"tty", 't', OPT_BOOL, &o.tty, NULL, "give the process a terminal"},
		{"console-socket", 0, OPT_STRING, &o.console_socket, "PATH",
		 "unix socket that receives the terminal's master fd (with --detach)"},
		{"cwd", 0, OPT_STRING, &o.cwd, "DIR", "working directory in the container"},
		{"env", 'e', OPT_LIST, &o.env, "NAME=VALUE", "set an environment variable"},
		{"user", 'u', OPT_STRING, &o.user, "UID[:GID]", "run as this uid (and gid)"},
		{"additional-gids", 'g', OPT_LIST, &o.additional_gids, "GID",
		 "add a supplementary group"},
		{"cap", 'c', OPT_LIST, &o.caps, "CAP_X", "add a capability"},
		{"no-new-privs", 0, OPT_TRISTATE, &o.no_new_privs, NULL, "set no_new_privs"},
		{"apparmor", 0, OPT_STRING, &o.apparmor, "PROFILE", "AppArmor profile"},
		{"process-label", 0, OPT_STRING, &o.process_label, "LABEL", "SELinux label"},
		{"detach", 'd', OPT_BOOL, &o.detach, NULL, "do not wait for the process"},
		{"pid-file", 0, OPT_STRING, &o.pid_file, "PATH", "write the process's pid to PATH"},
		{"preserve-fds", 0, OPT_INT, &o.preserve_fds, "N",
		 "pass fds 3..3+N-1 to the process"},
		{"ignore-paused", 0, OPT_BOOL, &o.ignore_paused, NULL,
		 "exec even in a paused container"},
		{"cgroup", 0, OPT_STRING, &o.cgroup, "PATH",
		 "run in this existing sub-cgroup of the container's"},
		{"help", 'h', OPT_BOOL, &help, NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL},
	};
	struct berr *err = NULL;
	int r, code = 0;

	/* Options come before the id; everything after it is the command, verbatim. */
	r = argparse(argc, argv, 1, defs, true, 1, &pos, &msg);
	if (r < 0 || (!help && !pos)) {
		log_error_report("exec: %s", r < 0 ? (msg ? msg : "out of memory")
						   : "usage: berth-runtime exec " EXEC_USAGE);
		exec_opts_done(&o);
		return 1;
	}
	if (help) {
		printf("Usage: berth-runtime exec %s\n", EXEC_USAGE);
		argparse_help(defs);
		exec_opts_done(&o);
		return 0;
	}
	o.id = pos[0];
	o.args = pos + 1;
	r = lifecycle_exec(&ctx->opts, &o, &code, &err);
	exec_opts_done(&o);
	/* A process that could not be started: 255, as runc, apart from any exit code. */
	if (r < 0)
		return runtime_cmds_report(r, &err) ? EXEC_FAILED : 0;
	return code;
}

int runtime_cmd_features(struct runtime_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	_cleanup_free_ char *json = NULL;
	const struct opt_def defs[] = {{NULL, 0, 0, NULL, NULL, NULL}};
	struct berr *err = NULL;
	int r;

	(void) ctx;
	r = runtime_cmds_parse(argc, argv, defs, "", 0, 0, &pos);
	if (r != 0)
		return r > 0 ? 0 : 1;
	r = features_json(&json, &err);
	if (r < 0)
		return runtime_cmds_report(r, &err);
	printf("%s\n", json);
	return 0;
}
