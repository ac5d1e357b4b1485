/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/process/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/safe_path.h"
#include "runtime/rootfs/mounts.h"
#include "runtime/rootfs/mounts_bind.h"
#include "runtime/config/oci_config.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* How long the foreground runtime waits for the last output once the process exited. */
#define DRAIN_WAIT_MS 200
/* Longest name accepted with a received fd (runc sends the pty's path). */
#define FD_NAME_MAX 4096

int terminal_connect(const char *path, int *ret_fd, struct berr **err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = -1;

	if (!*path)
		return berr_set(err, EINVAL, "--console-socket: must not be empty");
	if (strlen(path) >= sizeof(sa.sun_path))
		return berr_set(err, ENAMETOOLONG, "--console-socket: '%s' is too long", path);
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return berr_sys(err, errno, "--console-socket: creating a socket");
	if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
		return berr_sys(err, errno, "--console-socket: connecting to '%s'", path);
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int terminal_socketpair(int *ret_ours, int *ret_theirs, struct berr **err)
{
	int fds[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
		return berr_sys(err, errno, "creating the terminal socket");
	*ret_ours = fds[0];
	*ret_theirs = fds[1];
	return 0;
}

int terminal_send_fd(int sock, int fd, const char *name)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = {.iov_base = (void *) name, .iov_len = strlen(name)};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *c;
	ssize_t n;

	memset(&control, 0, sizeof(control));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

/* Close every fd a control message carried (all but *keep, which is returned). */
static int take_fds(struct msghdr *msg, int *ret_fd)
{
	int found = -1;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (found < 0)
				found = fd;
			else
				(void) close(fd);
		}
	}
	if (found < 0)
		return -EBADMSG;
	*ret_fd = found;
	return 0;
}

int terminal_recv_fd(int sock, int *ret_fd, struct berr **err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} control;
	_cleanup_free_ char *name = malloc(FD_NAME_MAX);
	struct iovec iov = {.iov_base = name, .iov_len = FD_NAME_MAX};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	ssize_t n;
	int r;

	if (!name)
		return berr_set(err, ENOMEM, "out of memory");
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return berr_sys(err, errno, "receiving the terminal");
	r = take_fds(&msg, ret_fd);
	if (r < 0)
		return berr_set(err, EBADMSG, "receiving the terminal: %s",
				n == 0 ? "the container closed the socket"
				       : "no fd in the message");
	return 0;
}

int terminal_console_target(int rootfd, int *ret_fd, struct berr **err)
{
	int fd = safe_mount_target(rootfd, "/dev/console", true);

	if (fd < 0)
		return berr_sys(err, -fd, "creating /dev/console");
	*ret_fd = fd;
	return 0;
}

/* The slave of master: TIOCGPTPEER opens it without a path lookup (Linux 4.13). */
static int open_slave(int master)
{
	char name[64];
	int fd;

	fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0 || (errno != EINVAL && errno != ENOTTY))
		return fd < 0 ? -errno : fd;
	if (ptsname_r(master, name, sizeof(name)) != 0)
		return -errno;
	fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int set_size(int master, const struct spec_process *p, struct berr **err)
{
	struct winsize ws = {0};

	if (!p->console_height.set || !p->console_width.set)
		return 0;
	ws.ws_row = (unsigned short) p->console_height.v;
	ws.ws_col = (unsigned short) p->console_width.v;
	if (ioctl(master, TIOCSWINSZ, &ws) < 0)
		return berr_sys(err, errno, "setting the terminal size (process.consoleSize)");
	return 0;
}

static int become_stdio(int slave, struct berr **err)
{
	for (int fd = 0; fd <= 2; fd++)
		if (dup3(slave, fd, 0) < 0)
			return berr_sys(err, errno, "making the terminal fd %d", fd);
	if (ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)
		return berr_sys(err, errno, "making the terminal the controlling terminal");
	return 0;
}

static int pick_host_tty(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (isatty(fd))
			return fd;
	return -1;
}

/* The pty the runtime proxies: no ONLCR (the host terminal translates), the host's size. */
static void prepare_proxied(int master)
{
	int host = pick_host_tty();
	struct termios tio;
	struct winsize ws;

	if (tcgetattr(master, &tio) == 0) {
		tio.c_oflag &= ~(tcflag_t) ONLCR;
		(void) tcsetattr(master, TCSANOW, &tio);
	}
	if (host >= 0 && ioctl(host, TIOCGWINSZ, &ws) == 0)
		(void) ioctl(master, TIOCSWINSZ, &ws);
}

int terminal_setup(int sock, const struct spec_process *p, int console_target, bool proxied,
		   struct berr **err)
{
	_cleanup_close_ int master = -1, slave = -1;
	int r;

	/* The container's devpts instance: /dev/ptmx links to pts/ptmx there. */
	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return berr_sys(err, errno, "opening the container's /dev/ptmx");
	if (unlockpt(master) < 0)
		return berr_sys(err, errno, "unlocking the terminal");
	slave = open_slave(master);
	if (slave < 0)
		return berr_sys(err, -slave, "opening the terminal's slave");
	if ((r = set_size(master, p, err)) < 0)
		return r;
	/* The process's user owns its terminal (its group stays devpts' tty), as with runc. */
	if (fchown(slave, p->user.uid, (gid_t) -1) < 0)
		return berr_sys(err, errno, "giving the terminal to uid %u", p->user.uid);
	if (proxied)
		prepare_proxied(master);
	if (console_target >= 0) {
		r = mounts_bind_fd(slave, console_target, false, 0, 0, 0, 0, 0);
		if (r < 0)
			return berr_sys(err, -r, "bind-mounting the terminal on /dev/console");
	}
	r = terminal_send_fd(sock, master, "/dev/ptmx");
	if (r < 0)
		return berr_sys(err, -r, "sending the terminal to the console socket");
	return become_stdio(slave, err);
}

