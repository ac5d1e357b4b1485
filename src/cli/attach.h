/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A foreground `berth run`/`start -a`: relay the monitor's attach frames to stdout and
 * stderr, stdin (with -i) to the container, the terminal in raw mode (with -t), and
 * SIGINT/SIGTERM/SIGHUP to the container (docker's --sig-proxy). Returns the
 * container's exit code.
 */
#ifndef BERTH_CLI_ATTACH_H
#define BERTH_CLI_ATTACH_H

#include <stdbool.h>

#include "cli/berth_cmds.h"

int berth_attach(struct berth_ctx *ctx, const char *id, int fd, bool interactive, bool tty);

#endif
