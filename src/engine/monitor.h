/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The per-container monitor (berth-monitor; conmon's role): one small process per
 * running container, started by `berth start`/`run` in a session of its own so it
 * outlives the command. It is the child subreaper of the runtime, so the container's
 * init becomes its child: it creates and starts the container through the runtime,
 * holds the container's stdio (pipes, or the pty master it receives on a console
 * socket), writes the json-file log, relays the output to the attached clients
 * (`berth run`, `start -a`, each `berth attach`: monitor_attach.h), reaps the init and
 * records the exit code and time, restarts the container as its restart policy says,
 * cleans up (runtime delete, rootfs, netns) and, with --rm, runs `berth rm` as its exit
 * command.
 *
 * To the `berth` that started it, it reports once on the sync fd: "ok\n" when the
 * container runs, or "error MESSAGE\n". On the attach socket it was given (optional) and
 * on those it accepts (ATTACH_SOCKET) it sends frames (attach_frame.h) and reads the
 * container's stdin from them.
 */
#ifndef BERTH_ENGINE_MONITOR_H
#define BERTH_ENGINE_MONITOR_H

#include "engine/attach_frame.h"

struct monitor_opts {
	const char *root;     /* the engine root */
	const char *id;	      /* the container */
	const char *berth;    /* the berth binary, for the --rm exit command */
	int sync_fd;	      /* -1: none */
	int attach_fd;	      /* -1: detached */
	const char *hold_fds; /* "12,13": the published ports' fds (container_ports.h); NULL */
};

/* Run the monitor; returns its exit status (0, or 1 after a failure it reported). */
int monitor_run(const struct monitor_opts *o);

#endif
