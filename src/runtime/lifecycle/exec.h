/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `exec`: run another process in a container, as runc's exec does. It joins every
 * namespace of the container's init and its cgroup, and gets the container's security
 * settings (user, capabilities, no_new_privs, rlimits, and seccomp/LSM through the same
 * call as the init).
 */
#ifndef BERTH_RUNTIME_EXEC_H
#define BERTH_RUNTIME_EXEC_H

#include <stdbool.h>

#include "lib/err.h"
#include "runtime/lifecycle/runtime_opts.h"

struct exec_opts {
	const char *id;
	const char *process_path; /* --process: the whole process object; else args */
	char **args;		  /* the command and its arguments */
	bool tty;		  /* --tty */
	const char *console_socket;
	const char *cwd;
	char **env;		/* --env NAME=VALUE, each replacing the config's */
	const char *user;	/* --user uid[:gid] */
	char **additional_gids; /* --additional-gids, one gid each */
	char **caps;		/* --cap CAP_X, added to the bounding, permitted, effective and
				   ambient sets */
	int no_new_privs;	/* --no-new-privs[=bool]; -1 when not given */
	bool detach;
	bool ignore_paused;
	const char *pid_file;
	int preserve_fds;
	const char *apparmor;
	const char *process_label;
	const char *cgroup; /* --cgroup: a sub-cgroup of the container's to run in, or NULL */
};

/*
 * Run the process o describes in container o->id. Without detach, forward signals to it
 * and wait: *ret_exit_code is its exit code (128 + signal for a signal death). With
 * detach, return once it runs (its pid in o->pid_file).
 */
int lifecycle_exec(const struct runtime_opts *ro, const struct exec_opts *o, int *ret_exit_code,
		   struct berr **err);

#endif
