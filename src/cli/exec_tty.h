/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `berth exec -it` from a terminal: the runtime runs the process detached (-d) and hands
 * its pty master over a console socket; berth relays the terminal itself, watching for
 * the detach keys, and is the child subreaper that reaps the process for its exit code.
 * On the detach keys a small keeper (a fork of berth, in a session of its own) holds the
 * master and drains it until the process and its children close the terminal, so the
 * process runs on without a hangup, as docker's (whose shim holds it).
 */
#ifndef BERTH_CLI_EXEC_TTY_H
#define BERTH_CLI_EXEC_TTY_H

#include "cli/detach_keys.h"
#include "engine/monitor_console.h"
#include "lib/err.h"

/* Become the subreaper of what the runtime leaves, SIGCHLD blocked (before running it). */
void exec_tty_prepare(void);

/*
 * After `runtime exec -d -t --console-socket`: relay until the process exits (its exit
 * code) or the user detaches (docker's "read escape sequence", 1). -errno on failure.
 */
int exec_tty_relay(struct console_socket *cs, const char *pidfile, const struct detach_keys *keys,
		   struct berr **err);

#endif
