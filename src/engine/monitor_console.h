/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The --console-socket of `runtime create` for a container with a terminal: a unix
 * socket the runtime connects to and sends the pty master over (SCM_RIGHTS). Its path
 * is short (/tmp/berth-console-*.sock, under sun_path's 108 bytes, which a path in the
 * engine root may pass) and unlinked once the fd is in.
 */
#ifndef BERTH_ENGINE_MONITOR_CONSOLE_H
#define BERTH_ENGINE_MONITOR_CONSOLE_H

#include "lib/err.h"

struct console_socket {
	int fd;
	char path[64];
};

/* Bind and listen on a fresh path. */
int console_socket_open(struct console_socket **ret, struct berr **err);

/* Accept the runtime's connection and take the pty master (*ret_fd, O_CLOEXEC). */
int console_socket_receive(struct console_socket *cs, int *ret_fd, struct berr **err);

struct console_socket *console_socket_free(struct console_socket *cs);
static inline void console_socket_freep(struct console_socket **cs)
{
	*cs = console_socket_free(*cs);
}

#endif
