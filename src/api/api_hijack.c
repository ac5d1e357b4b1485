/* SPDX-License-Identifier: Apache-2.0 */
#include "api/api_hijack.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define LINGER_MS 2000

bool api_wants_upgrade(struct api_req *r)
{
	const char *up = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Upgrade");

	return up && strcasecmp(up, "tcp") == 0;
}

int api_reply_upgrade(struct api_req *r, MHD_UpgradeHandler fn, void *cls)
{
	struct MHD_Response *resp = MHD_create_response_for_upgrade(fn, cls);
	enum MHD_Result ok;

	if (!resp)
		return -ENOMEM;
	api_reply_headers(resp, "application/vnd.docker.raw-stream");
	(void) MHD_add_response_header(resp, "Upgrade", "tcp");
	ok = MHD_queue_response(r->conn, MHD_HTTP_SWITCHING_PROTOCOLS, resp);
	MHD_destroy_response(resp);
	r->replied = true;
	return ok == MHD_YES ? 0 : -EIO;
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
