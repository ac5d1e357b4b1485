/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The monitor's journald and syslog drivers (log_drivers.h): the container's output cut
 * into lines (a line over LOG_LINE_MAX goes in pieces, as docker's partial messages),
 * each sent as one datagram (or, on a unix stream socket, one newline-ended message):
 * journald's native protocol with docker's fields, or an RFC 3164 / 5424 syslog message.
 * The socket is opened once, when the container starts; with mode=non-blocking a message
 * that cannot go out at once is dropped instead of holding up the container's output.
 */
#ifndef BERTH_ENGINE_LOG_FORWARD_H
#define BERTH_ENGINE_LOG_FORWARD_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/container.h"
#include "engine/log_json.h"
#include "lib/err.h"

struct log_forward {
	int fd;	       /* -1: none */
	bool journald; /* else syslog */
	bool stream;   /* a unix stream socket: messages end with "\n" */
	bool blocking; /* mode=blocking (docker's default) */
	bool rfc5424;  /* syslog-format rfc5424/rfc5424micro */
	int facility;  /* syslog: its number */
	char *tag, *id, *name, *image;
	char *pending[_LOG_STREAM_MAX];
	size_t pending_len[_LOG_STREAM_MAX];
};

/*
 * Open the driver of cfg (nothing when it is not journald or syslog); docker's message
 * when the host has no such service: "failed to initialize logging driver: ...".
 */
int log_forward_open(struct log_forward *f, const struct container_config *cfg, struct berr **err);

/* Send the complete lines of len bytes of a stream (the rest waits for its end). */
void log_forward_write(struct log_forward *f, enum log_stream s, const char *buf, size_t len);

/* Send what waits for its newline (at the container's exit), close. */
void log_forward_close(struct log_forward *f);

#endif
