/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading the event journal (events.h) back: a line parsed into the fields docker's
 * filters look at, the filters of `docker events --filter`, and a reader that follows
 * events.log through its rotation (inotify on the engine root).
 */
#ifndef BERTH_ENGINE_EVENTS_READ_H
#define BERTH_ENGINE_EVENTS_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"
#include "lib/json.h"

/* One journal line, parsed. */
struct event {
	struct jdoc *doc; /* the whole line, for --format */
	char *type, *action, *id;
	char **attrs; /* "key=value", sorted by key (docker prints them so) */
	int64_t time_ns;
};

/* Parse one line (without its '\n'); -EINVAL for a line that is not an event. */
int event_parse(const char *line, size_t len, struct event *ret);
void event_done(struct event *ev);

/* The value of attribute key, or NULL. */
const char *event_attr(const struct event *ev, const char *key);

/* --filter: values of one key match any; different keys must all match (docker's rules). */
struct event_filter {
	char **container, **event, **image, **type, **label;
};

/* Add "key=value"; -EINVAL with docker's message for a key it does not know. */
int event_filter_add(struct event_filter *f, const char *kv, struct berr **err);
void event_filter_done(struct event_filter *f);
bool event_filter_match(const struct event_filter *f, const struct event *ev);

/* Called for each complete line (without '\n'); a negative return stops the read. */
typedef int (*event_line_fn)(const char *line, size_t len, void *userdata);

struct events_reader {
	int rootfd;  /* O_PATH of the engine root */
	int old;     /* events.log.1 still to read, or -1 */
	int fd;	     /* events.log being read, or -1 while there is none */
	ino_t ino;   /* fd's inode: another one at events.log means it was rotated */
	int inotify; /* the root's changes: poll it, then events_reader_read */
	char *buf;   /* a line not yet complete */
	size_t len, cap;
};

/*
 * Open the journal of root: from its oldest line (rotated file first) when from_start,
 * else from its end. On success the caller owns r (events_reader_done).
 */
int events_reader_open(struct events_reader *r, const char *root, bool from_start,
		       struct berr **err);

/*
 * Read what was appended since the last call (following a rotation), calling cb for each
 * line; drains r->inotify. Returns 0, or cb's negative return, or -errno.
 */
int events_reader_read(struct events_reader *r, event_line_fn cb, void *userdata);

void events_reader_done(struct events_reader *r);

/* Which events a watch wants: docker's --since, --until and --filter. */
struct events_query {
	struct event_filter filter;
	int64_t since, until; /* ns */
	bool has_since, has_until;
};

/* Called for each event a watch selects (and its journal line, without '\n'); a negative
 * return stops the watch. */
typedef int (*event_fn)(const struct event *ev, const char *line, size_t len, void *userdata);

/*
 * `events`: call cb for each event of root's journal that q selects: from the journal's
 * start when q has since or until (else from its end), then each new one as it is
 * appended, until q's until passes or stop_fd shows one of stop_events (a signalfd's
 * POLLIN, a client socket's POLLRDHUP). Lines that are not events are skipped. Returns
 * 0, cb's negative return, or -errno (with *err when the journal cannot be opened).
 */
int events_watch(const char *root, const struct events_query *q, int stop_fd, short stop_events,
		 event_fn cb, void *userdata, struct berr **err);

#endif
