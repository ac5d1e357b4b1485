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

#include "lib/err.h"

#define LOG_LINE_MAX 16384 /* a longer line is cut into partial entries, as docker does */

enum log_stream { LOG_STDOUT, LOG_STDERR, _LOG_STREAM_MAX };

struct log_writer {
	int dirfd;	  /* not owned */
	char *name;	  /* "<id>-json.log" */
	int fd;		  /* the current file, O_APPEND */
	int64_t size;	  /* its size */
	int64_t max_size; /* 0: never rotate */
	int max_file;	  /* files kept, >= 1 */
	char *partial[_LOG_STREAM_MAX];
	size_t partial_len[_LOG_STREAM_MAX];
};

/* Open (append to) dirfd/name. */
int log_writer_open(struct log_writer *w, int dirfd, const char *name, int64_t max_size,
		    int max_file);

/* Log len bytes of a stream: each complete line becomes an entry; the rest waits. */
int log_writer_write(struct log_writer *w, enum log_stream s, const char *buf, size_t len);

/* Write what waits for its newline as entries of their own (at the container's exit). */
int log_writer_flush(struct log_writer *w);

void log_writer_close(struct log_writer *w);

/* One JSON line for text (malloc'd, with its "\n"). time_ns since the epoch. */
char *log_entry_json(enum log_stream s, const char *text, size_t len, int64_t time_ns);

struct log_entry {
	enum log_stream stream;
	int64_t time_ns;
	const char *text; /* not NUL-terminated inside the line: use len */
	size_t len;
};

/* Parse one line of a log file; -EINVAL for a line that is not an entry. text is malloc'd. */
int log_entry_parse(const char *line, size_t len, struct log_entry *ret, char **ret_text);

struct logs_read_opts {
	int64_t since_ns, until_ns; /* 0: no bound */
	int64_t tail;		    /* the last N entries; -1: all */
	bool follow;
	/* with follow: keep going while this says the container runs (1), stop at 0 */
	int (*running)(void *userdata);
	void *userdata;
	/* each entry; a negative return stops (e.g. -EPIPE when the reader went away) */
	int (*emit)(const struct log_entry *e, void *userdata);
};

/* Read dirfd/name and its rotated files, oldest first, calling o->emit for each entry. */
int logs_read(int dirfd, const char *name, const struct logs_read_opts *o, struct berr **err);

#endif
