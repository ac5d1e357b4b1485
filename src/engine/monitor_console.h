/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The --console-socket of `runtime create` for a container with a terminal: a unix
 * socket the runtime connects to and sends the pty master over (SCM_RIGHTS). It lives in
 * the container's own directory (0700, in the 0700 engine root), never in /tmp where any
 * user could connect to it first; its name goes through /proc/<monitor>/fd/<dirfd> to stay
 * under sun_path's 108 bytes whatever the engine root's length. Unlinked once the fd is
 * in.
 */
#ifndef BERTH_ENGINE_MONITOR_CONSOLE_H
#define BERTH_ENGINE_MONITOR_CONSOLE_H

#include "lib/err.h"

struct console_socket {
	int fd;
	char path[64];
};

/* Bind and listen on a fresh name in the directory dirfd (the container's directory). */
int console_socket_open(int dirfd, struct console_socket **ret, struct berr **err);

/* Accept the runtime's connection and take the pty master (*ret_fd, O_CLOEXEC). */
int console_socket_receive(struct console_socket *cs, int *ret_fd, struct berr **err);

struct console_socket *console_socket_free(struct console_socket *cs);
static inline void console_socket_freep(struct console_socket **cs)
{
	*cs = console_socket_free(*cs);
}

#endif
