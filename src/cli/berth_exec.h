/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The steps of `berth exec`, shared by the CLI (berth_exec_cmd.c) and the API's exec
 * (src/api/api_exec.c): find the running container, write the exec's process.json, build
 * the runtime's command line, and read why a process never started.
 */
#ifndef BERTH_CLI_BERTH_EXEC_H
#define BERTH_CLI_BERTH_EXEC_H

#include <stdbool.h>

#include "cli/berth_cmds.h"
#include "engine/container_store.h"
#include "lib/err.h"

struct exec_flags {
	bool detach, interactive, tty, privileged;
	const char *user, *workdir, *detach_keys;
	char **env;
};

/*
 * The running container ref (unlocked in *ret), in docker's words when it is missing
 * (-ENOENT), stopped or paused (-EINVAL).
 */
int berth_exec_target(struct berth_ctx *ctx, const char *ref, struct engine **ret_e,
		      struct container **ret, struct berr **err);

/*
 * Write the exec's process.json for args into c's directory: *ret_path its path, *ret_lock
 * the fd that holds its lock while the exec lives (exec_files.h).
 */
int berth_exec_write_process(struct container *c, const struct exec_flags *f, char *const *args,
			     char **ret_path, int *ret_lock, struct berr **err);

/* docker's "exec_create: CMD ARGS" and "exec_start: CMD ARGS" events */
void berth_exec_event(struct engine *e, const struct container *c, const char *what,
		      char *const *args);

/*
 * The runtime's arguments: exec --pid-file PIDFILE --process PROCESS [-d] [-t]
 * [--console-socket CONSOLE] ID; *ret is malloc'd.
 */
int berth_exec_args(const char *process, const char *pidfile, bool detach, bool tty,
		    const char *console, const char *id, char ***ret);

/*
 * The process never started (no pid file): docker's codes, 127 for a command that is not
 * there, 126 for one that cannot run; *ret_msg the runtime's error from its log, or NULL.
 */
int berth_exec_failure(const char *log, char **ret_msg);

#endif
