/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/sync.h"

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

int sync_recv(int fd, uint32_t *ret_type, void *buf, size_t size, size_t *ret_len)
{
	uint32_t type = 0;
	struct iovec iov[2] = {
		{.iov_base = &type, .iov_len = sizeof(type)},
		{.iov_base = buf, .iov_len = size},
	};
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
	ssize_t n;

	do
		n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	if ((size_t) n < sizeof(type))
		return -EPROTO;
	*ret_type = type;
	if (ret_len)
		*ret_len = (size_t) n - sizeof(type);
	return 0;
}

static int expect(int fd, uint32_t want, uint32_t other, uint32_t *ret_type, void *buf, size_t size,
		  size_t *ret_len, struct berr **err)
{
	char local[SYNC_MAX_PAYLOAD];
	uint32_t type;
	size_t len = 0;
	int r;

	if (!buf) {
		buf = local;
		size = sizeof(local);
	}
	r = sync_recv(fd, &type, buf, size, &len);
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
	return expect(fd, want, 0, NULL, buf, size, ret_len, err);
}

int sync_expect_either(int fd, uint32_t a, uint32_t b, uint32_t *ret_type, struct berr **err)
{
	return expect(fd, a, b, ret_type, NULL, 0, NULL, err);
}
