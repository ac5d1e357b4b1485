/* SPDX-License-Identifier: Apache-2.0 */
/* The monitor's health probes (monitor_health.h). */
#include "engine/monitor_health.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/events.h"
#include "lib/timefmt.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static char *rfc3339_now(void)
{
	char buf[64];

	return strdup(rfc3339_ns(now_ns(), buf, sizeof(buf)));
}

static bool in_start_period(const struct mon_health *h, int64_t at)
{
	return at - h->started < h->c->cfg->health_start_period;
}

void mon_health_start(struct mon_health *h, struct container *c, const char *berth,
		      const char *root)
{
	int64_t now = mono_ns();

	mon_health_stop(h);
	health_state_done(&h->st);
	*h = (struct mon_health){.fd = -1, .status = -1, .c = c, .berth = berth, .root = root};
	h->enabled = health_enabled(c->cfg) && berth;
	if (!h->enabled)
		return;
	/* as docker at each start: starting again, the log kept */
	(void) health_state_load(c->dirfd, &h->st);
	h->st.status = HEALTH_STARTING;
	h->st.failing_streak = 0;
	(void) health_state_save(c->dirfd, &h->st);
	h->started = now;
	h->next = now + health_next_delay(c->cfg, true);
}

int mon_health_timeout(const struct mon_health *h)
{
	int64_t at, left;

	if (!h->enabled)
		return -1;
	at = h->pid ? (h->timed_out ? -1 : h->deadline) : h->next;
	if (at < 0)
		return -1;
	left = at - mono_ns();
	return left <= 0 ? 0 : (int) (left / 1000000 + 1);
}

int mon_health_fd(const struct mon_health *h)
{
	return h->fd;
}

void mon_health_on_output(struct mon_health *h)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(h->fd, buf, sizeof(buf))) > 0) {
		size_t room = sizeof(h->out) - 1 - h->out_len;
		size_t take = (size_t) n < room ? (size_t) n : room;

		memcpy(h->out + h->out_len, buf, take);
		h->out_len += take;
	}
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		close(h->fd);
		h->fd = -1;
	}
}

bool mon_health_reaped(struct mon_health *h, pid_t pid, int status)
{
	if (!h->pid || pid != h->pid)
		return false;
	h->status = status;
	return true;
}

/* The container is paused (or gone): no probe now (docker's monitor stops then). */
static bool paused(struct mon_health *h)
{
	if (container_relock(h->c, NULL) < 0)
		return true;
	container_unlock(h->c);
	return h->c->st.status == STATUS_PAUSED;
}

static void child(struct mon_health *h, int out)
{
	_cleanup_strv_ char **args = health_probe_argv(h->c->cfg);
	_cleanup_strv_ char **argv = NULL;
	sigset_t none;
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	(void) signal(SIGPIPE, SIG_DFL);
	(void) setpgid(0, 0);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(127);
	if (strv_push_dup(&argv, h->berth) < 0 || strv_push_dup(&argv, "--root") < 0 ||
	    strv_push_dup(&argv, h->root) < 0 || strv_push_dup(&argv, "exec") < 0 ||
	    strv_push_dup(&argv, h->c->cfg->id) < 0)
		_exit(127);
	STRV_FOREACH (a, args)
		if (strv_push_dup(&argv, *a) < 0)
			_exit(127);
	execv(h->berth, argv);
	_exit(127);
}

static void start_probe(struct mon_health *h, int64_t now)
{
	int p[2];

	if (paused(h)) {
		h->next = now + health_next_delay(h->c->cfg, in_start_period(h, now));
		return;
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	h->out_len = 0;
	h->status = -1;
	h->timed_out = false;
	free(h->start);
	h->start = rfc3339_now();
	h->pid = fork();
	if (h->pid == 0)
		child(h, p[1]);
	close(p[1]);
	if (h->pid < 0) {
		h->pid = 0;
		close(p[0]);
		h->next = now + health_next_delay(h->c->cfg, in_start_period(h, now));
		return;
	}
	(void) fcntl(p[0], F_SETFL, O_NONBLOCK);
	h->fd = p[0];
	h->deadline = now + health_timeout(h->c->cfg);
	h->next = now; /* the probe's start, for the start period */
}

/* Go's time.Duration text for the timeouts docker's message shows ("30s", "500ms"). */
static void duration_text(int64_t ns, char *buf, size_t len)
{
	if (ns % 1000000000LL == 0 && ns < 60 * 1000000000LL)
		snprintf(buf, len, "%llds", (long long) (ns / 1000000000LL));
	else if (ns % 1000000LL == 0 && ns < 1000000000LL)
		snprintf(buf, len, "%lldms", (long long) (ns / 1000000LL));
	else
		snprintf(buf, len, "%.3fs", (double) ns / 1e9);
}

static void finish_probe(struct mon_health *h, int64_t now)
{
	struct health_result r = {.start = h->start};
	bool started_in_period = in_start_period(h, h->next);
	char d[32];

	h->start = NULL;
	if (h->fd >= 0) {
		mon_health_on_output(h); /* what is there now: the container may hold the pipe */
		if (h->fd >= 0)
			close(h->fd);
		h->fd = -1;
	}
	h->out[h->out_len] = '\0';
	if (h->timed_out) {
		duration_text(health_timeout(h->c->cfg), d, sizeof(d));
		r.exit_code = -1;
		if (asprintf(&r.output, "Health check exceeded timeout (%s)", d) < 0)
			r.output = NULL;
	} else {
		r.exit_code =
			WIFEXITED(h->status) ? WEXITSTATUS(h->status) : 128 + WTERMSIG(h->status);
		r.output = strdup(h->out);
	}
	r.end = rfc3339_now();
	/* the container was paused under the probe: no verdict (docker probes none then) */
	if (r.exit_code != 0 && paused(h)) {
		free(r.start);
		free(r.end);
		free(r.output);
		h->pid = 0;
		h->next = now + health_next_delay(h->c->cfg, in_start_period(h, now));
		return;
	}
	enum health_status was = h->st.status;

	health_record(&h->st, &r, health_retries(h->c->cfg), started_in_period);
	/* docker's event, at each change */
	if (h->st.status != was) {
		char action[64];

		snprintf(action, sizeof(action), "health_status: %s",
			 health_status_name(h->st.status));
		(void) events_container(h->root, h->c->cfg, action, NULL, NULL);
	}
	(void) health_state_save(h->c->dirfd, &h->st);
	h->pid = 0;
	h->next = now + health_next_delay(h->c->cfg, in_start_period(h, now));
}

void mon_health_tick(struct mon_health *h)
{
	int64_t now;

	if (!h->enabled)
		return;
	now = mono_ns();
	if (!h->pid) {
		if (now >= h->next)
			start_probe(h, now);
		return;
	}
	if (h->status >= 0) {
		finish_probe(h, now);
		return;
	}
	if (!h->timed_out && now >= h->deadline) {
		/* the probe's process group: berth exec and the runtime it runs */
		(void) kill(-h->pid, SIGKILL);
		h->timed_out = true;
	}
}

void mon_health_stop(struct mon_health *h)
{
	if (h->pid > 0) {
		(void) kill(-h->pid, SIGKILL);
		while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
			;
		h->pid = 0;
	}
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
	free(h->start);
	h->start = NULL;
	h->enabled = false;
}
