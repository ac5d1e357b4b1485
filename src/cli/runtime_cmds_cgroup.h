/* SPDX-License-Identifier: Apache-2.0 */
/* The cgroup commands of berth-runtime: update, pause, resume, events, ps (runc's). */
#ifndef BERTH_CLI_RUNTIME_CMDS_CGROUP_H
#define BERTH_CLI_RUNTIME_CMDS_CGROUP_H

#include <stddef.h>

#include "cli/argparse.h"
#include "cli/runtime_cmds.h"
#include "lib/err.h"

int runtime_cmd_update(struct runtime_ctx *ctx, int argc, char **argv);
int runtime_cmd_pause(struct runtime_ctx *ctx, int argc, char **argv);
int runtime_cmd_resume(struct runtime_ctx *ctx, int argc, char **argv);
int runtime_cmd_events(struct runtime_ctx *ctx, int argc, char **argv);
int runtime_cmd_ps(struct runtime_ctx *ctx, int argc, char **argv);

/*
 * From runtime_cmds.c: parse a command's options with min..max positionals (1: --help
 * was printed, -1: a usage error was reported), and turn r/err into an exit code.
 */
int runtime_cmds_parse(int argc, char **argv, const struct opt_def *defs, const char *usage,
		       size_t min_pos, size_t max_pos, char ***ret_pos);
int runtime_cmds_report(int r, struct berr **err);

#endif
