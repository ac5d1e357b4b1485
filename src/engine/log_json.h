/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One json-file log entry, byte for byte as docker's json-file driver writes it
 * (moby daemon/logger/jsonfilelog: jsonlog.JSONLogs.MarshalJSONBuf):
 *
 *   {"log":"text\n","stream":"stdout","time":"2024-01-02T15:04:05.123456789Z"}\n
 *
 * - the text is escaped as moby's ffjsonWriteJSONBytesAsString does: '"' and '\' with a
 *   backslash, \n and \r, every other byte below 0x20 and '<', '>', '&' as \u00XX (a tab is
 *   \u0009), U+2028 and U+2029 as \u2028 and \u2029, each byte of invalid UTF-8 as \ufffd;
 *   DEL (0x7f) and valid UTF-8 are copied;
 * - the time is Go's RFC3339Nano in UTC: trailing zeros of the fraction are dropped (and
 *   the dot, for a whole second).
 */
#ifndef BERTH_ENGINE_LOG_JSON_H
#define BERTH_ENGINE_LOG_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum log_stream { LOG_STDOUT, LOG_STDERR, _LOG_STREAM_MAX };

/* A growable byte buffer, reused from entry to entry. */
struct logbuf {
	char *data;
	size_t len, cap;
};

/* Make room for n more bytes; -ENOMEM. */
int logbuf_reserve(struct logbuf *b, size_t n);

void logbuf_done(struct logbuf *b);

#define LOG_TIME_MAX 40 /* "2024-01-02T15:04:05.123456789Z" and a NUL, with room */

/* Go's RFC3339Nano of ns since the epoch, in UTC, into buf; returns its length. */
size_t log_time_format(int64_t ns, char buf[LOG_TIME_MAX]);

/*
 * Append one entry to b: text (len bytes, any bytes) plus "\n" when newline is set (a
 * whole line; a partial entry has none), the stream, time (ts, its length ts_len, as
 * log_time_format writes it), and the entry's own "\n". -ENOMEM.
 */
int log_json_append(struct logbuf *b, enum log_stream s, const char *text, size_t len, bool newline,
		    const char *ts, size_t ts_len);

/* One entry as a malloc'd, NUL-terminated line (with its "\n"); NULL for OOM. */
char *log_entry_json(enum log_stream s, const char *text, size_t len, int64_t time_ns);

struct log_entry {
	enum log_stream stream;
	int64_t time_ns;
	const char *text; /* not NUL-terminated inside the line: use len */
	size_t len;
};

/* Parse one line of a log file; -EINVAL for a line that is not an entry. text is malloc'd. */
int log_entry_parse(const char *line, size_t len, struct log_entry *ret, char **ret_text);

#endif
