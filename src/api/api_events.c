/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GET /events: the engine's event journal (engine/events.h, whose lines are docker's
 * event JSON), streamed through events_watch(): since, until, filters as `berth events`.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "api/api_stream.h"
#include "engine/events_read.h"
#include "engine/units.h"
#include "lib/cleanup.h"
#include "lib/strv.h"
#include "lib/timefmt.h"

static void query_free(void *data)
{
	struct events_query *q = data;

	if (!q)
		return;
	event_filter_done(&q->filter);
	free(q);
}

static int send_event(const struct event *ev, const char *line, size_t len, void *userdata)
{
	struct api_stream *st = userdata;
	int r;

	(void) ev;
	if ((r = api_stream_write(st, line, len)) < 0)
		return r;
	return api_stream_write(st, "\n", 1);
}

static int stream_events(struct api_stream *st)
{
	_cleanup_berr_ struct berr *err = NULL;

	return events_watch(st->ctx.root, st->data, st->client, POLLRDHUP, send_event, st, &err);
}

static int parse_time(struct api_req *r, const char *key, int64_t *ret, bool *has,
		      struct berr **err)
{
	const char *v = api_query(r, key);

	if (!v || !*v)
		return 0;
	*has = true;
	return units_parse_since(v, now_ns(), ret, err);
}

static int parse_query(struct api_req *r, struct events_query *q, struct berr **err)
{
	_cleanup_strv_ char **filters = NULL;
	int ret;

	if (parse_time(r, "since", &q->since, &q->has_since, err) < 0 ||
	    parse_time(r, "until", &q->until, &q->has_until, err) < 0)
		return -EINVAL;
	if ((ret = api_filters_parse(api_query(r, "filters"), &filters, err)) < 0)
		return ret;
	STRV_FOREACH (f, filters)
		if ((ret = event_filter_add(&q->filter, *f, err)) < 0)
			return ret;
	return 0;
}

int api_events(struct api_req *r)
{
	_cleanup_berr_ struct berr *err = NULL;
	struct events_query *q = calloc(1, sizeof(*q));
	int ret;

	if (!q)
		return -ENOMEM;
	if ((ret = parse_query(r, q, &err)) < 0) {
		query_free(q);
		return api_reply_berr(r, ret, err);
	}
	return api_stream_reply(r, "application/json", stream_events, q, query_free);
}
