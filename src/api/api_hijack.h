/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the hijacked connections of exec start and attach share: the 101 reply that hands
 * the raw socket to a relay, writes to it, the end of its output, and the service's stop,
 * which ends every relay before libmicrohttpd is stopped.
 */
#ifndef BERTH_API_API_HIJACK_H
#define BERTH_API_API_HIJACK_H

#include <stdbool.h>
#include <stddef.h>

#include <microhttpd.h>

#include "api/api_internal.h"

/*
 * The relay of a hijacked connection, in the connection's own thread: sock is the client's
 * socket (blocking), extra what libmicrohttpd read past the request (the first of the
 * client's input). It must end when sock is shut down (poll it for POLLHUP).
 */
typedef void (*api_hijack_fn)(void *data, int sock, const char *extra, size_t extra_len);

/* The client asked for the connection (Upgrade: tcp), as the docker CLI and docker-py do. */
bool api_wants_upgrade(struct api_req *r);

/*
 * 101 Switching Protocols (docker's raw-stream headers); then fn(data, ...) relays on the
 * raw socket, and the connection is closed (MHD_UPGRADE_ACTION_CLOSE) when it returns.
 * data is the hijack's from now on, success or not: free_data frees it after fn, or at
 * the connection's end when the upgrade never came. r->hijack is set whenever r->replied
 * is: the connection's end frees it (api_hijack_free()). -errno when the reply could not
 * be queued.
 */
int api_reply_upgrade(struct api_req *r, api_hijack_fn fn, void *data,
		      void (*free_data)(void *data));

/* At the end of the connection whose reply made h (NULL: none); its data too if unused. */
void api_hijack_free(struct api_hijack *h);

/*
 * The service's stop, before MHD_stop_daemon(): no relay starts from now on; the socket of
 * each running one is shut down (its client reads EOF, its polls and writes wake up), and
 * this waits up to timeout_s for them all to end and close their connections. Returns
 * how many still run (0: all ended).
 */
int api_hijack_stop_all(int timeout_s);

/* Write all of buf to the socket (no SIGPIPE); -errno when the client is gone. */
int api_send_all(int fd, const void *buf, size_t len);

/*
 * The end of a hijacked connection's output: a half-close, then what the client still
 * sends read and dropped until it closes (at most a pause of 2 s), so that input it sent
 * that nobody read (exec, attach; `seq 100000 | docker exec -i C head -1`) is not
 * answered by a reset.
 */
void api_hijack_linger(int sock);

#endif
