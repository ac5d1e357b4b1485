/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/monitor_attach.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

void attach_init(struct attach_out *a, int fd)
{
	int fl = fd >= 0 ? fcntl(fd, F_GETFL) : -1;

	*a = (struct attach_out){.fd = fd};
	if (fl >= 0)
		(void) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Room for n more bytes, within the bound unless forced. */
static bool reserve(struct attach_out *a, size_t n, bool force)
{
	size_t cap = a->cap ? a->cap : 64 * 1024;
	char *p;

	if (a->head > 0 && a->head == a->len)
		a->head = a->len = 0;
	if (a->len - a->head + n > ATTACH_QUEUE_MAX && !force)
		return false;
	if (a->len + n > a->cap && a->head > 0) {
		memmove(a->q, a->q + a->head, a->len - a->head);
		a->len -= a->head;
		a->head = 0;
	}
	if (a->len + n <= a->cap)
		return true;
	while (cap < a->len + n)
		cap *= 2;
	if (!(p = realloc(a->q, cap)))
		return false;
	a->q = p;
	a->cap = cap;
	return true;
}

bool attach_flush(struct attach_out *a)
{
	while (attach_pending(a)) {
		ssize_t n = send(a->fd, a->q + a->head, a->len - a->head, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (n <= 0) {
			/* berth went away: the container keeps running, logged */
			a->fd = -1;
			a->head = a->len = 0;
			return false;
		}
		a->head += (size_t) n;
	}
	return a->fd >= 0;
}

bool attach_send(struct attach_out *a, enum attach_frame type, const void *buf, uint32_t len)
{
	unsigned char hdr[5] = {(unsigned char) type, (unsigned char) len,
				(unsigned char) (len >> 8), (unsigned char) (len >> 16),
				(unsigned char) (len >> 24)};

	if (a->fd < 0)
		return false;
	if (!reserve(a, sizeof(hdr) + len, type == FRAME_EXIT)) {
		a->dropped += len;
		return true;
	}
	memcpy(a->q + a->len, hdr, sizeof(hdr));
	if (len)
		memcpy(a->q + a->len + sizeof(hdr), buf, len);
	a->len += sizeof(hdr) + len;
	return attach_flush(a);
}

void attach_drain(struct attach_out *a)
{
	while (attach_pending(a)) {
		struct pollfd p = {.fd = a->fd, .events = POLLOUT};

		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return;
		if (!attach_flush(a))
			return;
	}
}

void attach_done(struct attach_out *a)
{
	free(a->q);
	*a = (struct attach_out){.fd = -1};
}

void attach_set_init(struct attach_set *s)
{
	s->listen_fd = -1;
	s->n = 0;
}

int attach_set_listen(struct attach_set *s, int dirfd)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	/* the directory through our fd: short whatever the engine root's length */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd, ATTACH_SOCKET);
	(void) unlinkat(dirfd, ATTACH_SOCKET, 0);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	s->listen_fd = fd;
	return 0;
}

void attach_set_add(struct attach_set *s, int fd, bool stdin_once)
{
	struct attach_client *c;

	if (fd < 0)
		return;
	if (s->n == ATTACH_CLIENTS_MAX) {
		close(fd);
		return;
	}
	c = &s->c[s->n++];
	*c = (struct attach_client){.fd = fd, .in = true, .stdin_once = stdin_once};
	attach_init(&c->out, fd);
}

void attach_set_accept(struct attach_set *s)
{
	int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd >= 0)
		attach_set_add(s, fd, false);
}

void attach_set_gone(struct attach_client *c)
{
	c->out.fd = -1;
	c->out.head = c->out.len = 0;
	c->in = false;
}

void attach_set_send(struct attach_set *s, enum attach_frame type, const void *buf, uint32_t len)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->c[i].out.fd >= 0 && !attach_send(&s->c[i].out, type, buf, len))
			attach_set_gone(&s->c[i]);
}

void attach_set_compact(struct attach_set *s)
{
	size_t j = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (s->c[i].out.fd < 0) {
			close(s->c[i].fd);
			attach_done(&s->c[i].out);
			continue;
		}
		s->c[j++] = s->c[i];
	}
	s->n = j;
}

void attach_set_unlisten(struct attach_set *s, int dirfd)
{
	if (s->listen_fd < 0)
		return;
	(void) unlinkat(dirfd, ATTACH_SOCKET, 0);
	close(s->listen_fd);
	s->listen_fd = -1;
}

void attach_set_done(struct attach_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		attach_drain(&s->c[i].out);
		attach_done(&s->c[i].out);
		close(s->c[i].fd);
	}
	s->n = 0;
}
