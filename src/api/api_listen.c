/* SPDX-License-Identifier: Apache-2.0 */
/* The service's listening socket: unix://PATH, tcp://127.0.0.1:PORT, or systemd's LISTEN_FDS. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/api_listen.h"
#include "lib/cleanup.h"

#define SD_LISTEN_FDS_START 3

int api_listen_systemd(void)
{
	const char *pid = secure_getenv("LISTEN_PID"), *fds = secure_getenv("LISTEN_FDS");
	char *end;
	long n;

	if (!pid || !fds || strtol(pid, &end, 10) != (long) getpid() || *end)
		return -ENOENT;
	n = strtol(fds, &end, 10);
	if (*end || n < 1)
		return -ENOENT;
	(void) unsetenv("LISTEN_PID");
	(void) unsetenv("LISTEN_FDS");
	(void) unsetenv("LISTEN_FDNAMES");
	if (fcntl(SD_LISTEN_FDS_START, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	return SD_LISTEN_FDS_START;
}

/* A stale socket from a service that died is replaced; anything else at path is refused. */
static int unlink_stale(const char *path, struct berr **err)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : berr_sys(err, errno, "cannot stat '%s'", path);
	if (!S_ISSOCK(st.st_mode))
		return berr_set(err, EEXIST, "'%s' exists and is not a socket", path);
	if (unlink(path) < 0)
		return berr_sys(err, errno, "cannot remove the old socket '%s'", path);
	return 0;
}

static int listen_unix(const char *path, gid_t gid, struct berr **err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_free_ char *dir = strdup(path);
	_cleanup_close_ int fd = -1;
	mode_t old_umask;
	char *slash;
	int r;

	if (!dir)
		return -ENOMEM;
	if (!*path || strlen(path) >= sizeof(sa.sun_path))
		return berr_set(err, EINVAL, "invalid socket path '%s'", path);
	if ((slash = strrchr(dir, '/')) && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return berr_sys(err, errno, "cannot create '%s'", dir);
	}
	if ((r = unlink_stale(path, err)) < 0)
		return r;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return berr_sys(err, errno, "cannot create a unix socket");
	/*
	 * docker's default: root:root 0660 (root:GROUP with -G), so only root and the group
	 * may drive the engine; made so by bind itself (no window with another mode), and
	 * lchown never follows a link put at the path meanwhile
	 */
	old_umask = umask(0117);
	r = bind(fd, (struct sockaddr *) &sa, sizeof(sa));
	(void) umask(old_umask);
	if (r < 0)
		return berr_sys(err, errno, "cannot bind '%s'", path);
	if (((geteuid() == 0 || gid != 0) &&
	     lchown(path, geteuid() == 0 ? 0 : (uid_t) -1, gid) < 0) ||
	    listen(fd, 128) < 0) {
		r = berr_sys(err, errno, "cannot listen on '%s'", path);
		(void) unlink(path);
		return r;
	}
	return TAKE_FD(fd);
}

/* tcp://127.0.0.1:PORT only: the API gives root to whoever reaches it, so never off-host. */
static int listen_tcp(const char *hostport, struct berr **err)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	const char *colon = strrchr(hostport, ':');
	_cleanup_close_ int fd = -1;
	int one = 1;
	char *end;
	long port;

	if (!colon ||
	    (strncmp(hostport, "127.0.0.1:", 10) != 0 && strncmp(hostport, "localhost:", 10) != 0))
		return berr_set(err, EINVAL,
				"'tcp://%s': only tcp://127.0.0.1:PORT is served (for tests)",
				hostport);
	port = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port < 1 || port > 65535)
		return berr_set(err, EINVAL, "invalid port in 'tcp://%s'", hostport);
	sa.sin_port = htons((uint16_t) port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return berr_sys(err, errno, "cannot create a TCP socket");
	(void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(fd, 128) < 0)
		return berr_sys(err, errno, "cannot listen on 'tcp://%s'", hostport);
	return TAKE_FD(fd);
}

int api_listen(const char *uri, gid_t gid, char **ret_unix_path, struct berr **err)
{
	int fd;

	*ret_unix_path = NULL;
	if (strncmp(uri, "unix://", 7) == 0) {
		if ((fd = listen_unix(uri + 7, gid, err)) >= 0 &&
		    !(*ret_unix_path = strdup(uri + 7))) {
			(void) close(fd);
			return -ENOMEM;
		}
		return fd;
	}
	if (strncmp(uri, "tcp://", 6) == 0)
		return listen_tcp(uri + 6, err);
	return berr_set(err, EINVAL,
			"unsupported address '%s' (unix:///PATH or tcp://127.0.0.1:PORT)", uri);
}
