/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/logs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/timefmt.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/json.h"

#define ROTATED_MAX 100
#define FOLLOW_POLL_MS 250

static const char *const stream_names[_LOG_STREAM_MAX] = {"stdout", "stderr"};

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned min;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, min = 0x80, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, min = 0x800, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, min = 0x10000, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* JSON string escaping; invalid UTF-8 becomes U+FFFD, as Go's encoder writes it. */
static void escape(FILE *f, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *) text;

	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t n;

		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
		} else if (c == '\n') {
			fputs("\\n", f);
		} else if (c == '\r') {
			fputs("\\r", f);
		} else if (c == '\t') {
			fputs("\\t", f);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
		} else if (c >= 0x80) {
			n = utf8_len(s + i, len - i);
			if (n == 0) {
				fputs("\\ufffd", f);
				i++;
				continue;
			}
			fwrite(s + i, 1, n, f);
			i += n;
			continue;
		} else {
			fputc(c, f);
		}
		i++;
	}
}

char *log_entry_json(enum log_stream s, const char *text, size_t len, int64_t time_ns)
{
	char *out = NULL, ts[48];
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	if (!f)
		return NULL;
	fputs("{\"log\":\"", f);
	escape(f, text, len);
	fprintf(f, "\",\"stream\":\"%s\",\"time\":\"%s\"}\n", stream_names[s],
		rfc3339_ns(time_ns, ts, sizeof(ts)));
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

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

static int write_entry(struct log_writer *w, enum log_stream s, const char *text, size_t len)
{
	_cleanup_free_ char *line = log_entry_json(s, text, len, now_ns());
	size_t n;
	int r;

	if (!line)
		return -ENOMEM;
	if (w->fd < 0)
		return -EBADF;
	n = strlen(line);
	if (w->max_size > 0 && w->size > 0 && w->size + (int64_t) n > w->max_size &&
	    (r = rotate(w)) < 0)
		return r;
	if ((r = write_all(w->fd, line, n)) < 0)
		return r;
	w->size += (int64_t) n;
	return 0;
}

static int keep_partial(struct log_writer *w, enum log_stream s, const char *p, size_t n)
{
	char *nb = realloc(w->partial[s], w->partial_len[s] + n);

	if (!nb)
		return -ENOMEM;
	memcpy(nb + w->partial_len[s], p, n);
	w->partial[s] = nb;
	w->partial_len[s] += n;
	return 0;
}

int log_writer_write(struct log_writer *w, enum log_stream s, const char *buf, size_t len)
{
	while (len > 0) {
		const char *nl = memchr(buf, '\n', len);
		size_t take = nl ? (size_t) (nl - buf) + 1 : len;
		int r;

		if (w->partial_len[s] + take > LOG_LINE_MAX && !nl)
			take = LOG_LINE_MAX > w->partial_len[s] ? LOG_LINE_MAX - w->partial_len[s]
								: 0;
		if ((r = keep_partial(w, s, buf, take)) < 0)
			return r;
		buf += take;
		len -= take;
		if (nl || w->partial_len[s] >= LOG_LINE_MAX) {
			r = write_entry(w, s, w->partial[s], w->partial_len[s]);
			w->partial_len[s] = 0;
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int log_writer_flush(struct log_writer *w)
{
	int r = 0;

	for (int s = 0; s < _LOG_STREAM_MAX; s++) {
		if (w->partial_len[s] == 0)
			continue;
		r = write_entry(w, (enum log_stream) s, w->partial[s], w->partial_len[s]);
		w->partial_len[s] = 0;
	}
	return r;
}

void log_writer_close(struct log_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	for (int s = 0; s < _LOG_STREAM_MAX; s++)
		free(w->partial[s]);
	free(w->name);
	*w = (struct log_writer){.fd = -1};
}

int log_entry_parse(const char *line, size_t len, struct log_entry *ret, char **ret_text)
{
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	_cleanup_free_ char *text = NULL, *stream = NULL, *time = NULL;
	struct jnode root, t;
	int64_t ns = 0;

	if (jdoc_parse(line, len, "log", &doc, NULL) < 0)
		return -EINVAL;
	jdoc_root(doc, &root);
	if (jnode_get_string(&root, "log", &text, NULL) <= 0 ||
	    jnode_get_string(&root, "stream", &stream, NULL) <= 0 ||
	    jnode_get_string(&root, "time", &time, NULL) <= 0 || rfc3339_parse_ns(time, &ns) < 0)
		return -EINVAL;
	/* the text may hold NUL bytes (\u0000): its length is json-c's */
	jnode_member(&root, "log", &t);
	ret->stream = strcmp(stream, "stderr") == 0 ? LOG_STDERR : LOG_STDOUT;
	ret->time_ns = ns;
	ret->len = strlen(text);
	ret->text = text;
	*ret_text = TAKE_PTR(text);
	return 0;
}

/* Entries kept for --tail. */
struct ring {
	struct log_entry *v;
	char **texts;
	size_t cap, start, n;
};

static int ring_push(struct ring *r, const struct log_entry *e, char *text)
{
	size_t i;

	if (r->cap == 0) {
		free(text);
		return 0;
	}
	if (!r->v) {
		r->v = calloc(r->cap, sizeof(*r->v));
		r->texts = calloc(r->cap, sizeof(char *));
		if (!r->v || !r->texts) {
			free(text);
			return -ENOMEM;
		}
	}
	if (r->n == r->cap) {
		free(r->texts[r->start]);
		r->start = (r->start + 1) % r->cap;
		r->n--;
	}
	i = (r->start + r->n) % r->cap;
	r->v[i] = *e;
	r->v[i].text = text;
	r->texts[i] = text;
	r->n++;
	return 0;
}

static void ring_free(struct ring *r)
{
	for (size_t i = 0; r->texts && i < r->cap; i++)
		free(r->texts[i]);
	free(r->texts);
	free(r->v);
}

/* One line: filter and emit (or keep for the tail). 1: past --until, stop. */
static int handle_line(const char *line, size_t len, const struct logs_read_opts *o,
		       struct ring *tail)
{
	struct log_entry e;
	char *text = NULL;
	int r;

	if (log_entry_parse(line, len, &e, &text) < 0)
		return 0; /* a torn or foreign line: skipped, as docker does */
	if (o->since_ns && e.time_ns < o->since_ns) {
		free(text);
		return 0;
	}
	if (o->until_ns && e.time_ns > o->until_ns) {
		free(text);
		return 1;
	}
	if (o->tail >= 0)
		return ring_push(tail, &e, text);
	r = o->emit(&e, o->userdata);
	free(text);
	return r;
}

/* Read f to its end. With pending (follow), a last line without '\n' waits there. */
static int read_lines(FILE *f, const struct logs_read_opts *o, struct ring *tail)
{
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int r;

	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] != '\n' && o->follow) {
			/* a line being written: read it again when it is complete */
			(void) fseeko(f, -(off_t) n, SEEK_CUR);
			break;
		}
		r = handle_line(line, (size_t) n, o, tail);
		if (r != 0)
			return r;
	}
	clearerr(f);
	return 0;
}

static FILE *open_log(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "r");
	if (!f)
		close(fd);
	return f;
}

