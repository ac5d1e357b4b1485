/* SPDX-License-Identifier: Apache-2.0 */
/* The commands of berth-runtime: each parses its options and calls the runtime. */
#ifndef BERTH_CLI_RUNTIME_CMDS_H
#define BERTH_CLI_RUNTIME_CMDS_H

#include <stddef.h>

#include "runtime/lifecycle/lifecycle.h"

struct runtime_ctx {
	struct runtime_opts opts;
};

struct runtime_cmd {
	const char *name;
	const char *summary;
	/* argv[0] is the command's name, then its arguments; returns the exit code. */
	int (*run)(struct runtime_ctx *ctx, int argc, char **argv);
};

extern const struct runtime_cmd runtime_cmds[];

struct opt_def;

/*
 * A command's options and positionals (runtime_cmds.c): 1 after printing --help, 0 on
 * success, -1 after printing a usage error.
 */
int runtime_cmds_parse(int argc, char **argv, const struct opt_def *defs, const char *usage,
		       size_t min_pos, size_t max_pos, char ***ret_pos);

/* The exit code for r (0 or 1), printing *err when r < 0. */
int runtime_cmds_report(int r, struct berr **err);

/* runtime_cmds_exec.c */
int runtime_cmd_exec(struct runtime_ctx *ctx, int argc, char **argv);
int runtime_cmd_features(struct runtime_ctx *ctx, int argc, char **argv);

#endif
