/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GET /containers/{id}/logs (not following): the entries `berth logs` reads, in docker's
 * stream framing when the container has no tty: each chunk is an 8-byte header (stream:
 * 1 stdout, 2 stderr; 3 zero bytes; the length, big-endian) then the bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "engine/log_drivers.h"
#include "engine/logs.h"
#include "lib/timefmt.h"
#include "engine/units.h"
#include "lib/cleanup.h"

#define LOGS_REPLY_MAX (256 * 1024 * 1024) /* past this, the reply stops (follow streams) */

struct logs_out {
	char *buf;
	size_t len, cap;
	bool framed, timestamps, want[3]; /* want[1] stdout, want[2] stderr */
};

static int append(struct logs_out *o, const void *p, size_t n)
{
	if (o->len + n > LOGS_REPLY_MAX)
		return -EFBIG;
	if (o->len + n > o->cap) {
		size_t cap = (o->len + n) * 2 + 4096;
		char *b = realloc(o->buf, cap);

		if (!b)
			return -ENOMEM;
		o->buf = b;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	return 0;
}

static int emit(const struct log_entry *le, void *userdata)
{
	struct logs_out *o = userdata;
	int stream = le->stream == LOG_STDERR ? 2 : 1;
	char ts[64] = "";
	size_t tslen = 0, n;
	unsigned char hdr[8] = {(unsigned char) stream};
	int r;

	if (!o->want[stream])
		return 0;
	if (o->timestamps) {
		rfc3339_ns(le->time_ns, ts, sizeof(ts) - 1);
		tslen = strlen(ts);
		ts[tslen++] = ' ';
	}
	n = tslen + le->len;
	hdr[4] = (unsigned char) (n >> 24);
	hdr[5] = (unsigned char) (n >> 16);
	hdr[6] = (unsigned char) (n >> 8);
	hdr[7] = (unsigned char) n;
	if ((o->framed && (r = append(o, hdr, sizeof(hdr))) < 0) ||
	    (r = append(o, ts, tslen)) < 0 || (r = append(o, le->text, le->len)) < 0)
		return r;
	return 0;
}

static int read_opts(struct api_req *r, struct logs_read_opts *ro, struct berr **err)
{
	const char *tail = api_query(r, "tail"), *since = api_query(r, "since");
	const char *until = api_query(r, "until");

	ro->tail = -1;
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

int api_container_logs(struct api_req *r)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_free_ char *name = NULL;
	struct logs_out o = {
		.timestamps = api_query_bool(r, "timestamps"),
		.want = {false, api_query_bool(r, "stdout"), api_query_bool(r, "stderr")}};
	struct logs_read_opts ro = {.emit = emit, .userdata = &o};
	int ret;

	if (!o.want[1] && !o.want[2])
		return api_reply_error(r, 400,
				       "Bad parameters: you must choose at least one stream");
	if (read_opts(r, &ro, &err) < 0)
		return api_reply_berr(r, EINVAL, err);
	if (!berth_engine(r->ctx))
		return api_reply_error(r, 500, "cannot open the engine under '%s'", r->ctx->root);
	if ((ret = container_open(r->ctx->engine, r->parts[1], false, &c, &err)) < 0)
		return ret == -ENOENT
			       ? api_reply_error(r, 404, "No such container: %s", r->parts[1])
			       : api_reply_berr(r, ret, err);
	if (!log_keeps_file(c->cfg))
		return api_reply_error(r, 501,
				       "configured logging driver does not support reading");
	if (asprintf(&name, "%s-json.log", c->cfg->id) < 0)
		return -ENOMEM;
	o.framed = !c->cfg->tty;
	ret = logs_read(c->dirfd, name, &ro, &err);
	if (ret < 0) {
		free(o.buf);
		return api_reply_berr(r, ret, err);
	}
	ret = api_reply_raw(r, 200, "application/vnd.docker.raw-stream", o.buf ? o.buf : "", o.len);
	free(o.buf);
	return ret;
}
