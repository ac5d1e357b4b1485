/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/monitor.h"
#include "engine/container_ports.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/container_runtime.h"
#include "engine/container_update.h"
#include "engine/logs.h"
#include "engine/events.h"
#include "engine/monitor_attach.h"
#include "engine/monitor_console.h"
#include "engine/monitor_health.h"
#include "engine/log_drivers.h"
#include "engine/log_forward.h"
#include "engine/proc.h"
#include "lib/timefmt.h"
#include "lib/cleanup.h"
#include "lib/fd.h"

#define CHUNK 16384
#define READ_CHUNK (64 * 1024) /* the container's output, read at once */
#define PIPE_SIZE (256 * 1024) /* the kernel buffer of its stdout and stderr */
#define DRAIN_MS 2000
#define BACKOFF_MAX_MS 60000

struct mon {
	const struct monitor_opts *o;
	struct engine *e;
	struct container *c;
	struct container_rt rt;
	struct log_writer log;
	bool logging;
	int sigfd, sync_fd;
	struct attach_set clients; /* `berth run`/`start -a`'s and `berth attach`es */
	char *rbuf;		   /* READ_CHUNK bytes */
	bool rt_live;		   /* the runtime has the container: delete it before leaving */
	bool bundle_stale; /* `berth update` changed resources since the bundle was written */
	int out_r, err_r, in_w, pty;
	pid_t pid;
	int status; /* the init's wait status once reaped, else -1 */
	uint64_t
		oom_before; /* OOM kills counted when this run started (the cgroup may be reused) */
	struct mon_health health; /* the health checks of this run */
	struct log_forward fwd;	  /* journald or syslog, else fd -1 */
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		(void) close(*fd);
	*fd = -1;
}

/* Never blocks: what a slow client cannot take waits in a bounded queue, or is dropped. */
static void send_frame(struct mon *m, enum attach_frame type, const void *buf, uint32_t len)
{
	attach_set_send(&m->clients, type, buf, len);
}

static void report_sync(struct mon *m, const char *msg)
{
	char buf[4096];
	int n;

	if (m->sync_fd < 0)
		return;
	n = msg ? snprintf(buf, sizeof(buf), "error %s\n", msg)
		: snprintf(buf, sizeof(buf), "ok\n");
	(void) write_all(m->sync_fd, buf, (size_t) n < sizeof(buf) ? (size_t) n : sizeof(buf) - 1);
	close_fd(&m->sync_fd);
}

static int read_pid_file(struct mon *m, pid_t *ret)
{
	_cleanup_free_ char *buf = NULL;
	int r = read_file_at(m->c->dirfd, "pid", 64, &buf, NULL);

	if (r < 0)
		return r;
	*ret = (pid_t) atoi(buf);
	return *ret > 0 ? 0 : -EINVAL;
}

/* The container's stdio: pipes we read (or a pty from the console socket). */
static int make_stdio(struct mon *m, struct runtime_stdio *io, int *child_fds)
{
	int p[2];

	io->in = io->out = io->err = -1;
	if (m->c->cfg->tty)
		return 0;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	m->out_r = p[0];
	io->out = child_fds[0] = p[1];
	/* a larger pipe: the container writes on while the monitor writes the log */
	(void) fcntl(p[0], F_SETPIPE_SZ, PIPE_SIZE);
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	m->err_r = p[0];
	io->err = child_fds[1] = p[1];
	(void) fcntl(p[0], F_SETPIPE_SZ, PIPE_SIZE);
	if (m->c->cfg->open_stdin) {
		if (pipe2(p, O_CLOEXEC) < 0)
			return -errno;
		m->in_w = p[1];
		io->in = child_fds[2] = p[0];
	}
	return 0;
}

/*
 * The bundle was written at start: resources `berth update` changed since are applied
 * to the restarted container before it runs, as docker's restart takes them.
 */
static int apply_updated(struct mon *m, struct berr **err)
{
	struct container_update all = {.set = (1u << _UPD_FIELD_MAX) - 1};
	int r = container_resources_apply(&m->rt.rt, m->c, &all, err);

	return r < 0 ? berr_wrap(err, "cannot apply the updated resources") : 0;
}

