/* SPDX-License-Identifier: Apache-2.0 */
/* The runner `berth build` gives the builder: the engine's commands as child processes. */
#ifndef BERTH_CLI_BERTH_BUILD_RUN_H
#define BERTH_CLI_BERTH_BUILD_RUN_H

#include <stdbool.h>

#include "build/build.h"

struct build_cli {
	const char *root;
	const char *runtime;	   /* or NULL: the engine's default */
	const char *cgroup_parent; /* or NULL */
	const char *network;	   /* "none" (default) or "host" */
	bool quiet;		   /* no progress, no step output */
};

void berth_build_runner(struct build_cli *bc, struct build_runner *ret);

#endif
