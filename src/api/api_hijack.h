/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the hijacked connections of exec start and attach share: the 101 reply that hands
 * the raw socket to a relay, writes to it, and the end of its output.
 */
#ifndef BERTH_API_API_HIJACK_H
#define BERTH_API_API_HIJACK_H

#include <stdbool.h>
#include <stddef.h>

#include <microhttpd.h>

#include "api/api_internal.h"

/* The client asked for the connection (Upgrade: tcp), as the docker CLI and docker-py do. */
bool api_wants_upgrade(struct api_req *r);

/*
 * 101 Switching Protocols (docker's raw-stream headers); then fn(cls, ...) relays on the
 * raw socket. -errno when the reply could not be queued: fn is never called, and the
 * caller frees cls.
 */
int api_reply_upgrade(struct api_req *r, MHD_UpgradeHandler fn, void *cls);

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