static bool same_file(int dirfd, const char *name, FILE *f)
{
	struct stat a, b;

	if (fstatat(dirfd, name, &a, AT_SYMLINK_NOFOLLOW) < 0 || fstat(fileno(f), &b) < 0)
		return true; /* gone: nothing new to open */
	return a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/* Follow name after reading it: new lines, rotations, until the container stops. */
static int follow(int dirfd, const char *name, FILE **fp, const struct logs_read_opts *o)
{
	_cleanup_close_ int ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	char path[64], buf[4096];
	bool last_round = false;
	int r;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", dirfd);
	if (ino >= 0)
		(void) inotify_add_watch(ino, path, IN_MODIFY | IN_CREATE | IN_MOVED_TO);
	for (;;) {
		struct pollfd p = {.fd = ino, .events = POLLIN};

		if ((r = read_lines(*fp, o, NULL)) != 0)
			return r < 0 ? r : 0;
		if (!same_file(dirfd, name, *fp)) {
			FILE *nf = open_log(dirfd, name);

			if (nf) {
				fclose(*fp);
				*fp = nf;
				continue;
			}
		}
		if (last_round)
			return 0;
		if (o->running && o->running(o->userdata) == 0) {
			last_round = true; /* read what was written before it stopped */
			continue;
		}
		if (poll(&p, ino >= 0 ? 1 : 0, FOLLOW_POLL_MS) > 0)
			while (read(ino, buf, sizeof(buf)) > 0)
				;
	}
}

int logs_read(int dirfd, const char *name, const struct logs_read_opts *o, struct berr **err)
{
	struct logs_read_opts opts = *o;
	struct ring tail = {.cap = o->tail > 0 ? (size_t) o->tail : 0};
	char rotated[NAME_MAX + 8];
	FILE *f = NULL;
	int last = 0, r = 0;

	for (int i = 1; i <= ROTATED_MAX; i++) {
		snprintf(rotated, sizeof(rotated), "%s.%d", name, i);
		if (faccessat(dirfd, rotated, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
			break;
		last = i;
	}
	opts.follow = false;
	for (int i = last; i >= 1 && r == 0; i--) {
		snprintf(rotated, sizeof(rotated), "%s.%d", name, i);
		f = open_log(dirfd, rotated);
		if (!f)
			continue;
		r = read_lines(f, &opts, &tail);
		fclose(f);
	}
	f = open_log(dirfd, name);
	if (f && r == 0) {
		opts.follow = o->follow;
		r = read_lines(f, &opts, &tail);
	}
	for (size_t i = 0; r >= 0 && i < tail.n; i++)
		r = o->emit(&tail.v[(tail.start + i) % tail.cap], o->userdata);
	ring_free(&tail);
	if (r == 0 && o->follow && f) {
		opts.tail = -1;
		r = follow(dirfd, name, &f, &opts);
	}
	if (f)
		fclose(f);
	if (r < 0 && r != -EPIPE)
		return berr_sys(err, -r, "cannot read the logs");
	return 0;
}
