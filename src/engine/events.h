/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The engine's event journal, docker's `events` without a daemon: each command that
 * changes a container or an image appends one line of docker's event JSON to
 * <root>/events.log (a whole line per write(2), O_APPEND, under <root>/events.lock), and
 * `berth events` reads it back and follows it. Over EVENTS_LOG_MAX bytes the journal is
 * renamed to events.log.1 (replacing the older one) before the line is appended.
 */
#ifndef BERTH_ENGINE_EVENTS_H
#define BERTH_ENGINE_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "engine/container.h"
#include "lib/err.h"

#define EVENTS_LOG "events.log"
#define EVENTS_LOG_OLD "events.log.1"
#define EVENTS_LOCK "events.lock"
#define EVENTS_LOG_MAX (1024 * 1024)
#define EVENTS_LINE_MAX (64 * 1024) /* a longer line is cut: labels are the user's */

struct event_attr {
	const char *key, *value;
};

/* One event as docker's events.Message has it. */
struct event_desc {
	const char *type;   /* "container", "image" */
	const char *action; /* "start", "die", "exec_create: sh -c ...", "pull" */
	const char *id;	    /* Actor.ID */
	const char *from;   /* containers: the image as given; else NULL */
	const struct event_attr *attrs;
	size_t n_attrs;
	int64_t time_ns; /* 0: now */
};

/*
 * docker's event JSON for ev: status, id, from (containers and images only), Type,
 * Action, Actor {ID, Attributes}, scope "local", time, timeNano; one line ending in
 * '\n' (malloc'd), NULL for OOM.
 */
char *event_line(const struct event_desc *ev);

/*
 * Append ev to <root>/events.log, rotating it past max_size bytes. One write(2) of the
 * whole line (a line the journal's last writer left unfinished, killed mid-write, is
 * ended first, in the same write), so concurrent commands never interleave.
 */
int events_append(const char *root, const struct event_desc *ev, int64_t max_size,
		  struct berr **err);

/*
 * A container event: attributes are its labels, image and name, plus key=value when key
 * is not NULL (exitCode for die, signal for kill). Best effort: a journal that cannot be
 * written does not fail the command that changed the container; returns what
 * events_append returned.
 */
int events_container(const char *root, const struct container_config *cfg, const char *action,
		     const char *key, const char *value);

/* An image event (pull, tag, untag, delete, ...): Actor.ID id, attribute name. Best effort. */
int events_image(const char *root, const char *action, const char *id, const char *name);

#endif
