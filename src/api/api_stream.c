/* SPDX-License-Identifier: Apache-2.0 */
/* Streamed replies: a producer thread per reply, a socketpair to libmicrohttpd (api_stream.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "api/api_stream.h"
#include "image/registry_config.h"
#include "lib/cleanup.h"

static void stream_free(struct api_stream *st)
{
	if (!st)
		return;
	if (st->free_data)
		st->free_data(st->data);
	st->ctx.store = image_store_free(st->ctx.store);
	st->ctx.engine = engine_free(st->ctx.engine);
	st->ctx.registries = registry_config_free(st->ctx.registries);
	if (st->client >= 0)
		(void) close(st->client);
	/* last: the body's end is the reply's end, and the service may exit after it */
	if (st->out >= 0)
		(void) close(st->out);
	free(st);
}

static void *stream_main(void *arg)
{
	struct api_stream *st = arg;

	(void) st->fn(st);
	stream_free(st);
	return NULL;
}

int api_stream_write(struct api_stream *st, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		/* MSG_NOSIGNAL: a reader gone is -EPIPE, not a SIGPIPE for the whole service */
		ssize_t n = send(st->out, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == ECONNRESET ? -EPIPE : -errno;
		p += n;
		len -= (size_t) n;
	}
	return 0;
}

int api_stream_json(struct api_stream *st, struct jwriter *doc)
{
	_cleanup_jw_ struct jwriter *d = doc;
	_cleanup_free_ char *s = jw_to_string(d, false), *line = NULL;
	int n;

	/* one write: a chunk of its own for "\r\n" is a message docker-py cannot parse */
	if (!s || (n = asprintf(&line, "%s\r\n", s)) < 0)
		return -ENOMEM;
	return api_stream_write(st, line, (size_t) n);
}

struct jwriter *api_error_doc(const char *msg)
{
	struct jwriter *doc = jw_object(), *detail = jw_object();

	jw_str(detail, "message", msg);
	jw_put(doc, "errorDetail", detail);
	jw_str(doc, "error", msg);
	return doc;
}

bool api_stream_client_gone(const struct api_stream *st)
{
	struct pollfd p = {.fd = st->client, .events = POLLRDHUP};

	if (poll(&p, 1, 0) < 0)
		return errno != EINTR;
	return p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL);
}

static int stream_new(struct api_req *r, void *data, void (*free_data)(void *),
		      struct api_stream **ret)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct api_stream *st = calloc(1, sizeof(*st));

	if (!st) {
		if (free_data)
			free_data(data);
		return -ENOMEM;
	}
	*st = (struct api_stream){.out = -1, .client = -1, .data = data, .free_data = free_data};
	st->ctx = *r->ctx;
	r->ctx->store = NULL;
	r->ctx->engine = NULL;
	r->ctx->registries = NULL;
	if (!ci || (st->client = fcntl(ci->connect_fd, F_DUPFD_CLOEXEC, 3)) < 0) {
		stream_free(st);
		return -EIO;
	}
	*ret = st;
	return 0;
}

static int start_thread(struct api_stream *st)
{
	pthread_attr_t attr;
	pthread_t t;
	int r;

	if ((r = pthread_attr_init(&attr)) != 0)
		return -r;
	(void) pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&t, &attr, stream_main, st);
	(void) pthread_attr_destroy(&attr);
	return -r;
}

int api_stream_reply(struct api_req *r, const char *type, int (*fn)(struct api_stream *st),
		     void *data, void (*free_data)(void *data))
{
	struct api_stream *st = NULL;
	struct MHD_Response *resp;
	int sv[2], ret;
	enum MHD_Result ok;

	if ((ret = stream_new(r, data, free_data, &st)) < 0)
		return ret;
	st->fn = fn;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		ret = -errno;
		stream_free(st);
		return ret;
	}
	st->out = sv[1];
	(void) shutdown(sv[1], SHUT_RD);
	if (!(resp = MHD_create_response_from_pipe(sv[0]))) {
		(void) close(sv[0]);
		stream_free(st);
		return -ENOMEM;
	}
	api_reply_headers(resp, type);
	if ((ret = start_thread(st)) < 0) {
		MHD_destroy_response(resp); /* closes sv[0] */
		stream_free(st);
		return ret;
	}
	/* from here the thread owns st; a reply that cannot be queued ends its writes */
	ok = MHD_queue_response(r->conn, 200, resp);
	MHD_destroy_response(resp);
	r->replied = true;
	return ok == MHD_YES ? 0 : -EIO;
}
