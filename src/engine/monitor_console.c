/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/monitor_console.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/cleanup.h"

#define ACCEPT_MS 10000

int console_socket_open(int dirfd, struct console_socket **ret, struct berr **err)
{
	_cleanup_free_ struct console_socket *cs = calloc(1, sizeof(*cs));
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	unsigned int rnd = 0;

	if (!cs)
		return -ENOMEM;
	(void) getrandom(&rnd, sizeof(rnd), 0);
	/* the directory through our fd: short whatever the engine root's length */
	snprintf(cs->path, sizeof(cs->path), "/proc/%d/fd/%d/console-%08x.sock", (int) getpid(),
		 dirfd, rnd);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", cs->path);
	cs->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (cs->fd < 0)
		return berr_sys(err, errno, "cannot make the console socket");
	if (bind(cs->fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(cs->fd, 1) < 0) {
		int r = berr_sys(err, errno, "cannot listen on '%s'", cs->path);

		close(cs->fd);
		return r;
	}
	*ret = TAKE_PTR(cs);
	return 0;
}

int console_socket_receive(struct console_socket *cs, int *ret_fd, struct berr **err)
{
	struct pollfd p = {.fd = cs->fd, .events = POLLIN};
	char data[256], ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {data, sizeof(data)};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl,
			     .msg_controllen = sizeof(ctl)};
	struct cmsghdr *cm;
	_cleanup_close_ int conn = -1;

	if (poll(&p, 1, ACCEPT_MS) <= 0)
		return berr_set(err, ETIMEDOUT, "the runtime sent no terminal");
	conn = accept4(cs->fd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return berr_sys(err, errno, "console socket");
	if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) < 0)
		return berr_sys(err, errno, "cannot receive the terminal");
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return berr_set(err, EPROTO, "the runtime sent no terminal");
	memcpy(ret_fd, CMSG_DATA(cm), sizeof(int));
	return 0;
}

struct console_socket *console_socket_free(struct console_socket *cs)
{
	if (!cs)
		return NULL;
	if (cs->fd >= 0)
		close(cs->fd);
	(void) unlink(cs->path);
	free(cs);
	return NULL;
}
