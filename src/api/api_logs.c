/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GET /containers/{id}/logs: the entries `berth logs` reads, streamed (api_stream.h), in
 * docker's stream framing when the container has no tty: each chunk is an 8-byte header
 * (stream: 1 stdout, 2 stderr; 3 zero bytes; the length, big-endian) then the bytes. With
 * follow=1 the stream goes on until the container stops or the client goes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "api/api_stream.h"
#include "engine/container_ops.h"
#include "engine/log_drivers.h"
#include "engine/logs.h"
#include "engine/units.h"
#include "lib/cleanup.h"
#include "lib/timefmt.h"

struct logs_job {
	struct container *c; /* unlocked: only its directory is read */
	struct logs_read_opts ro;
	struct api_stream *st;
	bool framed, timestamps, want[3]; /* want[1] stdout, want[2] stderr */
};

static void logs_job_free(void *data)
{
	struct logs_job *j = data;

	if (!j)
		return;
	container_free(j->c);
	free(j);
}

static int emit(const struct log_entry *le, void *userdata)
{
	struct logs_job *j = userdata;
	int stream = le->stream == LOG_STDERR ? 2 : 1;
	char ts[64] = "";
	size_t tslen = 0, n;
	unsigned char hdr[8] = {(unsigned char) stream};
	int r;

	if (!j->want[stream])
		return 0;
	if (j->timestamps) {
		rfc3339_ns(le->time_ns, ts, sizeof(ts) - 1);
		tslen = strlen(ts);
		ts[tslen++] = ' ';
	}
	n = tslen + le->len;
	hdr[4] = (unsigned char) (n >> 24);
	hdr[5] = (unsigned char) (n >> 16);
	hdr[6] = (unsigned char) (n >> 8);
	hdr[7] = (unsigned char) n;
	if ((j->framed && (r = api_stream_write(j->st, hdr, sizeof(hdr))) < 0) ||
	    (r = api_stream_write(j->st, ts, tslen)) < 0 ||
	    (r = api_stream_write(j->st, le->text, le->len)) < 0)
		return r;
	return 0;
}

/* follow: on while the container runs and the client stays */
static int still_wanted(void *userdata)
{
	struct logs_job *j = userdata;

	if (api_stream_client_gone(j->st))
		return 0;
	return container_still_active(j->st->ctx.engine, j->c->cfg->id) ? 1 : 0;
}

static int stream_logs(struct api_stream *st)
{
	struct logs_job *j = st->data;
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_free_ char *name = NULL;

	j->st = st;
	if (asprintf(&name, "%s-json.log", j->c->cfg->id) < 0)
		return -ENOMEM;
	/* an error mid-stream has no status left to send: the body just ends */
	return logs_read(j->c->dirfd, name, &j->ro, &err);
}

static int read_opts(struct api_req *r, struct logs_read_opts *ro, struct berr **err)
{
	const char *tail = api_query(r, "tail"), *since = api_query(r, "since");
	const char *until = api_query(r, "until");

	ro->tail = -1;
	ro->follow = api_query_bool(r, "follow");
	if (tail && *tail && strcmp(tail, "all") != 0 &&
	    units_parse_int(tail, 0, INT64_MAX, "tail", &ro->tail, err) < 0)
		return -EINVAL;
	if ((since && *since && strcmp(since, "0") != 0 &&
	     units_parse_since(since, now_ns(), &ro->since_ns, err) < 0) ||
	    (until && *until && strcmp(until, "0") != 0 &&
	     units_parse_since(until, now_ns(), &ro->until_ns, err) < 0))
		return -EINVAL;
	return 0;
}

static int open_logs(struct api_req *r, struct container **ret)
{
	_cleanup_berr_ struct berr *err = NULL;
	int ret_r;

	if (!berth_engine(r->ctx))
		return api_reply_error(r, 500, "cannot open the engine under '%s'", r->ctx->root);
	if ((ret_r = container_open(r->ctx->engine, r->parts[1], false, ret, &err)) < 0)
		return ret_r == -ENOENT
			       ? api_reply_error(r, 404, "No such container: %s", r->parts[1])
			       : api_reply_berr(r, ret_r, err);
	if (!log_keeps_file((*ret)->cfg))
		return api_reply_error(r, 501,
				       "configured logging driver does not support reading");
	return 0;
}

int api_container_logs(struct api_req *r)
{
	_cleanup_berr_ struct berr *err = NULL;
	struct logs_job *j = calloc(1, sizeof(*j));
	int ret;

	if (!j)
		return -ENOMEM;
	*j = (struct logs_job){
		.timestamps = api_query_bool(r, "timestamps"),
		.want = {false, api_query_bool(r, "stdout"), api_query_bool(r, "stderr")}};
	j->ro = (struct logs_read_opts){.emit = emit, .running = still_wanted, .userdata = j};
	if (!j->want[1] && !j->want[2])
		ret = api_reply_error(r, 400,
				      "Bad parameters: you must choose at least one stream");
	else if (read_opts(r, &j->ro, &err) < 0)
		ret = api_reply_berr(r, EINVAL, err);
	else if ((ret = open_logs(r, &j->c)) == 0 && !r->replied) {
		j->framed = !j->c->cfg->tty;
		return api_stream_reply(r, "application/vnd.docker.raw-stream", stream_logs, j,
					logs_job_free);
	}
	logs_job_free(j);
	return ret;
}
