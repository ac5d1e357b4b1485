/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/exec_tty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cli/attach.h"
#include "lib/cleanup.h"
#include "lib/fd.h"

/* SIGCHLD blocked from the start: the process may exit before the relay begins. */
static void relay_mask(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGWINCH);
	sigaddset(mask, SIGCHLD);
}

void exec_tty_prepare(void)
{
	sigset_t mask;

	relay_mask(&mask);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	(void) prctl(PR_SET_CHILD_SUBREAPER, 1);
}

static int read_pid(const char *pidfile, pid_t *ret)
{
	_cleanup_close_ int fd = open(pidfile, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char buf[32] = "";

	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
		return -EIO;
	*ret = (pid_t) atoi(buf);
	return *ret > 0 ? 0 : -EIO;
}

struct tty_relay {
	int master, sigfd;
	pid_t pid;
	int status; /* the process's wait status once reaped, else -1 */
	bool in_open, detached;
	struct detach_keys keys;
};

static void on_input(struct tty_relay *t)
{
	unsigned char buf[16384], out[sizeof(buf) + DETACH_KEYS_MAX];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
	size_t len;

	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		t->in_open = false;
		return;
	}
	t->detached = detach_keys_feed(&t->keys, buf, (size_t) n, out, &len);
	if (len)
		(void) write_all(t->master, out, len);
}

/* A window size to pass on, or a child that exited: the process, reaped. */
static void on_signal(struct tty_relay *t)
{
	struct signalfd_siginfo si;

	if (read(t->sigfd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGWINCH)
		attach_resize(t->master);
	else if (t->status < 0 && waitpid(t->pid, &t->status, WNOHANG) != t->pid)
		t->status = -1;
}

/* Write what the terminal still holds once the process is gone (its children may keep it). */
static void drain(int master)
{
	char buf[16384];
	ssize_t n;

	(void) fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	while ((n = read(master, buf, sizeof(buf))) > 0)
		(void) write_all(STDOUT_FILENO, buf, (size_t) n);
}

/* Relay until the process exits, the terminal's last slave closes (EIO), or the user detaches. */
static void relay(struct tty_relay *t)
{
	while (!t->detached) {
		struct pollfd p[3] = {{.fd = t->master, .events = POLLIN},
				      {.fd = t->in_open ? STDIN_FILENO : -1, .events = POLLIN},
				      {.fd = t->sigfd, .events = POLLIN}};
		unsigned char buf[16384];
		ssize_t n;

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[2].revents)
			on_signal(t);
		if (t->status >= 0) {
			drain(t->master);
			return;
		}
		if (p[1].revents)
			on_input(t);
		if (p[0].revents && !t->detached) {
			n = read(t->master, buf, sizeof(buf));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0)
				return;
			(void) write_all(STDOUT_FILENO, buf, (size_t) n);
		}
	}
}

/* Hold the master in the background (see exec_tty.h); the caller goes on. */
static void keep_master(int master)
{
	int null_fd;
	pid_t pid = fork();

	if (pid != 0)
		return;
	(void) setsid();
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd < 3 && null_fd >= 0; fd++)
		(void) dup2(null_fd, fd);
	for (;;) {
		char buf[4096];
		ssize_t n = read(master, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0);
	}
}

static int exit_code_of(const struct tty_relay *t, struct berr **err)
{
	int status = t->status;

	while (status < 0 && waitpid(t->pid, &status, 0) < 0)
		if (errno != EINTR)
			return berr_sys(err, errno, "cannot wait for the exec'd process");
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
}

int exec_tty_relay(struct console_socket *cs, const char *pidfile, const struct detach_keys *keys,
		   struct berr **err)
{
	struct tty_relay t = {.master = -1, .status = -1, .in_open = true, .keys = *keys};
	struct termios saved, raw;
	bool raw_mode = false;
	sigset_t mask;
	int r;

	if ((r = console_socket_receive(cs, &t.master, err)) < 0)
		return r;
	if (read_pid(pidfile, &t.pid) < 0) {
		close(t.master);
		return berr_set(err, EIO, "cannot read the exec'd process's pid");
	}
	attach_resize(t.master);
	relay_mask(&mask);
	t.sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		raw_mode = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	}
	relay(&t);
	if (raw_mode)
		(void) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	if (t.sigfd >= 0)
		close(t.sigfd);
	if (t.detached) {
		keep_master(t.master);
		close(t.master);
		fputs("read escape sequence\n", stderr);
		return 1;
	}
	close(t.master);
	return exit_code_of(&t, err);
}
