/* SPDX-License-Identifier: Apache-2.0 */
/* The commands of berth-runtime: each parses its options and calls the runtime. */
#ifndef BERTH_CLI_RUNTIME_CMDS_H
#define BERTH_CLI_RUNTIME_CMDS_H

#include <stddef.h>

#include "cli/runtime_args.h"

struct runtime_cmd {
	const char *name;
	const char *summary;
	/* argv[0] is the command's name, then its arguments; returns the exit code. */
	int (*run)(struct runtime_ctx *ctx, int argc, char **argv);
};

extern const struct runtime_cmd runtime_cmds[];

/* runtime_cmds_exec.c */
int runtime_cmd_exec(struct runtime_ctx *ctx, int argc, char **argv);
int runtime_cmd_features(struct runtime_ctx *ctx, int argc, char **argv);

#endif
