/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /exec/{id}/start: the CLI's exec steps (cli/berth_exec.h), then `runtime exec` in
 * the foreground in a waiter thread while this connection relays its stdio:
 *
 *   client <-hijacked socket-> relay (connection thread) <-pipes-> runtime exec -> process
 *                                                     waiter thread: runtime_run(), exit code
 *
 * Without a tty the output goes in docker's 8-byte-header framing (1 stdout, 2 stderr).
 * The relay ends when the process's output ends; it then joins the waiter so that the
 * exit code is recorded before the connection closes (the docker CLI asks for it next).
 * A client that goes away, or the service's stop (which shuts the socket down), leaves
 * the waiter to finish on its own (the process runs on, as under dockerd). No lock is
 * held while waiting on either side.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/api_exec.h"
#include "api/api_hijack.h"
#include "api/api_stream.h"
#include "cli/berth_exec.h"
#include "engine/container_runtime.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/strv.h"

#define RELAY_BUF 32768

struct exec_run {
	atomic_int refs; /* the relay's, and the waiter's while it runs */
	struct exec_spec *spec;
	pthread_t waiter;
	bool framed;
	/* the waiter's */
	struct container_rt rt;
	char **args, *process, *pidfile, *log, *runtime_path; /* rt.rt.path */
	int process_lock, child_in, child_out, child_err;
	/* the relay's; in_w is non-blocking, inbuf[in_off, in_len) waits for it */
	int in_w, out_r, err_r;
	char *inbuf;
	size_t in_off, in_len;
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		(void) close(*fd);
	*fd = -1;
}

/* The waiter's part: the runtime's files and fds. */
static void run_waiter_done(struct exec_run *x)
{
	close_fd(&x->child_in);
	close_fd(&x->child_out);
	close_fd(&x->child_err);
	if (x->process) {
		(void) unlink(x->process);
		(void) unlink(x->pidfile);
		(void) unlink(x->log);
	}
	free(x->process);
	free(x->pidfile);
	free(x->log);
	free(x->runtime_path);
	x->process = x->pidfile = x->log = x->runtime_path = NULL;
	close_fd(&x->process_lock);
	x->args = strv_free(x->args);
	x->rt.rt.log = NULL;
	container_rt_done(&x->rt);
}

static void run_unref(void *data)
{
	struct exec_run *x = data;

	if (!x || atomic_fetch_sub(&x->refs, 1) > 1)
		return;
	run_waiter_done(x);
	close_fd(&x->in_w);
	close_fd(&x->out_r);
	close_fd(&x->err_r);
	free(x->inbuf);
	exec_spec_free(x->spec);
	free(x);
}

static void *waiter_main(void *arg)
{
	struct exec_run *x = arg;
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_free_ char *msg = NULL;
	const struct runtime_spawn s = {.args = x->args,
					.stdio = {x->child_in, x->child_out, x->child_err}};
	int r = runtime_run(&x->rt.rt, &s, &err);

	if (r > 0 && access(x->pidfile, F_OK) < 0)
		r = berth_exec_failure(x->log, &msg);
	else if (r < 0)
		r = 126;
	if ((msg || err) && x->child_err >= 0)
		(void) !write(x->child_err, msg ? msg : err->msg, strlen(msg ? msg : err->msg));
	run_waiter_done(x);
	api_exec_finished(x->spec->id, r);
	run_unref(x);
	return NULL;
}

static int start_waiter(struct exec_run *x)
{
	int r;

	atomic_fetch_add(&x->refs, 1);
	if ((r = pthread_create(&x->waiter, NULL, waiter_main, x)) != 0) {
		atomic_fetch_sub(&x->refs, 1);
		api_exec_finished(x->spec->id, 126);
		return -r;
	}
	return 0;
}

