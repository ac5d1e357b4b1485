/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Streamed replies (logs with follow, events, pull progress): the body is produced by a
 * function in a thread of its own, writing into one end of a socketpair whose other end
 * libmicrohttpd sends as a chunked body (MHD_create_response_from_pipe); the reply ends
 * when the function returns. The function polls a dup of the client's socket to see the
 * client go while nothing is written, and holds no lock while it waits.
 */
#ifndef BERTH_API_API_STREAM_H
#define BERTH_API_API_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "api/api_internal.h"

struct api_stream {
	int out;	      /* the body goes here */
	int client;	      /* a dup of the client's socket, only to poll */
	struct berth_ctx ctx; /* the request's engine and store, moved here */
	void *data;
	int (*fn)(struct api_stream *st);
	void (*free_data)(void *data);
};

/*
 * Reply 200 with a body of type made by fn(st) in a new thread; st->data is data, owned
 * by the stream from now on, success or not (free_data frees it). r->ctx's engine and
 * store move to st->ctx. Returns 0, or -errno when nothing could be sent.
 */
int api_stream_reply(struct api_req *r, const char *type, int (*fn)(struct api_stream *st),
		     void *data, void (*free_data)(void *data));

/* Write all of buf to the body; -EPIPE when the client went away. */
int api_stream_write(struct api_stream *st, const void *buf, size_t len);

/*
 * doc (freed here) as one line of a JSON progress stream (pull, push, build): "\r\n"
 * after it as dockerd's; -EPIPE when the client went away.
 */
int api_stream_json(struct api_stream *st, struct jwriter *doc);
/* docker's {"errorDetail":{"message":MSG},"error":MSG} of a stream that failed. */
struct jwriter *api_error_doc(const char *msg);

/* True when the client closed its side or the service shuts the connection down. */
bool api_stream_client_gone(const struct api_stream *st);

#endif
