/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/logs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/timefmt.h"
#include "lib/fd.h"

#define OUT_FLUSH (32 * 1024) /* write the encoded entries once they reach this */

int log_writer_open(struct log_writer *w, int dirfd, const char *name, int64_t max_size,
		    int max_file)
{
	struct stat st;

	*w = (struct log_writer){.dirfd = dirfd,
				 .fd = -1,
				 .max_size = max_size,
				 .max_file = max_file < 1 ? 1 : max_file};
	w->name = strdup(name);
	if (!w->name)
		return -ENOMEM;
	w->fd = openat(dirfd, name, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (w->fd < 0 || fstat(w->fd, &st) < 0) {
		int r = -errno;

		log_writer_close(w);
		return r;
	}
	w->size = st.st_size;
	return 0;
}

static int rotate(struct log_writer *w)
{
	char from[NAME_MAX + 8], to[NAME_MAX + 8];

	if (w->max_file <= 1) {
		if (ftruncate(w->fd, 0) < 0)
			return -errno;
		w->size = 0;
		return 0;
	}
	for (int i = w->max_file - 1; i >= 1; i--) {
		if (i == 1)
			snprintf(from, sizeof(from), "%s", w->name);
		else
			snprintf(from, sizeof(from), "%s.%d", w->name, i - 1);
		snprintf(to, sizeof(to), "%s.%d", w->name, i);
		if (renameat(w->dirfd, from, w->dirfd, to) < 0 && errno != ENOENT)
			return -errno;
	}
	close(w->fd);
	w->fd = openat(w->dirfd, w->name, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		       0640);
	w->size = 0;
	return w->fd < 0 ? -errno : 0;
}

/* Write the first n encoded bytes and drop them from the buffer (all of them on error). */
static int write_out(struct log_writer *w, size_t n)
{
	int r = 0;

	if (n == 0)
		return 0;
	if (w->fd < 0)
		r = -EBADF;
	else if ((r = write_all(w->fd, w->out.data, n)) >= 0)
		w->size += (int64_t) n;
	if (r < 0)
		n = w->out.len;
	memmove(w->out.data, w->out.data + n, w->out.len - n);
	w->out.len -= n;
	return r < 0 ? r : 0;
}

/* The time of the entries being written: formatted once per chunk. */
static void set_time(struct log_writer *w, int64_t ns)
{
	if (ns != w->ts_ns || w->ts_len == 0) {
		w->ts_ns = ns;
		w->ts_len = log_time_format(ns, w->ts);
	}
}

/*
 * Encode one entry. The file rotates before an entry that would take it past max_size
 * (unless the file is empty), so the entries before it go out first.
 */
static int emit(struct log_writer *w, enum log_stream s, const char *text, size_t len, bool newline)
{
	size_t start = w->out.len;
	int r;

	/* the pieces of one long line share the time of the first, as docker's copier does */
	set_time(w, w->partial_ns[s] ? w->partial_ns[s] : w->now_ns);
	if (!newline && !w->partial_ns[s])
		w->partial_ns[s] = w->now_ns;
	else if (newline)
		w->partial_ns[s] = 0;
	if ((r = log_json_append(&w->out, s, text, len, newline, w->ts, w->ts_len)) < 0)
		return r;
	if (w->max_size > 0 && w->size + (int64_t) start > 0 &&
	    w->size + (int64_t) w->out.len > w->max_size) {
		if ((r = write_out(w, start)) < 0)
			return r;
		if ((r = rotate(w)) < 0) {
			w->out.len = 0;
			return r;
		}
	}
	if (w->out.len >= OUT_FLUSH)
		return write_out(w, w->out.len);
	return 0;
}

/*
 * One line of text (len bytes, without its "\n"): pieces of LOG_LINE_MAX bytes are
 * partial entries, the rest ends the line. With complete false the rest waits in
 * the stream's pending buffer for more.
 */
static int feed(struct log_writer *w, enum log_stream s, const char *text, size_t len,
		bool complete)
{
	int r;

	for (; len >= LOG_LINE_MAX; text += LOG_LINE_MAX, len -= LOG_LINE_MAX)
		if ((r = emit(w, s, text, LOG_LINE_MAX, false)) < 0)
			return r;
	if (complete)
		return emit(w, s, text, len, true);
	if (len && !w->pending[s] && !(w->pending[s] = malloc(LOG_LINE_MAX)))
		return -ENOMEM;
	if (len)
		memcpy(w->pending[s], text, len);
	w->pending_len[s] = len;
	return 0;
}

/* Join the start of buf to what is pending; returns the bytes of buf used, or -errno. */
static ssize_t join_pending(struct log_writer *w, enum log_stream s, const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len);
	size_t plen = w->pending_len[s], take = nl ? (size_t) (nl - buf) : len;
	size_t room = LOG_LINE_MAX - plen;
	int r;

	if (take >= room) {
		/* the line fills the buffer without its end: a partial entry, as docker's */
		memcpy(w->pending[s] + plen, buf, room);
		w->pending_len[s] = 0;
		r = emit(w, s, w->pending[s], LOG_LINE_MAX, false);
		return r < 0 ? r : (ssize_t) room;
	}
	memcpy(w->pending[s] + plen, buf, take);
	w->pending_len[s] = plen + take;
	if (!nl)
		return (ssize_t) take;
	w->pending_len[s] = 0;
	r = emit(w, s, w->pending[s], plen + take, true);
	return r < 0 ? r : (ssize_t) take + 1;
}

static int write_lines(struct log_writer *w, enum log_stream s, const char *buf, size_t len)
{
	while (len > 0) {
		const char *nl;
		int r;

		if (w->pending_len[s] > 0) {
			ssize_t n = join_pending(w, s, buf, len);

			if (n < 0)
				return (int) n;
			buf += n;
			len -= (size_t) n;
			continue;
		}
		nl = memchr(buf, '\n', len);
		if (!nl)
			return feed(w, s, buf, len, false);
		if ((r = feed(w, s, buf, (size_t) (nl - buf), true)) < 0)
			return r;
		len -= (size_t) (nl - buf) + 1;
		buf = nl + 1;
	}
	return 0;
}

int log_writer_write(struct log_writer *w, enum log_stream s, const char *buf, size_t len)
{
	int r;

	w->now_ns = now_ns();
	r = write_lines(w, s, buf, len);
	if (r < 0) {
		w->out.len = 0;
		return r;
	}
	return write_out(w, w->out.len);
}

int log_writer_flush(struct log_writer *w)
{
	int r = 0;

	w->now_ns = now_ns();
	for (int s = 0; s < _LOG_STREAM_MAX; s++) {
		size_t n = w->pending_len[s];

		if (n == 0)
			continue;
		/* the container's last words without a "\n": a partial entry, as docker's */
		w->pending_len[s] = 0;
		if (r >= 0)
			r = emit(w, (enum log_stream) s, w->pending[s], n, false);
		w->partial_ns[s] = 0;
	}
	if (r < 0) {
		w->out.len = 0;
		return r;
	}
	return write_out(w, w->out.len);
}

void log_writer_close(struct log_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	for (int s = 0; s < _LOG_STREAM_MAX; s++)
		free(w->pending[s]);
	logbuf_done(&w->out);
	free(w->name);
	*w = (struct log_writer){.fd = -1};
}
