/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /containers/{id}/attach: the client's connection relays a container's output and
 * input through its monitor's attach socket (engine/monitor_attach.h):
 *
 *   client <-hijacked socket-> relay (connection thread) <-attach socket-> berth-monitor
 *
 * A running container's monitor is connected to at once. Before the start (the docker
 * CLI's run attaches, then starts), the relay holds one end of a socketpair and the other
 * waits in a table until POST /start hands it to the new monitor as its first client, so
 * that nothing the container writes first is missed. Output frames become docker's 8-byte
 * header frames (the bytes as they are with a tty); the monitor closing the socket after
 * the exit frame ends the relay. The client's input goes to the container's stdin when it
 * asked for stdin and the container was made with OpenStdin; its half-close ends it.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/api_hijack.h"
#include "api/api_internal.h"
#include "api/api_stream.h"
#include "cli/attach.h"
#include "engine/attach_frame.h"
#include "engine/container_ops.h"
#include "lib/cleanup.h"
#include "lib/fd.h"

#define RELAY_BUF 32768
#define PENDING_MAX 64

/* The monitor's ends of the attaches made before a start, by container id. */
static pthread_mutex_t pending_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pending {
	char id[CONTAINER_ID_LEN + 1];
	int fd;
	uint64_t token; /* 0: a free slot */
} pending[PENDING_MAX];
static uint64_t pending_next = 1;

/* Park fd for id's next start: the token, 0 when the table is full (fd is not taken). */
static uint64_t pending_put(const char *id, int fd)
{
	uint64_t token = 0;

	pthread_mutex_lock(&pending_lock);
	for (size_t i = 0; i < PENDING_MAX; i++)
		if (pending[i].token == 0) {
			snprintf(pending[i].id, sizeof(pending[i].id), "%s", id);
			pending[i].fd = fd;
			pending[i].token = token = pending_next++;
			break;
		}
	pthread_mutex_unlock(&pending_lock);
	return token;
}

int api_attach_take(const char *id)
{
	int fd = -1;

	pthread_mutex_lock(&pending_lock);
	for (size_t i = 0; i < PENDING_MAX && fd < 0; i++)
		if (pending[i].token && strcmp(pending[i].id, id) == 0) {
			fd = pending[i].fd;
			pending[i].token = 0;
		}
	pthread_mutex_unlock(&pending_lock);
	return fd;
}

/* The client went before the start: its parked end goes (when no start took it). */
static void pending_drop(uint64_t token)
{
	pthread_mutex_lock(&pending_lock);
	for (size_t i = 0; i < PENDING_MAX; i++)
		if (token && pending[i].token == token) {
			(void) close(pending[i].fd);
			pending[i].token = 0;
		}
	pthread_mutex_unlock(&pending_lock);
}

struct attach_run {
	int mon;	/* our end of the monitor's stream */
	uint64_t token; /* the parked other end, until a start takes it */
	bool tty, out[3], in;
	struct attach_reader reader;
	int client; /* where output goes, for the frame callback */
	char *inbuf;
	size_t in_off, in_len; /* inbuf[in_off, in_len) waits for the monitor */
};

static void run_free(void *data)
{
	struct attach_run *x = data;

	if (!x)
		return;
	pending_drop(x->token);
	if (x->mon >= 0)
		(void) close(x->mon);
	free(x->inbuf);
	free(x);
}

/* A piece of an output frame to the client, in docker's framing without a tty. */
static int to_client(int type, const void *p, size_t n, void *arg)
{
	struct attach_run *x = arg;
	unsigned char hdr[8] = {(unsigned char) type,
				0,
				0,
				0,
				(unsigned char) (n >> 24),
				(unsigned char) (n >> 16),
				(unsigned char) (n >> 8),
				(unsigned char) n};
	int r;

	if (!x->out[type])
		return 0;
	if (!x->tty && (r = api_send_all(x->client, hdr, sizeof(hdr))) < 0)
		return r;
	return api_send_all(x->client, p, n);
}

/* The monitor's stream: 0, 1 at its end, -errno when the client is gone. */
static int from_monitor(struct attach_run *x)
{
	char buf[RELAY_BUF];
	ssize_t n = read(x->mon, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return 1;
	return attach_reader_feed(&x->reader, buf, (size_t) n, to_client, x);
}

/* The client's input, read only when what it sent before is with the monitor. */
static void from_client(struct attach_run *x, int in, bool *reading)
{
	ssize_t n = read(in, x->inbuf, RELAY_BUF);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		*reading = false; /* its half-close: the end of the container's input */
		(void) shutdown(x->mon, SHUT_WR);
		return;
	}
	x->in_off = 0;
	x->in_len = (size_t) n;
}

