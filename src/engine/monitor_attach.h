/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The monitor's side of the attach sockets: the one `berth run`/`start -a` hands it at
 * start, and those of `berth attach`, accepted on ATTACH_SOCKET in the container's
 * directory (0700, in the 0700 engine root) while the monitor runs. Each client gets
 * every output frame and the exit frame; what any client sends is the container's
 * input. Frames of the container's output go out to each client through a bounded queue, so a client that stops reading
 * (`berth run ... | sleep 1000`) never blocks the monitor, the json log or the container.
 * The socket is non-blocking; what it does not take now waits in the queue, written when
 * poll says POLLOUT. Output frames that would take the queue past ATTACH_QUEUE_MAX are
 * dropped for this client (the log has them all). The exit frame is always queued, and
 * attach_drain() waits for the client to take it once the container has exited.
 */
#ifndef BERTH_ENGINE_MONITOR_ATTACH_H
#define BERTH_ENGINE_MONITOR_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/attach_frame.h"

#define ATTACH_QUEUE_MAX (1024 * 1024)

struct attach_out {
	int fd; /* the attach socket (not owned: monitor.c closes it); -1: none or gone */
	char *q;
	size_t head, len, cap; /* q[head, len) waits */
	uint64_t dropped;      /* bytes of output the client missed */
};

/* Make fd non-blocking for sending; a.fd stays -1 when fd is. */
void attach_init(struct attach_out *a, int fd);

/* Queue a frame and send what the socket takes. false: the client went away. */
bool attach_send(struct attach_out *a, enum attach_frame type, const void *buf, uint32_t len);

/* Send what waits (on POLLOUT). false: the client went away. */
bool attach_flush(struct attach_out *a);

static inline bool attach_pending(const struct attach_out *a)
{
	return a->fd >= 0 && a->len > a->head;
}

/* Wait until the queue is sent or the client goes away (at the monitor's end). */
void attach_drain(struct attach_out *a);

void attach_done(struct attach_out *a);

#define ATTACH_SOCKET "attach.sock"
#define ATTACH_CLIENTS_MAX 64

struct attach_client {
	int fd;		       /* owned; -1 once gone (closed by attach_set_compact) */
	bool in;	       /* still reading its input */
	bool stdin_once;       /* the end of its input ends the container's (`run -i`) */
	struct attach_out out; /* out.fd == fd while the client takes output */
};

struct attach_set {
	int listen_fd; /* -1: not listening */
	size_t n;
	struct attach_client c[ATTACH_CLIENTS_MAX];
};

void attach_set_init(struct attach_set *s);

/* Listen on ATTACH_SOCKET in the directory dirfd (a stale one is replaced). */
int attach_set_listen(struct attach_set *s, int dirfd);

/* Take fd as a client (closed when there is no room). */
void attach_set_add(struct attach_set *s, int fd, bool stdin_once);

/* Accept a `berth attach` waiting on the listening socket. */
void attach_set_accept(struct attach_set *s);

/* Queue a frame for every client. */
void attach_set_send(struct attach_set *s, enum attach_frame type, const void *buf, uint32_t len);

/* A client went away: stop serving it (attach_set_compact closes it). */
void attach_set_gone(struct attach_client *c);

/* Close and forget the clients that went away (not while indexing poll entries). */
void attach_set_compact(struct attach_set *s);

/* Stop listening: no new client from now on. */
void attach_set_unlisten(struct attach_set *s, int dirfd);

/* Wait until every client took its queue, or went away; then close them all. */
void attach_set_done(struct attach_set *s);

#endif
