/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container logs in docker's json-file format, one JSON object per line:
 *
 *   {"log":"64 bytes from 127.0.0.1: seq=0 ttl=64 time=0.045 ms\n","stream":"stdout",
 *    "time":"2024-01-02T15:04:05.123456789Z"}
 *
 * The monitor writes them (struct log_writer) and rotates by size: NAME is renamed
 * NAME.1 (NAME.1 to NAME.2, ...) when the next line would pass max_size, and at most
 * max_file files are kept. `berth logs` reads them back, oldest first.
 */
#ifndef BERTH_ENGINE_LOGS_H
#define BERTH_ENGINE_LOGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/log_json.h"
#include "lib/err.h"

#define LOG_LINE_MAX 16384 /* a longer line is cut into partial entries, as docker does */

struct log_writer {
	int dirfd;	   /* not owned */
	char *name;	   /* "<id>-json.log" */
	int fd;		   /* the current file, O_APPEND */
	int64_t size;	   /* its size */
	int64_t max_size;  /* 0: never rotate */
	int max_file;	   /* files kept, >= 1 */
	struct logbuf out; /* entries encoded, not yet written */
	int64_t now_ns;	   /* the time of the chunk being written */
	int64_t ts_ns;	   /* ts formatted */
	char ts[LOG_TIME_MAX];
	size_t ts_len;
	char *pending[_LOG_STREAM_MAX]; /* a line's start, waiting for its end (LOG_LINE_MAX) */
	size_t pending_len[_LOG_STREAM_MAX];
	int64_t partial_ns[_LOG_STREAM_MAX]; /* the time of a long line's first piece, or 0 */
};

/* Open (append to) dirfd/name. */
int log_writer_open(struct log_writer *w, int dirfd, const char *name, int64_t max_size,
		    int max_file);

/*
 * Log len bytes of a stream, all stamped with the time of this call: each complete line
 * becomes an entry, each LOG_LINE_MAX bytes of a longer one a partial entry (no "\n" in
 * its text); the rest waits. The entries go out in one write (a few for a large chunk,
 * and around a rotation).
 */
int log_writer_write(struct log_writer *w, enum log_stream s, const char *buf, size_t len);

/* Write what waits for its newline as partial entries (at the container's exit). */
int log_writer_flush(struct log_writer *w);

void log_writer_close(struct log_writer *w);

struct logs_read_opts {
	int64_t since_ns, until_ns; /* 0: no bound */
	int64_t tail;		    /* the last N lines, then since/until; -1: all */
	bool follow;
	/* with follow: keep going while this says the container runs (1), stop at 0 */
	int (*running)(void *userdata);
	void *userdata;
	/* each entry; a negative return stops (e.g. -EPIPE when the reader went away) */
	int (*emit)(const struct log_entry *e, void *userdata);
};

/*
 * Read dirfd/name and its rotated files, oldest first, calling o->emit for each entry.
 * --tail reads backwards from the end until it has its lines (the cost is the lines', not
 * the log's); --since starts at a binary search of the time in the first file it can be
 * in. With follow, it goes on through rotations (the files in between included) until
 * o->running says the container stopped.
 */
int logs_read(int dirfd, const char *name, const struct logs_read_opts *o, struct berr **err);

#endif