static void flush_in(struct attach_run *x)
{
	ssize_t n = send(x->mon, x->inbuf + x->in_off, x->in_len - x->in_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		x->in_off = x->in_len = 0;
		return;
	}
	x->in_off += (size_t) n;
	if (x->in_off == x->in_len)
		x->in_off = x->in_len = 0;
}

/*
 * Relay until the monitor's stream ends (true) or the client goes (false). in: the
 * client's input (-1: none); watch: its socket, polled for HUP all along (its going, or
 * the service's stop: a half-close only ends the input, the client still reads).
 */
static bool relay(struct attach_run *x, int out, int in, int watch)
{
	bool reading = in >= 0;

	x->client = out;
	for (;;) {
		bool hold = x->in_len > x->in_off;
		struct pollfd p[2] = {{x->mon, (short) (POLLIN | (hold ? POLLOUT : 0)), 0},
				      {watch, (short) (reading && !hold ? POLLIN : 0), 0}};
		int r;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		if (p[1].revents & (POLLHUP | POLLERR | POLLNVAL))
			return false;
		if ((p[0].revents & POLLOUT) && hold)
			flush_in(x);
		if (p[1].revents & POLLIN)
			from_client(x, in, &reading);
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if ((r = from_monitor(x)) < 0)
				return false;
			if (r == 1)
				return true;
		}
	}
}

static int stream_attach(struct api_stream *st)
{
	return relay(st->data, st->out, -1, st->client) ? 0 : -EPIPE;
}

static void relay_hijacked(void *data, int sock, const char *extra, size_t extra_len)
{
	struct attach_run *x = data;

	/* what libmicrohttpd read past the request: the first of the client's input */
	if (x->in && extra_len) {
		char *b = realloc(x->inbuf, extra_len > RELAY_BUF ? extra_len : RELAY_BUF);

		if (b) {
			x->inbuf = b;
			memcpy(b, extra, extra_len);
			x->in_len = extra_len;
		}
	}
	if (relay(x, sock, x->in ? sock : -1, sock))
		api_hijack_linger(sock);
}

/* The monitor's stream for c: its attach socket, or (not running) a parked socketpair. */
static int open_stream(struct api_req *r, struct container *c, struct attach_run *x,
		       struct berr **err)
{
	_cleanup_container_ struct container *running = NULL;
	int sv[2];

	if (container_active(c)) {
		container_unlock(c);
		x->mon = berth_attach_connect(r->ctx->engine, c->cfg->id, &running, err);
		return x->mon < 0 ? x->mon : 0;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return berr_sys(err, errno, "socketpair");
	if (!(x->token = pending_put(c->cfg->id, sv[1]))) {
		close(sv[0]);
		close(sv[1]);
		return berr_set(err, EBUSY, "too many clients wait to attach before a start");
	}
	x->mon = sv[0];
	return 0;
}

int api_container_attach(struct api_req *r)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	struct attach_run *x;
	int ret;

	if (api_query_bool(r, "logs"))
		return api_reply_error(r, 501,
				       "berth: attach with logs=1 is not implemented: read them "
				       "with GET /containers/{id}/logs");
	if (!api_query_bool(r, "stream"))
		return api_reply_error(r, 400,
				       "berth: attach needs stream=1 (logs=1 is not "
				       "implemented)");
	if (api_container_open(r, false, &c) < 0)
		return 0;
	if (!(x = calloc(1, sizeof(*x))) || !(x->inbuf = malloc(RELAY_BUF))) {
		run_free(x);
		return -ENOMEM;
	}
	attach_reader_init(&x->reader);
	x->mon = -1;
	x->tty = c->cfg->tty;
	x->out[FRAME_STDOUT] = api_query_bool(r, "stdout");
	x->out[FRAME_STDERR] = api_query_bool(r, "stderr");
	x->in = api_query_bool(r, "stdin") && c->cfg->open_stdin;
	if ((ret = open_stream(r, c, x, &err)) < 0) {
		run_free(x);
		return api_reply_berr(r, ret == -EINVAL ? EBUSY : -ret, err);
	}
	if (api_wants_upgrade(r))
		return api_reply_upgrade(r, relay_hijacked, x, run_free);
	x->in = false;
	return api_stream_reply(r, "application/vnd.docker.raw-stream", stream_attach, x, run_free);
}
