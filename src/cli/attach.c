/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/attach.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "engine/attach_frame.h"
#include "engine/container_ops.h"
#include "engine/monitor.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/log.h"

/* An output frame's piece to our stdout or stderr. */
static int write_out(int type, const void *p, size_t n, void *arg)
{
	(void) arg;
	(void) write_all(type == FRAME_STDERR ? STDERR_FILENO : STDOUT_FILENO, p, n);
	return 0;
}

static void proxy_signal(struct berth_ctx *ctx, const char *id, int sig)
{
	_cleanup_container_ struct container *c = NULL;

	if (container_load(ctx->engine, id, true, &c, NULL) >= 0)
		(void) container_kill(ctx->engine, c, sig, NULL);
}

/* A signal for us: a window size to pass on, or one for the container. */
static void on_signal(struct berth_ctx *ctx, const char *id, int sigfd, int master)
{
	struct signalfd_siginfo si;

	if (read(sigfd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGWINCH && master >= 0)
		attach_resize(master);
	else
		proxy_signal(ctx, id, (int) si.ssi_signo);
}

/* The exit code from the state when the monitor went away without an exit frame. */
static int code_from_state(struct berth_ctx *ctx, const char *id)
{
	_cleanup_container_ struct container *c = NULL;

	if (container_load(ctx->engine, id, true, &c, NULL) < 0)
		return 125;
	if (container_wait_exit(ctx->engine, c, -1, NULL) < 0)
		return 125;
	return c->st.exit_code;
}

/* Not forwarded (docker's list), or not ours to catch: faults, glibc's own. */
static bool forwarded(int sig)
{
	switch (sig) {
	case SIGKILL:
	case SIGSTOP:
	case SIGCHLD:
	case SIGPIPE:
	case SIGURG:
	case SIGWINCH:
	case SIGSEGV:
	case SIGBUS:
	case SIGILL:
	case SIGFPE:
	case SIGTRAP:
	case SIGSYS:
		return false;
	default:
		return sig < 32 || sig >= SIGRTMIN;
	}
}

/* The signals we take through a signalfd: SIGWINCH with a tty, those we forward. */
static void signal_mask(const struct attach_opts *o, sigset_t *mask)
{
	sigemptyset(mask);
	if (o->tty)
		sigaddset(mask, SIGWINCH);
	if (!o->sig_proxy)
		return;
	if (!o->all_signals) {
		sigaddset(mask, SIGINT);
		sigaddset(mask, SIGTERM);
		sigaddset(mask, SIGHUP);
		return;
	}
	for (int sig = 1; sig <= SIGRTMAX; sig++)
		if (forwarded(sig))
			sigaddset(mask, sig);
}

struct session {
	int fd; /* the attach socket */
	bool in_open, detached;
	struct detach_keys keys;
	bool use_keys;
};

/* The user's input for the container, watched for the detach keys. */
static void on_stdin(struct session *s)
{
	unsigned char buf[16384], out[sizeof(buf) + DETACH_KEYS_MAX];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
	size_t len = (size_t) n;

	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		s->in_open = false;
		(void) shutdown(s->fd, SHUT_WR);
		return;
	}
	if (s->use_keys) {
		s->detached = detach_keys_feed(&s->keys, buf, len, out, &len);
		if (len && write_all(s->fd, out, len) < 0)
			s->in_open = false;
		return;
	}
	if (write_all(s->fd, buf, len) < 0)
		s->in_open = false;
}

/* Relay until the monitor closes the socket or the user detaches. */
static void relay_loop(struct berth_ctx *ctx, const char *id, struct session *s,
		       struct attach_reader *r, int sigfd, int master)
{
	while (!s->detached) {
		struct pollfd p[3] = {{.fd = s->fd, .events = POLLIN},
				      {.fd = s->in_open ? STDIN_FILENO : -1, .events = POLLIN},
				      {.fd = sigfd, .events = POLLIN}};
		unsigned char buf[16384];
		ssize_t n;

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[2].revents)
			on_signal(ctx, id, sigfd, master);
		if (p[1].revents)
			on_stdin(s);
		if (p[0].revents && !s->detached) {
			n = read(s->fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return;
			(void) attach_reader_feed(r, buf, (size_t) n, write_out, NULL);
		}
	}
}

int berth_detach_keys(const char *spec, struct detach_keys *ret)
{
	if (detach_keys_parse(spec, ret) < 0) {
		log_error_report("Invalid detach keys (%s) provided", spec);
		return -EINVAL;
	}
	return 0;
}

int berth_attach(struct berth_ctx *ctx, const char *id, int fd, const struct attach_opts *o)
{
	struct attach_reader r;
	struct session s = {.fd = fd, .in_open = o->interactive};
	struct termios saved, raw;
	bool raw_mode = false;
	_cleanup_close_ int master = -1;
	sigset_t mask;
	int sigfd;

	attach_reader_init(&r);
	signal_mask(o, &mask);
	if (o->tty)
		master = attach_console_master(ctx->engine, id);
	if (o->redraw)
		attach_redraw(master);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (o->tty && o->interactive && isatty(STDIN_FILENO) &&
	    tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		raw_mode = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	}
	/* docker's client watches for the keys in a terminal only */
	if (o->keys && o->tty && o->interactive) {
		s.keys = *o->keys;
		s.use_keys = true;
	}
	relay_loop(ctx, id, &s, &r, sigfd, master);
	if (raw_mode)
		(void) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	close(fd);
	if (sigfd >= 0)
		close(sigfd);
	if (s.detached) {
		/* docker: attach and exec say so and exit 1, run and start -a exit 0 */
		if (o->say_detach)
			fputs("read escape sequence\n", stderr);
		return o->say_detach ? 1 : 0;
	}
	return r.exit_code >= 0 ? r.exit_code : code_from_state(ctx, id);
}