/*
 * Raw input, but output post-processing kept (OPOST), as containerd's console does: the
 * pty's ONLCR is cleared instead, so a newline is translated once, by the host terminal.
 */
static void set_raw(struct terminal_proxy *t)
{
	struct termios raw;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &t->saved) < 0)
		return;
	raw = t->saved;
	cfmakeraw(&raw);
	raw.c_oflag |= OPOST;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
		t->raw = true;
}

int terminal_proxy_start(struct terminal_proxy *t, int master, struct berr **err)
{
	struct termios tio;

	memset(t, 0, sizeof(*t));
	t->master = master;
	t->stdin_open = true;
	t->master_open = true;
	if (fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK) < 0)
		return berr_sys(err, errno, "setting up the terminal");
	if (tcgetattr(master, &tio) == 0) {
		tio.c_oflag &= ~(tcflag_t) ONLCR;
		(void) tcsetattr(master, TCSANOW, &tio);
	}
	t->host_tty = pick_host_tty();
	terminal_proxy_resize(t);
	set_raw(t);
	return 0;
}

void terminal_proxy_resize(const struct terminal_proxy *t)
{
	struct winsize ws;

	if (t->host_tty >= 0 && ioctl(t->host_tty, TIOCGWINSZ, &ws) == 0)
		(void) ioctl(t->master, TIOCSWINSZ, &ws);
}

void terminal_proxy_fill(const struct terminal_proxy *t, struct pollfd *pfd)
{
	bool read_master = t->master_open && t->out_len == 0;

	pfd[0] = (struct pollfd){.fd = t->stdin_open && t->in_len == 0 ? STDIN_FILENO : -1,
				 .events = POLLIN};
	pfd[1] = (struct pollfd){
		.fd = read_master || t->in_len ? t->master : -1,
		.events = (short) ((read_master ? POLLIN : 0) | (t->in_len ? POLLOUT : 0)),
	};
	pfd[2] = (struct pollfd){.fd = t->out_len ? STDOUT_FILENO : -1, .events = POLLOUT};
}

static bool retry(ssize_t n)
{
	return n < 0 && (errno == EAGAIN || errno == EINTR);
}

static void step_stdin(struct terminal_proxy *t, short revents)
{
	ssize_t n;

	if (!(revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)))
		return;
	n = read(STDIN_FILENO, t->in_buf, sizeof(t->in_buf));
	if (retry(n))
		return;
	if (n <= 0) {
		t->stdin_open = false; /* EOF: stop copying; the container's end stays open */
		return;
	}
	t->in_len = (size_t) n;
	t->in_off = 0;
}

static void step_master(struct terminal_proxy *t, short revents)
{
	ssize_t n;

	if ((revents & (POLLOUT | POLLERR | POLLHUP)) && t->in_len) {
		n = write(t->master, t->in_buf + t->in_off, t->in_len - t->in_off);
		if (n > 0)
			t->in_off += (size_t) n;
		if ((n < 0 && !retry(n)) || t->in_off == t->in_len)
			t->in_len = t->in_off = 0;
	}
	if (!(revents & (POLLIN | POLLHUP | POLLERR)) || !t->master_open || t->out_len)
		return;
	n = read(t->master, t->out_buf, sizeof(t->out_buf));
	if (retry(n))
		return;
	if (n <= 0) {
		t->master_open = false; /* EIO: every slave fd is closed */
		return;
	}
	t->out_len = (size_t) n;
	t->out_off = 0;
}

static void step_stdout(struct terminal_proxy *t, short revents)
{
	ssize_t n;

	if (!(revents & (POLLOUT | POLLERR | POLLHUP | POLLNVAL)))
		return;
	n = write(STDOUT_FILENO, t->out_buf + t->out_off, t->out_len - t->out_off);
	if (n > 0)
		t->out_off += (size_t) n;
	/* A reader that went away: drop the output, but keep draining the pty. */
	if ((n < 0 && !retry(n)) || t->out_off == t->out_len)
		t->out_len = t->out_off = 0;
}

void terminal_proxy_step(struct terminal_proxy *t, const struct pollfd *pfd)
{
	if (pfd[0].fd >= 0)
		step_stdin(t, pfd[0].revents);
	if (pfd[1].fd >= 0)
		step_master(t, pfd[1].revents);
	if (pfd[2].fd >= 0)
		step_stdout(t, pfd[2].revents);
}

void terminal_proxy_finish(struct terminal_proxy *t)
{
	if (t->master < 0)
		return;
	if (t->out_len)
		(void) write_all(STDOUT_FILENO, t->out_buf + t->out_off, t->out_len - t->out_off);
	/* The last output may still be on its way through the pty: wait for EIO, bounded. */
	while (t->master_open) {
		struct pollfd pfd = {.fd = t->master, .events = POLLIN};
		ssize_t n;

		if (poll(&pfd, 1, DRAIN_WAIT_MS) <= 0)
			break;
		n = read(t->master, t->out_buf, sizeof(t->out_buf));
		if (retry(n))
			continue;
		if (n <= 0)
			break;
		(void) write_all(STDOUT_FILENO, t->out_buf, (size_t) n);
	}
	if (t->raw)
		(void) tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
	(void) close(t->master);
	t->master = -1;
}