/* Move what *fd has to out (framed as stream); 0, 1 at its end, -errno when out is gone. */
static int pump(struct exec_run *x, int *fd, int stream, int out)
{
	char buf[8 + RELAY_BUF];
	ssize_t n = read(*fd, buf + 8, RELAY_BUF);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		close_fd(fd);
		return 1;
	}
	memset(buf, 0, 8);
	buf[0] = (char) stream;
	buf[4] = (char) (n >> 24);
	buf[5] = (char) (n >> 16);
	buf[6] = (char) (n >> 8);
	buf[7] = (char) n;
	return x->framed ? api_send_all(out, buf, 8 + (size_t) n)
			 : api_send_all(out, buf + 8, (size_t) n);
}

/* The client's input, read only when what it sent before went to stdin; its end is stdin's. */
static void feed(struct exec_run *x, int in, bool *reading)
{
	ssize_t n = read(in, x->inbuf, RELAY_BUF);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0 || x->in_w < 0) {
		close_fd(&x->in_w);
		*reading = false;
		return;
	}
	x->in_off = 0;
	x->in_len = (size_t) n;
}

/* What waits to stdin, as much as the pipe takes now; a process that closed it drops it. */
static void flush_in(struct exec_run *x)
{
	ssize_t n = write_nosigpipe(x->in_w, x->inbuf + x->in_off, x->in_len - x->in_off);

	if (n == -EAGAIN)
		return;
	if (n < 0) {
		close_fd(&x->in_w);
		x->in_off = x->in_len = 0;
		return;
	}
	x->in_off += (size_t) n;
	if (x->in_off == x->in_len)
		x->in_off = x->in_len = 0;
}

static bool in_pending(const struct exec_run *x)
{
	return x->in_w >= 0 && x->in_len > x->in_off;
}

/*
 * Relay until the output ends (true) or the client goes (false). in: the client's input
 * (-1: none), not read while stdin has not taken the last of it (a process that does not
 * read its input must not stop us relaying its output); watch: the client's socket,
 * polled for HUP all along (its going, or the service's stop: a half-close only ends the
 * input, the client still reads).
 */
static bool relay_loop(struct exec_run *x, int out, int in, int watch)
{
	bool reading = in >= 0;

	while (x->out_r >= 0 || x->err_r >= 0) {
		bool hold = in_pending(x);
		struct pollfd p[4] = {{x->out_r, POLLIN, 0},
				      {x->err_r, POLLIN, 0},
				      {watch, (short) (reading && !hold ? POLLIN : 0), 0},
				      {hold ? x->in_w : -1, POLLOUT, 0}};

		if (poll(p, 4, -1) < 0 && errno != EINTR)
			return false;
		if (p[2].revents & (POLLHUP | POLLERR | POLLNVAL))
			return false;
		if (p[3].revents)
			flush_in(x);
		if (p[2].revents & POLLIN)
			feed(x, in, &reading);
		if ((p[0].revents && pump(x, &x->out_r, 1, out) < 0) ||
		    (p[1].revents && pump(x, &x->err_r, 2, out) < 0))
			return false;
	}
	return true;
}

/* Start the process and relay; the exit code is recorded when this returns true. */
static bool run_relay(struct exec_run *x, int out, int in, int watch, const char *extra,
		      size_t extra_len)
{
	bool done;

	if (!(x->inbuf = malloc(RELAY_BUF > extra_len ? RELAY_BUF : extra_len))) {
		api_exec_finished(x->spec->id, 126);
		return false;
	}
	if (start_waiter(x) < 0)
		return false;
	/* what libmicrohttpd read past the request: the first of the client's input */
	if (extra_len && x->in_w >= 0) {
		memcpy(x->inbuf, extra, extra_len);
		x->in_len = extra_len;
	}
	done = relay_loop(x, out, in, watch);
	close_fd(&x->in_w);
	if (done)
		(void) pthread_join(x->waiter, NULL);
	else
		(void) pthread_detach(x->waiter);
	return done;
}

static int stream_exec(struct api_stream *st)
{
	return run_relay(st->data, st->out, -1, st->client, NULL, 0) ? 0 : -EPIPE;
}

static void relay_hijacked(void *data, int sock, const char *extra, size_t extra_len)
{
	struct exec_run *x = data;

	if (run_relay(x, sock, x->spec->attach_stdin ? sock : -1, sock, extra, extra_len))
		api_hijack_linger(sock);
}