static int create_and_start(struct mon *m, struct berr **err)
{
	_cleanup_free_ char *bundle = container_path(m->c, "bundle");
	_cleanup_free_ char *pidfile = container_path(m->c, "pid");
	_cleanup_(console_socket_freep) struct console_socket *cs = NULL;
	int child_fds[3] = {-1, -1, -1};
	struct runtime_create_opts co = {
		.id = m->c->cfg->id, .bundle = bundle, .pid_file = pidfile};
	int r;

	if (!bundle || !pidfile)
		return berr_set(err, ENOMEM, "out of memory");
	(void) unlinkat(m->c->dirfd, "pid", 0);
	if ((r = make_stdio(m, &co.stdio, child_fds)) < 0)
		return berr_sys(err, -r, "cannot make the container's stdio");
	if (m->c->cfg->tty) {
		if ((r = console_socket_open(m->c->dirfd, &cs, err)) < 0)
			return r;
		co.console_socket = cs->path;
	}
	r = runtime_create(&m->rt.rt, &co, err);
	for (int i = 0; i < 3; i++)
		close_fd(&child_fds[i]);
	if (r >= 0 && cs)
		r = console_socket_receive(cs, &m->pty, err);
	if (r >= 0 && (r = read_pid_file(m, &m->pid)) < 0)
		berr_sys(err, -r, "cannot read the runtime's pid file");
	/* the bundle stays as start wrote it: every restart after an update needs it */
	if (r >= 0 && m->bundle_stale)
		r = apply_updated(m, err);
	if (r >= 0)
		r = runtime_start(&m->rt.rt, m->c->cfg->id, err);
	if (r < 0) {
		(void) runtime_delete(&m->rt.rt, m->c->cfg->id, true, NULL);
		return r;
	}
	m->rt_live = true;
	return 0;
}

/*
 * Wait (at most a second) for what the runtime left running to exit: we are its
 * subreaper. A container init that failed its exec may still write the runtime's log
 * in the container's directory, which `berth run --rm` is about to remove.
 */
static void reap_leftovers(void)
{
	for (int i = 0; i < 50; i++) {
		pid_t p;

		while ((p = waitpid(-1, NULL, WNOHANG)) > 0)
			;
		if (p < 0 && errno == ECHILD)
			return;
		usleep(20000);
	}
}

/* Kill and delete the container in the runtime (its cgroups and state go with it). */
static void runtime_release(struct mon *m)
{
	if (!m->rt_live)
		return;
	(void) runtime_delete(&m->rt.rt, m->c->cfg->id, true, NULL);
	m->rt_live = false;
	reap_leftovers();
}

static int record_running(struct mon *m, struct berr **err)
{
	char now[64];
	bool stop_asked;
	int r;

	if ((r = container_relock(m->c, err)) < 0)
		return r;
	/* a stop came since start let go of the lock: it runs, is recorded, and is killed */
	stop_asked = m->c->st.manually_stopped;
	m->c->st.status = STATUS_RUNNING;
	m->c->st.pid = m->pid;
	m->c->st.pid_start = proc_starttime(m->pid);
	m->c->st.monitor_pid = getpid();
	m->c->st.monitor_start = proc_starttime(getpid());
	m->c->st.cleaned = false;
	free(m->c->st.error);
	m->c->st.error = NULL;
	free(m->c->st.started_at);
	m->c->st.started_at = strdup(rfc3339_ns(now_ns(), now, sizeof(now)));
	r = container_save_state(m->c, err);
	/* under the lock: the start is in the journal before a stop can follow it */
	if (r >= 0)
		(void) events_container(m->e->root, m->c->cfg, "start", NULL, NULL);
	container_unlock(m->c);
	if (r >= 0 && stop_asked)
		(void) runtime_kill(&m->rt.rt, m->c->cfg->id, SIGKILL, false, NULL);
	return r;
}

static void on_output(struct mon *m, int *fd, enum log_stream s)
{
	char *buf = m->rbuf;
	ssize_t n = read(*fd, buf, READ_CHUNK);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close_fd(fd);
		return;
	}
	if (m->logging)
		(void) log_writer_write(&m->log, s, buf, (size_t) n);
	log_forward_write(&m->fwd, s, buf, (size_t) n);
	send_frame(m, s == LOG_STDOUT ? FRAME_STDOUT : FRAME_STDERR, buf, (uint32_t) n);
}

