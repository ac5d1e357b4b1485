/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /containers/{id}/wait?condition=: the answer's headers go out at once and its body
 * ({"StatusCode": N, "Error": null}) when the condition is met, as dockerd does: the
 * docker CLI's run asks for the next exit, waits for the headers, and only then starts
 * the container (api_stream.h streams the body from a thread of its own).
 *
 *   not-running (default)  the exit of a running container; at once for one that is not
 *   next-exit              the next exit from now, after the next start of one not running
 *   removed                the next exit (the last, when not running), then the removal
 *
 * For the last two the event journal is opened at its end before the state is looked at,
 * so that no exit falls between; its die and destroy events end the wait, and a look at
 * the state once a second catches an exit or a removal that wrote no event (a monitor
 * killed with SIGKILL).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "api/api_stream.h"
#include "engine/container_ops.h"
#include "engine/container_runtime.h"
#include "engine/events_read.h"
#include "lib/cleanup.h"

enum wait_cond {
	WAIT_NOT_RUNNING,
	WAIT_NEXT_EXIT,
	WAIT_REMOVED,
};

struct wait_job {
	struct container *c; /* unlocked */
	enum wait_cond cond;
	struct events_reader rd;
	bool rd_open;
	bool died, destroyed;
	int code;
	char *finished; /* st.finished_at when the wait began: another one is an exit */
};

static void wait_job_free(void *data)
{
	struct wait_job *w = data;

	if (!w)
		return;
	if (w->rd_open)
		events_reader_done(&w->rd);
	container_free(w->c);
	free(w->finished);
	free(w);
}

static int on_event(const char *line, size_t len, void *userdata)
{
	struct wait_job *w = userdata;
	struct event ev;
	const char *code;

	if (event_parse(line, len, &ev) < 0)
		return 0;
	if (ev.type && ev.id && ev.action && strcmp(ev.type, "container") == 0 &&
	    strcmp(ev.id, w->c->cfg->id) == 0) {
		if (strcmp(ev.action, "die") == 0) {
			w->died = true;
			w->code = (code = event_attr(&ev, "exitCode")) ? atoi(code) : 0;
		} else if (strcmp(ev.action, "destroy") == 0)
			w->destroyed = true;
	}
	event_done(&ev);
	return 0;
}

static bool met(const struct wait_job *w)
{
	return w->cond == WAIT_REMOVED ? w->destroyed : w->died;
}

/* The state once more: 0, or -ENOENT when the container was removed. */
static int look_again(struct wait_job *w)
{
	struct container *c = w->c;
	int ret = container_relock(c, NULL);

	if (ret < 0)
		return ret;
	container_unlock(c);
	if (!container_active(c) && !w->died && c->st.finished_at &&
	    strcmp(w->finished, c->st.finished_at) != 0) {
		w->died = true;
		w->code = c->st.exit_code;
	}
	return 0;
}

/* Until the condition is met: 0, 1 when it never will be (removed first, client gone). */
static int wait_events(struct api_stream *st, struct wait_job *w)
{
	while (!met(w)) {
		struct pollfd p[2] = {{w->rd.inotify, POLLIN, 0}, {st->client, POLLRDHUP, 0}};
		int n = poll(p, 2, 1000), ret;

		if (n < 0 && errno != EINTR)
			return -errno;
		if (api_stream_client_gone(st))
			return 1;
		if ((ret = events_reader_read(&w->rd, on_event, w)) < 0)
			return ret;
		if (n != 0 || met(w))
			continue;
		if ((ret = look_again(w)) == -ENOENT) {
			w->destroyed = true;
			return w->cond == WAIT_REMOVED && w->died ? 0 : 1;
		}
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int stream_wait(struct api_stream *st)
{
	struct wait_job *w = st->data;
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_jw_ struct jwriter *out = jw_object();
	_cleanup_free_ char *body = NULL, *gone = NULL;
	struct jwriter *e;
	int ret;

	if (w->cond != WAIT_NOT_RUNNING)
		ret = wait_events(st, w);
	else if ((ret = container_relock(w->c, &err)) >= 0 &&
		 (ret = container_wait_exit(st->ctx.engine, w->c, -1, &err)) >= 0) {
		container_unlock(w->c);
		w->code = w->c->st.exit_code;
	}
	jw_int(out, "StatusCode", ret == 0 ? w->code : -1);
	if (ret == 0)
		jw_null(out, "Error");
	else {
		if (ret == 1 || ret == -ENOENT)
			(void) asprintf(&gone, "No such container: %s", w->c->cfg->id);
		jw_str(e = jw_object(), "Message",
		       gone  ? gone
		       : err ? err->msg
			     : strerror(ret < 0 ? -ret : EIO));
		jw_put(out, "Error", e);
	}
	if (!(body = jw_to_string(out, false)))
		return -ENOMEM;
	return api_stream_write(st, body, strlen(body));
}

/* The journal's end, then the state: what the wait starts from. */
static int prepare(struct api_req *r, struct wait_job *w, struct berr **err)
{
	int ret;

	if (w->cond != WAIT_NOT_RUNNING) {
		if ((ret = events_reader_open(&w->rd, r->ctx->engine->root, false, err)) < 0)
			return ret;
		w->rd_open = true;
	}
	if ((ret = container_refresh(r->ctx->engine, w->c, err)) < 0)
		return ret;
	if (!(w->finished = strdup(w->c->st.finished_at ? w->c->st.finished_at : "")))
		return -ENOMEM;
	/* removed, of one not running: its last exit is the answer */
	if (w->cond == WAIT_REMOVED && !container_active(w->c)) {
		w->died = true;
		w->code = w->c->st.exit_code;
	}
	container_unlock(w->c);
	return 0;
}

int api_container_wait(struct api_req *r)
{
	_cleanup_berr_ struct berr *err = NULL;
	const char *cond = api_query(r, "condition");
	struct wait_job *w;
	int ret;

	if (!(w = calloc(1, sizeof(*w))))
		return -ENOMEM;
	if (!cond || !*cond || strcmp(cond, "not-running") == 0)
		w->cond = WAIT_NOT_RUNNING;
	else if (strcmp(cond, "next-exit") == 0)
		w->cond = WAIT_NEXT_EXIT;
	else if (strcmp(cond, "removed") == 0)
		w->cond = WAIT_REMOVED;
	else {
		wait_job_free(w);
		return api_reply_error(r, 400, "invalid condition: '%s'", cond);
	}
	if (api_container_open(r, false, &w->c) < 0) {
		wait_job_free(w);
		return 0;
	}
	if ((ret = prepare(r, w, &err)) < 0) {
		wait_job_free(w);
		return api_reply_berr(r, ret, err);
	}
	return api_stream_reply(r, "application/json", stream_wait, w, wait_job_free);
}
