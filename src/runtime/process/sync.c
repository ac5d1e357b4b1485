/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/process/sync.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int sync_pair(int fds[2], struct berr **err)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
		return berr_sys(err, errno, "creating the sync socket");
	return 0;
}

int sync_send(int fd, uint32_t type, const void *payload, size_t len)
{
	struct iovec iov[2] = {
		{.iov_base = &type, .iov_len = sizeof(type)},
		{.iov_base = (void *) payload, .iov_len = payload ? len : 0},
	};
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
	ssize_t n;

	do
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return 0;
}

void sync_send_error(int fd, const struct berr *e)
{
	char buf[SYNC_MAX_PAYLOAD];
	size_t len = berr_encode(e, buf, sizeof(buf));

	(void) sync_send(fd, SYNC_ERROR, buf, len);
}

/* One message; control (if any) gets its ancillary data, *ctl_len its length. */
static int recv_msg(int fd, uint32_t *ret_type, void *buf, size_t size, size_t *ret_len,
		    void *control, size_t *ctl_len)
{
	uint32_t type = 0;
	struct iovec iov[2] = {
		{.iov_base = &type, .iov_len = sizeof(type)},
		{.iov_base = buf, .iov_len = size},
	};
	struct msghdr msg = {.msg_iov = iov,
			     .msg_iovlen = 2,
			     .msg_control = control,
			     .msg_controllen = control ? *ctl_len : 0};
	ssize_t n;

	do
		n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	if (control)
		*ctl_len = msg.msg_controllen;
	if ((size_t) n < sizeof(type))
		return -EPROTO;
	*ret_type = type;
	if (ret_len)
		*ret_len = (size_t) n - sizeof(type);
	return 0;
}

int sync_recv(int fd, uint32_t *ret_type, void *buf, size_t size, size_t *ret_len)
{
	return recv_msg(fd, ret_type, buf, size, ret_len, NULL, NULL);
}

struct fd_control {
	union {
		char buf[CMSG_SPACE(SYNC_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} u;
	size_t len;
};

static int expect_ctl(int fd, uint32_t want, uint32_t other, uint32_t *ret_type, void *buf,
		      size_t size, size_t *ret_len, struct fd_control *ctl, struct berr **err)
{
	char local[SYNC_MAX_PAYLOAD];
	uint32_t type;
	size_t len = 0;
	int r;

	if (!buf) {
		buf = local;
		size = sizeof(local);
	}
	if (ctl)
		ctl->len = sizeof(ctl->u.buf);
	r = recv_msg(fd, &type, buf, size, &len, ctl ? ctl->u.buf : NULL, ctl ? &ctl->len : NULL);
	if (r == -EPIPE)
		return berr_set(err, EPIPE, "container init exited during setup");
	if (r < 0)
		return berr_sys(err, -r, "reading the sync socket");
	if (type == SYNC_ERROR)
		return berr_decode(buf, len, err);
	if (type != want && (!other || type != other))
		return berr_set(err, EPROTO, "sync: expected message %u, got %u", want, type);
	if (ret_type)
		*ret_type = type;
	if (ret_len)
		*ret_len = len;
	return 0;
}

int sync_expect(int fd, uint32_t want, void *buf, size_t size, size_t *ret_len, struct berr **err)
{
	return expect_ctl(fd, want, 0, NULL, buf, size, ret_len, NULL, err);
}

int sync_expect_either(int fd, uint32_t a, uint32_t b, uint32_t *ret_type, struct berr **err)
{
	return expect_ctl(fd, a, b, ret_type, NULL, 0, NULL, NULL, err);
}

int sync_send_fds(int fd, uint32_t type, const int *fds, size_t n)
{
	struct fd_control ctl;
	uint32_t count = (uint32_t) n;
	struct iovec iov[2] = {
		{.iov_base = &type, .iov_len = sizeof(type)},
		{.iov_base = &count, .iov_len = sizeof(count)},
	};
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
	struct cmsghdr *c;
	ssize_t r;

	if (n > SYNC_MAX_FDS)
		return -EINVAL;
	if (n) {
		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.u.buf;
		msg.msg_controllen = CMSG_SPACE(n * sizeof(int));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	}
	do
		r = sendmsg(fd, &msg, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

/* The fds of ctl into fds[0..max); the rest closed. How many were taken. */
static size_t take_fds(struct fd_control *ctl, int *fds, size_t max)
{
	struct msghdr msg = {.msg_control = ctl->u.buf, .msg_controllen = ctl->len};
	size_t got = 0;

	for (struct cmsghdr *c = ctl->len ? CMSG_FIRSTHDR(&msg) : NULL; c;
	     c = CMSG_NXTHDR(&msg, c)) {
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < n; i++) {
			int one;

			memcpy(&one, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (got < max)
				fds[got++] = one;
			else
				(void) close(one);
		}
	}
	return got;
}

int sync_expect_fds(int fd, uint32_t want, int *fds, size_t max, size_t *ret_n, struct berr **err)
{
	char buf[SYNC_MAX_PAYLOAD];
	struct fd_control ctl;
	uint32_t count = 0;
	size_t len = 0, got;
	int r;

	r = expect_ctl(fd, want, 0, NULL, buf, sizeof(buf), &len, &ctl, err);
	got = take_fds(&ctl, fds, r < 0 ? 0 : max);
	if (r < 0)
		return r;
	if (len == sizeof(count))
		memcpy(&count, buf, sizeof(count));
	if (len != sizeof(count) || got != count) {
		for (size_t i = 0; i < got; i++)
			(void) close(fds[i]);
		return berr_set(err, EPROTO, "sync: message %u: %u fds announced, %zu came", want,
				count, got);
	}
	*ret_n = got;
	return 0;
}
