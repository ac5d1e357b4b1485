/* SPDX-License-Identifier: Apache-2.0 */
/* What every berth-runtime command shares: its context, option parsing, exit codes. */
#ifndef BERTH_CLI_RUNTIME_ARGS_H
#define BERTH_CLI_RUNTIME_ARGS_H

#include <stddef.h>

#include "lib/err.h"
#include "runtime/lifecycle/runtime_opts.h"

struct runtime_ctx {
	struct runtime_opts opts;
};

struct opt_def;

/*
 * A command's options and positionals, min_pos..max_pos of them: 1 after printing
 * --help, 0 on success, -1 after printing a usage error.
 */
int runtime_cmds_parse(int argc, char **argv, const struct opt_def *defs, const char *usage,
		       size_t min_pos, size_t max_pos, char ***ret_pos);

/* The exit code for r (0 or 1), printing *err when r < 0. */
int runtime_cmds_report(int r, struct berr **err);

#endif
