/* SPDX-License-Identifier: Apache-2.0 */
/* Between exec.c (berth-runtime's side), exec_process.c and exec_child.c. */
#ifndef BERTH_RUNTIME_EXEC_INTERNAL_H
#define BERTH_RUNTIME_EXEC_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "runtime/cgroup/cgroup_join.h"
#include "runtime/config/oci_config.h"
#include "runtime/security/security.h"

/* What the intermediate and the exec'd process (exec_child.c) get from berth-runtime. */
struct exec_opts;

struct exec_ctx {
	const struct spec *config;	    /* the container's config.json */
	const struct spec_process *process; /* what to run */
	const char *id;
	const char *bundle;	  /* the container's, for the seccomp listener */
	pid_t init_pid;		  /* the container's init on the host */
	int init_pidfd;		  /* and its pidfd */
	int ns_flags;		  /* CLONE_NEW* of the init's namespaces that are not ours */
	int sync_fd;		  /* the child's end of the sync socket */
	int parent_fds[4];	  /* closed in the child at once (-1: unused) */
	int console_fd;		  /* gets the pty's master (process.terminal), or -1 */
	bool console_proxied;	  /* berth-runtime proxies the pty (foreground exec) */
	int preserve_fds;	  /* fds 3 .. 3+n-1 pass to the process */
	bool join_keyring;	  /* join the container's session keyring "_ses.<id>" */
	struct security_plan sec; /* the container's seccomp filter, p's LSM labels */
	struct cgroup_join cgj;	  /* v1 "tasks" fds it writes itself into first */
};

/*
 * The process to run: o->process_path's process.json as it is, or the config's process
 * with o's command and overrides (as runc's exec builds it). Takes config->process. On
 * success *ret is owned by the caller (spec_process_free).
 */
int exec_build_process(const struct exec_opts *o, struct spec *config, struct spec_process **ret,
		       struct berr **err);

/*
 * berth-runtime's clone child, the intermediate: joins the container's cgroup and every
 * namespace of the init, pid included, then clones the process to run (CLONE_PARENT: it is
 * berth-runtime's child), sends its pid (SYNC_PID) and exits. Never returns.
 */
_Noreturn void exec_child(struct exec_ctx *x);

#endif
