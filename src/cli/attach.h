/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An attached `berth run`/`start -a`/`attach`: relay the monitor's attach frames to
 * stdout and stderr, stdin (when interactive) to the container, the terminal in raw mode
 * (with a tty) watched for the detach keys, signals to the container (docker's
 * --sig-proxy), and the terminal's size to the container's on SIGWINCH (with a tty).
 */
#ifndef BERTH_CLI_ATTACH_H
#define BERTH_CLI_ATTACH_H

#include <stdbool.h>

#include "cli/berth_cmds.h"
#include "cli/detach_keys.h"

struct attach_opts {
	bool interactive; /* relay stdin */
	bool tty;	  /* the container has a terminal */
	bool sig_proxy;	  /* forward signals to the container */
	bool all_signals; /* every signal docker forwards (attach); else INT, TERM, HUP (run) */
	bool say_detach;  /* on the detach keys: "read escape sequence", exit 1 (docker attach) */
	bool redraw;	  /* nudge the terminal's size first (attach_redraw) */
	const struct detach_keys *keys; /* with a tty and stdin; NULL: no detaching */
};

/*
 * Relay until the container exits (its exit code) or the user types the detach keys
 * (0, or 1 with say_detach). fd (the attach socket) is closed.
 */
int berth_attach(struct berth_ctx *ctx, const char *id, int fd, const struct attach_opts *o);

/*
 * `berth attach` to the running container ref (and `start -a` of one already running):
 * its stdin unless no_stdin or it was not made with -i, signals proxied when sig_proxy
 * and it has no tty. The exit code to return.
 */
int berth_attach_running(struct berth_ctx *ctx, const char *ref, bool no_stdin, bool sig_proxy,
			 const struct detach_keys *keys);

/*
 * A connection to the monitor of the running container ref (its attach socket): the
 * socket, with *ret the container (unlocked), or -errno with err set (docker's words for
 * a paused, restarting or stopped one).
 */
int berth_attach_connect(struct engine *e, const char *ref, struct container **ret,
			 struct berr **err);

/*
 * Parse --detach-keys into *ret, or report docker's "Invalid detach keys (...) provided".
 * Returns 0 or -EINVAL.
 */
int berth_detach_keys(const char *spec, struct detach_keys *ret);

/*
 * The pty master of the container id (with a terminal), which its monitor holds: a copy
 * taken with pidfd_getfd (attach_resize.c), so that `run -it` follows the caller's window
 * size as docker's client does (resize requests), without a request channel to the
 * monitor. Nothing the container controls is opened. Returns the fd (O_CLOEXEC) or -errno.
 */
int attach_console_master(struct engine *e, const char *id);

/* Give the pty master the size of the caller's terminal (on SIGWINCH). */
void attach_resize(int master);

/*
 * The size of the caller's terminal through a size one larger, as docker's attach: two
 * SIGWINCHes, so that a shell that was waiting redraws its prompt for the newcomer.
 */
void attach_redraw(int master);

#endif