static void on_attach_input(struct mon *m, struct attach_client *c)
{
	char buf[CHUNK];
	ssize_t n = read(c->fd, buf, sizeof(buf));
	int dest = m->pty >= 0 ? m->pty : m->in_w;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		/*
		 * The user's stdin ended: with `run -i`, so does the container's (a pty
		 * keeps its own); a `berth attach` leaves it open for the next one.
		 */
		c->in = false;
		if (c->stdin_once)
			close_fd(&m->in_w);
		if (n < 0)
			attach_set_gone(c);
		return;
	}
	if (dest >= 0 && write_all(dest, buf, (size_t) n) < 0)
		close_fd(&m->in_w);
}

static void reap(struct mon *m)
{
	struct signalfd_siginfo si;
	int status;
	pid_t p;

	while (read(m->sigfd, &si, sizeof(si)) == sizeof(si))
		;
	while ((p = waitpid(-1, &status, WNOHANG)) > 0)
		if (p == m->pid)
			m->status = status;
		else
			(void) mon_health_reaped(&m->health, p, status);
}

/* The poll entries of the clients: their input, their queue, their hangup. */
static void client_pollfds(struct mon *m, struct pollfd *p)
{
	p[0] = (struct pollfd){.fd = m->clients.listen_fd, .events = POLLIN};
	for (size_t i = 0; i < m->clients.n; i++) {
		struct attach_client *c = &m->clients.c[i];

		p[1 + i] = (struct pollfd){
			.fd = c->out.fd,
			.events = (short) ((c->in ? POLLIN : 0) |
					   (attach_pending(&c->out) ? POLLOUT : 0))};
	}
}

static void on_clients(struct mon *m, const struct pollfd *p)
{
	size_t n = m->clients.n; /* those polled: an accepted one waits for the next round */

	if (p[0].revents)
		attach_set_accept(&m->clients);
	for (size_t i = 0; i < n; i++) {
		struct attach_client *c = &m->clients.c[i];
		short ev = p[1 + i].revents;

		if (!ev)
			continue;
		if (attach_pending(&c->out) && !attach_flush(&c->out))
			attach_set_gone(c);
		if (ev & (POLLIN | POLLHUP | POLLERR) && c->in)
			on_attach_input(m, c);
		else if (ev & (POLLHUP | POLLERR))
			attach_set_gone(c); /* an output-only client closed */
	}
	attach_set_compact(&m->clients);
}