/* A pipe: the parent keeps *mine, the process gets *theirs; want false: both -1. */
static int make_pipe(bool want, bool parent_reads, int *mine, int *theirs)
{
	int p[2];

	if (!want)
		return 0;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	*mine = parent_reads ? p[0] : p[1];
	*theirs = parent_reads ? p[1] : p[0];
	/* the input's end is written when poll says it takes more (relay_loop) */
	if (!parent_reads && fcntl(*mine, F_SETFL, O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

/* The CLI's exec steps up to the runtime's command line, and the pipes. */
static int prepare(struct api_req *r, struct exec_run *x, bool detach, struct berr **err)
{
	_cleanup_container_ struct container *c = NULL;
	const struct exec_flags f = {.privileged = x->spec->privileged,
				     .user = x->spec->user,
				     .workdir = x->spec->workdir,
				     .env = x->spec->env};
	struct engine *e;
	int ret;

	if ((ret = berth_exec_target(r->ctx, x->spec->container, &e, &c, err)) < 0 ||
	    (ret = berth_exec_write_process(c, &f, x->spec->cmd, &x->process, &x->process_lock,
					    err)) < 0)
		return ret;
	if (container_rt_init(e, c, &x->rt) < 0 ||
	    asprintf(&x->pidfile, "%s.pid", x->process) < 0 ||
	    asprintf(&x->log, "%s.log", x->process) < 0)
		return -ENOMEM;
	x->rt.rt.log = x->log;
	/* the container goes when this returns; the waiter keeps the runtime's path */
	if (!(x->runtime_path = strdup(x->rt.rt.path)))
		return -ENOMEM;
	x->rt.rt.path = x->runtime_path;
	if ((ret = berth_exec_args(x->process, x->pidfile, false, false, NULL, c->cfg->id,
				   &x->args)) < 0 ||
	    (ret = make_pipe(!detach && x->spec->attach_stdin, false, &x->in_w, &x->child_in)) <
		    0 ||
	    (ret = make_pipe(!detach && x->spec->attach_stdout, true, &x->out_r, &x->child_out)) <
		    0 ||
	    (ret = make_pipe(!detach && x->spec->attach_stderr, true, &x->err_r, &x->child_err)) <
		    0)
		return berr_sys(err, -ret, "cannot make the exec's pipes");
	berth_exec_event(e, c, "exec_start", x->spec->cmd);
	return 0;
}

static struct exec_run *run_new(struct exec_spec *s)
{
	struct exec_run *x = calloc(1, sizeof(*x));

	if (!x) {
		exec_spec_free(s);
		return NULL;
	}
	*x = (struct exec_run){.spec = s,
			       .framed = !s->tty,
			       .process_lock = -1,
			       .child_in = -1,
			       .child_out = -1,
			       .child_err = -1,
			       .in_w = -1,
			       .out_r = -1,
			       .err_r = -1};
	atomic_init(&x->refs, 1);
	return x;
}

int api_exec_run(struct api_req *r, struct exec_spec *s, bool detach)
{
	_cleanup_berr_ struct berr *err = NULL;
	struct exec_run *x = run_new(s);
	int ret;

	if (!x)
		return -ENOMEM;
	if ((ret = prepare(r, x, detach, &err)) < 0) {
		api_exec_finished(x->spec->id, 126);
		if (ret == -ENOENT)
			ret = api_reply_error(r, 404, "No such container: %s", s->container);
		else
			ret = api_reply_berr(r, ret == -EINVAL ? EBUSY : ret, err);
		run_unref(x);
		return ret;
	}
	if (detach) {
		ret = start_waiter(x);
		if (ret == 0)
			(void) pthread_detach(x->waiter);
		run_unref(x);
		return ret < 0 ? ret : api_reply_empty(r, 200);
	}
	if (api_wants_upgrade(r))
		return api_reply_upgrade(r, relay_hijacked, x, run_unref);
	return api_stream_reply(r, "application/vnd.docker.raw-stream", stream_exec, x, run_unref);
}
