/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A hijacked connection's relay runs in its connection's thread, inside libmicrohttpd's
 * upgrade handler, blocked on the client's socket for as long as the client stays. At the
 * service's stop libmicrohttpd joins that thread but does not end it: the relays are
 * listed here while they run, and api_hijack_stop_all() shuts their sockets down and
 * waits for them.
 */
#include "api/api_hijack.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LINGER_MS 2000

struct api_hijack {
	api_hijack_fn fn;
	void *data; /* NULL once freed */
	void (*free_data)(void *data);
	int sock;		 /* while listed in running */
	struct api_hijack *next; /* in running */
};

/* The relays that run now, and whether the service stops (no new one then). */
static pthread_mutex_t running_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t running_ended = PTHREAD_COND_INITIALIZER;
static struct api_hijack *running;
static bool stopping;

bool api_wants_upgrade(struct api_req *r)
{
	const char *up = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Upgrade");

	return up && strcasecmp(up, "tcp") == 0;
}

/* List h as running on sock; false when the service stops: sock is shut down instead. */
static bool running_add(struct api_hijack *h, int sock)
{
	bool ok;

	pthread_mutex_lock(&running_lock);
	ok = !stopping;
	if (ok) {
		h->sock = sock;
		h->next = running;
		running = h;
	}
	pthread_mutex_unlock(&running_lock);
	if (!ok)
		(void) shutdown(sock, SHUT_RDWR);
	return ok;
}

static void running_remove(struct api_hijack *h)
{
	pthread_mutex_lock(&running_lock);
	for (struct api_hijack **p = &running; *p; p = &(*p)->next)
		if (*p == h) {
			*p = h->next;
			break;
		}
	h->next = NULL;
	pthread_cond_broadcast(&running_ended);
	pthread_mutex_unlock(&running_lock);
}

static void on_upgrade(void *cls, struct MHD_Connection *conn, void *con_cls, const char *extra,
		       size_t extra_len, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
	struct api_hijack *h = cls;
	int fl = fcntl(sock, F_GETFL);

	(void) conn;
	(void) con_cls;
	/* the relay blocks on the socket in this connection's own thread */
	if (fl >= 0)
		(void) fcntl(sock, F_SETFL, fl & ~O_NONBLOCK);
	if (running_add(h, sock))
		h->fn(h->data, sock, extra, extra_len);
	h->free_data(h->data);
	h->data = NULL;
	(void) MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
	/* last: the stop may go on to MHD_stop_daemon() once the list is empty */
	running_remove(h);
}

void api_hijack_free(struct api_hijack *h)
{
	if (!h)
		return;
	if (h->data)
		h->free_data(h->data);
	free(h);
}

int api_reply_upgrade(struct api_req *r, api_hijack_fn fn, void *data,
		      void (*free_data)(void *data))
{
	struct api_hijack *h = calloc(1, sizeof(*h));
	struct MHD_Response *resp;
	enum MHD_Result ok;

	if (!h) {
		free_data(data);
		return -ENOMEM;
	}
	*h = (struct api_hijack){.fn = fn, .data = data, .free_data = free_data, .sock = -1};
	if (!(resp = MHD_create_response_for_upgrade(on_upgrade, h))) {
		api_hijack_free(h);
		return -ENOMEM;
	}
	api_reply_headers(resp, "application/vnd.docker.raw-stream");
	(void) MHD_add_response_header(resp, "Upgrade", "tcp");
	ok = MHD_queue_response(r->conn, MHD_HTTP_SWITCHING_PROTOCOLS, resp);
	MHD_destroy_response(resp);
	r->replied = true;
	r->hijack = h;
	return ok == MHD_YES ? 0 : -EIO;
}

int api_hijack_stop_all(int timeout_s)
{
	struct timespec end;
	int left = 0, r = 0;

	(void) clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_s;
	pthread_mutex_lock(&running_lock);
	stopping = true;
	for (struct api_hijack *h = running; h; h = h->next)
		(void) shutdown(h->sock, SHUT_RDWR);
	while (running && r == 0)
		r = pthread_cond_clockwait(&running_ended, &running_lock, CLOCK_MONOTONIC, &end);
	for (struct api_hijack *h = running; h; h = h->next)
		left++;
	pthread_mutex_unlock(&running_lock);
	return left;
}

int api_send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t) n;
	}
	return 0;
}

void api_hijack_linger(int sock)
{
	char buf[32768];
	struct pollfd p = {sock, POLLIN, 0};

	(void) shutdown(sock, SHUT_WR);
	while (poll(&p, 1, LINGER_MS) > 0 && read(sock, buf, sizeof(buf)) > 0)
		;
}
