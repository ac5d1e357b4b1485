/* SPDX-License-Identifier: Apache-2.0 */
/* The runner `berth build` gives the builder: the engine's commands as child processes. */
#ifndef BERTH_CLI_BERTH_BUILD_RUN_H
#define BERTH_CLI_BERTH_BUILD_RUN_H

#include <stdbool.h>

#include "build/build.h"
#include "cli/berth_cmds.h"

struct build_cli {
	const char *root;
	const char *runtime;	   /* or NULL: the engine's default */
	const char *cgroup_parent; /* or NULL */
	const char *network;	   /* "none" (default) or "host" */
	bool quiet;		   /* no progress, no step output */
	bool in_service;	   /* the API's: the stop signals stay the service's */
	int out_fd;		   /* > 0: the steps' stdout and stderr go there, not ours */
	char owner[48];		   /* "PID:STARTTIME" of this build (berth_build_runner) */
};

/* The label naming the build (its owner) a step's container belongs to. */
#define BUILD_OWNER_LABEL "berth.build.owner"

/*
 * The runner of bc; from here SIGINT, SIGTERM and SIGHUP stop the build at its next step
 * or its running RUN (whose container is removed), not the process at once (unless
 * bc->in_service).
 */
void berth_build_runner(struct build_cli *bc, struct build_runner *ret);

/* The signal that stopped the build, or 0: the caller re-raises it after the cleanup. */
int berth_build_interrupted(void);

/*
 * Remove the step containers of builds that are gone (a build killed with SIGKILL
 * leaves its running step behind): those whose BUILD_OWNER_LABEL names a process that
 * no longer runs. Best effort; run before each build and by `builder prune`.
 */
void berth_build_reap(struct berth_ctx *ctx);

#endif
