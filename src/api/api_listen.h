/* SPDX-License-Identifier: Apache-2.0 */
/* The service's listening socket. */
#ifndef BERTH_API_API_LISTEN_H
#define BERTH_API_API_LISTEN_H

#include <sys/types.h>

#include "lib/err.h"

/* The socket systemd passed (LISTEN_PID/LISTEN_FDS: the first one), or -ENOENT. */
int api_listen_systemd(void);

/*
 * A listening socket (CLOEXEC) for uri: unix:///path (0660 root:gid, a stale socket
 * replaced) or tcp://127.0.0.1:PORT. *ret_unix_path is the path to unlink at exit (malloc'd)
 * or NULL. Returns the fd or -errno with *err.
 */
int api_listen(const char *uri, gid_t gid, char **ret_unix_path, struct berr **err);

#endif
