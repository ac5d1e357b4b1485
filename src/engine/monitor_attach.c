/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/monitor_attach.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

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
