/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The runtime's operations (runtime.md "Operations", with runc's command line): create,
 * start, run, state, kill, delete, list. Each takes parsed options and reports through
 * struct berr; none prints.
 */
#ifndef BERTH_RUNTIME_LIFECYCLE_H
#define BERTH_RUNTIME_LIFECYCLE_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/err.h"
#include "runtime/lifecycle/runtime_opts.h"
#include "runtime/lifecycle/state.h"

struct create_opts {
	const char *id;
	const char *bundle; /* "." when not given */
	const char *pid_file;
	const char *console_socket;
	int preserve_fds;
	bool detach;
	bool no_pivot;
	bool no_new_keyring;
	bool keep; /* run: leave the stopped container for `delete`, as runc --keep */
};

int lifecycle_create(const struct runtime_opts *ro, const struct create_opts *o, struct berr **err);

/* create + start; without detach, wait, forward signals, delete (unless keep), and give the exit code
 * (128+signal for a signal death) in *ret_exit_code. */
int lifecycle_run(const struct runtime_opts *ro, const struct create_opts *o, int *ret_exit_code,
		  struct berr **err);

/* Write pid as text to path (atomically, relative to the cwd), as --pid-file asks. */
int lifecycle_write_pid_file(const char *path, pid_t pid, struct berr **err);

int lifecycle_start(const struct runtime_opts *ro, const char *id, struct berr **err);

/* The state JSON of id (malloc'd) as `state` prints it. */
int lifecycle_state(const struct runtime_opts *ro, const char *id, char **ret_json,
		    struct berr **err);

int lifecycle_kill(const struct runtime_opts *ro, const char *id, int sig, bool all,
		   struct berr **err);

int lifecycle_delete(const struct runtime_opts *ro, const char *id, bool force, struct berr **err);

/* Called by lifecycle_list for each container, in directory order. */
typedef int (*list_fn)(const struct container_state *st, enum container_status status,
		       void *userdata);
int lifecycle_list(const struct runtime_opts *ro, list_fn cb, void *userdata, struct berr **err);

#endif