/* Relay until the init has exited and its output is read (or DRAIN_MS passed). */
static void serve(struct mon *m)
{
	struct timespec deadline = {0};

	for (;;) {
		struct pollfd p[6 + ATTACH_CLIENTS_MAX] = {
			{.fd = m->sigfd, .events = POLLIN},
			{.fd = m->out_r, .events = POLLIN},
			{.fd = m->err_r, .events = POLLIN},
			{.fd = m->pty, .events = POLLIN},
			{.fd = mon_health_fd(&m->health), .events = POLLIN},
		};
		int timeout = -1;

		client_pollfds(m, p + 5);

		if (m->status >= 0) {
			struct timespec now;

			if (m->out_r < 0 && m->err_r < 0 && m->pty < 0)
				return;
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (!deadline.tv_sec) {
				deadline = now;
				deadline.tv_sec += DRAIN_MS / 1000;
			}
			timeout = (int) ((deadline.tv_sec - now.tv_sec) * 1000 +
					 (deadline.tv_nsec - now.tv_nsec) / 1000000);
			if (timeout <= 0)
				return;
		} else {
			mon_health_tick(&m->health);
			p[4].fd = mon_health_fd(&m->health);
			timeout = mon_health_timeout(&m->health);
		}
		if (poll(p, 6 + m->clients.n, timeout) < 0 && errno != EINTR)
			return;
		if (p[4].revents)
			mon_health_on_output(&m->health);
		if (p[0].revents)
			reap(m);
		if (p[1].revents)
			on_output(m, &m->out_r, LOG_STDOUT);
		if (p[2].revents)
			on_output(m, &m->err_r, LOG_STDERR);
		if (p[3].revents) {
			on_output(m, &m->pty, LOG_STDOUT);
			/* EIO on the master: every slave is closed */
		}
		on_clients(m, p + 5);
	}
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

static bool should_restart(const struct container *c, int code)
{
	const struct restart_policy *p = &c->cfg->restart;

	if (c->st.manually_stopped)
		return false;
	switch (p->kind) {
	case RESTART_ALWAYS:
	case RESTART_UNLESS_STOPPED:
		return true;
	case RESTART_ON_FAILURE:
		return code != 0 && (p->max_retries == 0 || c->st.restart_count < p->max_retries);
	case RESTART_NO:
	case _RESTART_KIND_MAX:
	default:
		return false;
	}
}

/* Record the exit; returns true when the policy restarts the container. */
static bool record_exit(struct mon *m, int code)
{
	char now[64];
	bool restart, changed = false;

	/*
	 * Before runtime delete removes the cgroup that counts it. Any process of the
	 * container OOM-killed, not only its init, as docker 20.10's.
	 */
	bool oom = container_oom_kills(m->c->cfg) > m->oom_before;

	if (container_relock(m->c, NULL) < 0)
		return false;
	/* as `berth update` left them: the policy now, the resources at the restart */
	if (container_reload_updated(m->c, &changed, NULL) >= 0 && changed)
		m->bundle_stale = true;
	m->c->st.exit_code = code;
	m->c->st.oom_killed = oom;
	m->c->st.pid = 0;
	free(m->c->st.finished_at);
	m->c->st.finished_at = strdup(rfc3339_ns(now_ns(), now, sizeof(now)));
	restart = should_restart(m->c, code);
	if (restart) {
		m->c->st.status = STATUS_RESTARTING;
		m->c->st.restart_count++;
	} else {
		m->c->st.status = STATUS_EXITED;
		(void) container_cleanup(m->e, m->c, NULL);
		m->rt_live = false;
		m->c->st.monitor_pid = 0;
	}
	(void) container_save_state(m->c, NULL);
	/* before the lock goes: stop waits for the exit, and its "stop" comes after this */
	snprintf(now, sizeof(now), "%d", code);
	(void) events_container(m->e->root, m->c->cfg, "die", "exitCode", now);
	container_unlock(m->c);
	return restart;
}

/* `berth rm -v ID`, the exit command of a --rm container. */
static void remove_container(struct mon *m)
{
	char *argv[] = {(char *) m->o->berth, "--root", (char *) m->o->root, "rm", "-v",
			(char *) m->o->id,    NULL};
	extern char **environ;
	int status;
	pid_t pid;

	if (!m->o->berth || posix_spawn(&pid, m->o->berth, NULL, NULL, argv, environ) != 0)
		return;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

/* One run of the container: create, start, relay, reap. Returns the exit code or -errno. */
static int run_once(struct mon *m, struct berr **err)
{
	int r;

	m->status = -1;
	m->pid = 0;
	if ((r = create_and_start(m, err)) < 0)
		return r;
	if ((r = record_running(m, err)) < 0) {
		/* removed meanwhile (`run --rm` racing `rm -f`), or the state cannot be written */
		runtime_release(m);
		return r;
	}
	m->oom_before = container_oom_kills(m->c->cfg);
	report_sync(m, NULL);
	mon_health_start(&m->health, m->c, m->o->berth, m->o->root);
	serve(m);
	mon_health_stop(&m->health);
	if (m->status < 0) {
		/* its output ended first: wait for the init itself */
		while (waitpid(m->pid, &m->status, 0) < 0 && errno == EINTR)
			;
	}
	close_fd(&m->out_r);
	close_fd(&m->err_r);
	close_fd(&m->in_w);
	close_fd(&m->pty);
	if (m->logging)
		(void) log_writer_flush(&m->log);
	return exit_code(m->status);
}

static void fail_start(struct mon *m, struct berr *e)
{
	const char *msg = e ? e->msg : "the container did not start";

	runtime_release(m);
	reap_leftovers();
	if (container_relock(m->c, NULL) >= 0) {
		(void) container_cleanup(m->e, m->c, NULL);
		m->c->st.status = m->c->st.restart_count ? STATUS_EXITED : STATUS_CREATED;
		m->c->st.exit_code = 127;
		m->c->st.monitor_pid = 0;
		free(m->c->st.error);
		m->c->st.error = strdup(msg);
		(void) container_save_state(m->c, NULL);
		container_unlock(m->c);
	}
	report_sync(m, msg);
}

static int setup(struct mon *m, struct berr **err)
{
	sigset_t mask;
	int r;

	(void) prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* inherited without O_CLOEXEC: the runtime and the exit command must not hold them */
	if (m->sync_fd >= 0)
		(void) fd_set_cloexec(m->sync_fd, true);
	if (m->o->attach_fd >= 0)
		(void) fd_set_cloexec(m->o->attach_fd, true);
	attach_set_add(&m->clients, m->o->attach_fd, true);
	if (!(m->rbuf = malloc(READ_CHUNK)))
		return berr_set(err, ENOMEM, "out of memory");
	(void) signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	m->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (m->sigfd < 0)
		return berr_sys(err, errno, "signalfd");
	if ((r = engine_open(m->o->root, &m->e, err)) < 0 ||
	    (r = container_load(m->e, m->o->id, false, &m->c, err)) < 0 ||
	    (r = container_ports_hold(m->c, m->o->hold_fds, err)) < 0)
		return r;
	/* without it the container runs, and `berth attach` says it cannot connect */
	(void) attach_set_listen(&m->clients, m->c->dirfd);
	if (container_rt_init(m->e, m->c, &m->rt) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	if ((r = log_forward_open(&m->fwd, m->c->cfg, err)) < 0)
		return r;
	if (log_keeps_file(m->c->cfg)) {
		_cleanup_free_ char *name = NULL;

		if (asprintf(&name, "%s-json.log", m->c->cfg->id) < 0)
			return -ENOMEM;
		r = log_writer_open(
			&m->log, m->c->dirfd, name, m->c->cfg->log_max_size,
			(int) (m->c->cfg->log_max_file > 0 ? m->c->cfg->log_max_file : 1));
		if (r < 0)
			return berr_sys(err, -r, "cannot open the container's log");
		m->logging = true;
	}
	return 0;
}

int monitor_run(const struct monitor_opts *o)
{
	struct mon m = {.o = o,
			.sigfd = -1,
			.sync_fd = o->sync_fd,
			.clients = {.listen_fd = -1},
			.out_r = -1,
			.err_r = -1,
			.in_w = -1,
			.pty = -1,
			.status = -1,
			.health = {.fd = -1, .status = -1},
			.fwd = {.fd = -1}};
	_cleanup_berr_ struct berr *err = NULL;
	int code = -1, backoff = 100;
	bool auto_remove;

	if (setup(&m, &err) < 0) {
		if (m.c)
			attach_set_unlisten(&m.clients, m.c->dirfd);
		if (m.c)
			fail_start(&m, err);
		else
			report_sync(&m, err ? err->msg : "out of memory");
		return 1;
	}
	for (;;) {
		code = run_once(&m, &err);
		if (code < 0) {
			fail_start(&m, err);
			break;
		}
		if (!record_exit(&m, code))
			break;
		/* docker's backoff: 100ms, doubled each time, at most a minute */
		runtime_release(&m);
		usleep((useconds_t) backoff * 1000);
		backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
		if (container_relock(m.c, NULL) < 0)
			break;
		if (m.c->st.manually_stopped) {
			m.c->st.status = STATUS_EXITED;
			(void) container_cleanup(m.e, m.c, NULL);
			m.c->st.monitor_pid = 0;
			(void) container_save_state(m.c, NULL);
			container_unlock(m.c);
			break;
		}
		container_unlock(m.c);
	}
	/* whichever way out: the record of the exit may have failed (the container removed) */
	runtime_release(&m);
	auto_remove = m.c->cfg->auto_remove;
	if (m.logging)
		log_writer_close(&m.log);
	if (auto_remove)
		remove_container(&m);
	attach_set_unlisten(&m.clients, m.c->dirfd);
	if (code >= 0) {
		int32_t c32 = code;
		unsigned char le[4] = {(unsigned char) c32, (unsigned char) (c32 >> 8),
				       (unsigned char) (c32 >> 16), (unsigned char) (c32 >> 24)};

		send_frame(&m, FRAME_EXIT, le, sizeof(le));
	}
	mon_health_stop(&m.health);
	health_state_done(&m.health.st);
	log_forward_close(&m.fwd);
	attach_set_done(&m.clients);
	free(m.rbuf);
	close_fd(&m.sigfd);
	container_rt_done(&m.rt);
	container_free(m.c);
	engine_free(m.e);
	/* the attach socket closes with the process: `berth run` returns when the monitor is gone */
	return code < 0 ? 1 : 0;
}
