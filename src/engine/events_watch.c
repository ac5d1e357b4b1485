/* SPDX-License-Identifier: Apache-2.0 */
/* events_watch(): the journal's selected events, then new ones until until or a stop fd. */
#include <errno.h>
#include <poll.h>

#include "engine/events_read.h"
#include "lib/timefmt.h"

struct watch {
	const struct events_query *q;
	event_fn cb;
	void *userdata;
};

static int on_line(const char *line, size_t len, void *userdata)
{
	const struct watch *w = userdata;
	struct event ev;
	int r = 0;

	if (event_parse(line, len, &ev) < 0)
		return 0; /* not an event: a line a killed writer left unfinished */
	if ((!w->q->has_since || ev.time_ns >= w->q->since) &&
	    (!w->q->has_until || ev.time_ns <= w->q->until) &&
	    event_filter_match(&w->q->filter, &ev))
		r = w->cb(&ev, line, len, w->userdata);
	event_done(&ev);
	return r;
}

/* Follow until stop_fd or until; 0, or -errno. */
static int follow(struct events_reader *rd, const struct watch *w, int stop_fd, short stop_events)
{
	for (;;) {
		struct pollfd p[2] = {{rd->inotify, POLLIN, 0}, {stop_fd, stop_events, 0}};
		int timeout = -1, r;

		if (w->q->has_until) {
			int64_t left = (w->q->until - now_ns()) / 1000000;

			if (left <= 0)
				return events_reader_read(rd, on_line, (void *) w);
			timeout = left > 60000 ? 60000 : (int) left + 1;
		}
		r = poll(p, 2, timeout);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r > 0 && p[1].revents)
			return 0;
		if ((r = events_reader_read(rd, on_line, (void *) w)) < 0)
			return r;
	}
}

int events_watch(const char *root, const struct events_query *q, int stop_fd, short stop_events,
		 event_fn cb, void *userdata, struct berr **err)
{
	const struct watch w = {.q = q, .cb = cb, .userdata = userdata};
	struct events_reader rd;
	int r;

	if ((r = events_reader_open(&rd, root, q->has_since || q->has_until, err)) < 0)
		return r;
	r = events_reader_read(&rd, on_line, (void *) &w);
	if (r >= 0 && !(q->has_until && q->until <= now_ns()))
		r = follow(&rd, &w, stop_fd, stop_events);
	events_reader_done(&rd);
	return r;
}
