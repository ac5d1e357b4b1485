/* SPDX-License-Identifier: Apache-2.0 */
/* SCMP_ACT_NOTIFY: handing the listener fd and the container process state over. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "runtime/config/oci_config.h"
#include "runtime/security/seccomp.h"

int seccomp_notify_connect(const char *path, int *ret_fd, struct berr **err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = -1;

	if (strlen(path) >= sizeof(sa.sun_path))
		return berr_set(err, ENAMETOOLONG, "seccomp listener path '%s' is too long", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return berr_sys(err, errno, "creating a socket for the seccomp listener");
	if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
		return berr_sys(err, errno, "connecting to the seccomp listener '%s'", path);
	*ret_fd = TAKE_FD(fd);
	return 0;
}

static char *state_json(const struct seccomp_notify_state *st)
{
	_cleanup_jw_ struct jwriter *top = jw_object();
	struct jwriter *fds = jw_array(), *state = jw_object(), *ann = jw_object();

	jw_str(top, "ociVersion", BERTH_OCI_VERSION);
	jw_append_str(fds, "seccompFd");
	jw_put(top, "fds", fds);
	jw_int(top, "pid", st->pid);
	jw_str(top, "metadata", st->metadata);
	jw_str(state, "ociVersion", BERTH_OCI_VERSION);
	jw_str(state, "id", st->id);
	jw_str(state, "status", st->status);
	jw_int(state, "pid", st->init_pid ? st->init_pid : st->pid);
	jw_str(state, "bundle", st->bundle);
	for (size_t i = 0; i < st->n_annotations; i++)
		jw_str(ann, st->annotations[i].key, st->annotations[i].value);
	if (st->n_annotations)
		jw_put(state, "annotations", ann);
	else
		jw_free(ann);
	jw_put(top, "state", state);
	return jw_to_string(top, false);
}

int seccomp_notify_send(int sock, int notify_fd, const struct seccomp_notify_state *st,
			struct berr **err)
{
	_cleanup_free_ char *text = state_json(st);
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *cm;
	size_t off = 0, len;
	ssize_t n;

	if (!text)
		return berr_set(err, ENOMEM, "out of memory");
	len = strlen(text);
	memset(&u, 0, sizeof(u));
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &notify_fd, sizeof(int));
	/* The fd goes with the first sendmsg only (runtime-spec). */
	while (off < len) {
		iov = (struct iovec){.iov_base = text + off, .iov_len = len - off};
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return berr_sys(err, n < 0 ? errno : EPIPE,
					"sending the seccomp fd to the listener");
		off += (size_t) n;
		msg.msg_control = NULL;
		msg.msg_controllen = 0;
	}
	return 0;
}
