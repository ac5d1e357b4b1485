/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The monitor's side of the attach socket (`berth run` without -d): frames of the
 * container's output go out through a bounded queue, so a client that stops reading
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

#endif
