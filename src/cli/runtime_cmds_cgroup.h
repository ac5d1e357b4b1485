/* SPDX-License-Identifier: Apache-2.0 */
/* The cgroup commands of berth-runtime: update, pause, resume, events, ps (runc's). */
#ifndef BERTH_CLI_RUNTIME_CMDS_CGROUP_H
#define BERTH_CLI_RUNTIME_CMDS_CGROUP_H

#include <stddef.h>

#include "cli/argparse.h"
#include "cli/runtime_args.h"
#include "lib/err.h"

int runtime_cmd_update(struct runtime_ctx *ctx, int argc, char **argv);
int runtime_cmd_pause(struct runtime_ctx *ctx, int argc, char **argv);
int runtime_cmd_resume(struct runtime_ctx *ctx, int argc, char **argv);
int runtime_cmd_events(struct runtime_ctx *ctx, int argc, char **argv);
int runtime_cmd_ps(struct runtime_ctx *ctx, int argc, char **argv);

#endif
