/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A foreground `berth run`/`start -a`: relay the monitor's attach frames to stdout and
 * stderr, stdin (with -i) to the container, the terminal in raw mode (with -t), and
 * SIGINT/SIGTERM/SIGHUP to the container (docker's --sig-proxy), and the terminal's size
 * to the container's on SIGWINCH (with -t). Returns the
 * container's exit code.
 */
#ifndef BERTH_CLI_ATTACH_H
#define BERTH_CLI_ATTACH_H

#include <stdbool.h>

#include "cli/berth_cmds.h"

int berth_attach(struct berth_ctx *ctx, const char *id, int fd, bool interactive, bool tty);

/*
 * The pty master of the container id (with a terminal), which its monitor holds: a copy
 * taken with pidfd_getfd (attach_resize.c), so that `run -it` follows the caller's window
 * size as docker's client does (resize requests), without a request channel to the
 * monitor. Nothing the container controls is opened. Returns the fd (O_CLOEXEC) or -errno.
 */
int attach_console_master(struct engine *e, const char *id);

/* Give the pty master the size of the caller's terminal (on SIGWINCH). */
void attach_resize(int master);

#endif
