/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/log_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/timefmt.h"
#include "lib/cleanup.h"
#include "lib/json.h"

#define NS 1000000000LL

static const char *const stream_names[_LOG_STREAM_MAX] = {"stdout", "stderr"};
static const char hexdigits[] = "0123456789abcdef";

int logbuf_reserve(struct logbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	if (b->len + n <= b->cap)
		return 0;
	while (cap < b->len + n)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

void logbuf_done(struct logbuf *b)
{
	free(b->data);
	*b = (struct logbuf){0};
}

size_t log_time_format(int64_t ns, char buf[LOG_TIME_MAX])
{
	time_t secs = (time_t) (ns / NS);
	int64_t frac = ns % NS;
	struct tm tm;
	size_t n;
	int digits = 9;

	if (frac < 0) {
		frac += NS;
		secs--;
	}
	gmtime_r(&secs, &tm);
	n = strftime(buf, LOG_TIME_MAX, "%Y-%m-%dT%H:%M:%S", &tm);
	/* Go's ".999999999": the fraction without its trailing zeros, none for a whole second */
	while (digits > 0 && frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	if (digits > 0) {
		buf[n++] = '.';
		for (int i = digits - 1; i >= 0; i--, frac /= 10)
			buf[n + (size_t) i] = (char) ('0' + frac % 10);
		n += (size_t) digits;
	}
	buf[n++] = 'Z';
	buf[n] = '\0';
	return n;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0: Go's utf8.DecodeRune. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned min, cp;

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

/* The bytes below 0x80 copied as they are: printable ASCII but '"', '\\', '<', '>', '&'. */
static bool plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&';
}

/* Escape one ASCII byte that is not plain at p; returns the bytes written. */
static size_t escape_ascii(char *p, unsigned char c)
{
	switch (c) {
	case '"':
	case '\\':
		p[0] = '\\';
		p[1] = (char) c;
		return 2;
	case '\n':
		memcpy(p, "\\n", 2);
		return 2;
	case '\r':
		memcpy(p, "\\r", 2);
		return 2;
	default:
		memcpy(p, "\\u00", 4);
		p[4] = hexdigits[c >> 4];
		p[5] = hexdigits[c & 0xf];
		return 6;
	}
}

/* Escape s into p (room for 6 bytes per input byte); returns the bytes written. */
static size_t escape(char *p, const unsigned char *s, size_t len)
{
	char *start = p;

	for (size_t i = 0; i < len;) {
		size_t run = i, n;

		while (run < len && plain(s[run]))
			run++;
		memcpy(p, s + i, run - i);
		p += run - i;
		if ((i = run) == len)
			break;
		if (s[i] < 0x80) {
			p += escape_ascii(p, s[i++]);
			continue;
		}
		n = utf8_len(s + i, len - i);
		if (n == 0) {
			memcpy(p, "\\ufffd", 6);
			p += 6;
			i++;
		} else if (n == 3 && s[i] == 0xe2 && s[i + 1] == 0x80 &&
			   (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
			memcpy(p, s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
			p += 6;
			i += 3;
		} else {
			memcpy(p, s + i, n);
			p += n;
			i += n;
		}
	}
	return (size_t) (p - start);
}

static char *put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

int log_json_append(struct logbuf *b, enum log_stream s, const char *text, size_t len, bool newline,
		    const char *ts, size_t ts_len)
{
	char *p;

	if (logbuf_reserve(b, len * 6 + ts_len + 64) < 0)
		return -ENOMEM;
	p = b->data + b->len;
	/* moby leaves "log" out when it is empty: only a partial entry can be */
	if (len || newline) {
		p = put(p, "{\"log\":\"", 8);
		p += escape(p, (const unsigned char *) text, len);
		p = newline ? put(p, "\\n\",", 4) : put(p, "\",", 2);
	} else {
		p = put(p, "{", 1);
	}
	p = put(p, "\"stream\":\"", 10);
	p = put(p, stream_names[s], 6);
	p = put(p, "\",\"time\":\"", 10);
	p = put(p, ts, ts_len);
	p = put(p, "\"}\n", 3);
	b->len = (size_t) (p - b->data);
	return 0;
}

char *log_entry_json(enum log_stream s, const char *text, size_t len, int64_t time_ns)
{
	struct logbuf b = {0};
	char ts[LOG_TIME_MAX];
	size_t n = log_time_format(time_ns, ts);

	if (log_json_append(&b, s, text, len, false, ts, n) < 0 || logbuf_reserve(&b, 1) < 0) {
		logbuf_done(&b);
		return NULL;
	}
	b.data[b.len] = '\0';
	return b.data;
}

int log_entry_parse(const char *line, size_t len, struct log_entry *ret, char **ret_text)
{
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	_cleanup_free_ char *text = NULL, *stream = NULL, *time = NULL;
	struct jnode root;
	int64_t ns = 0;

	if (jdoc_parse(line, len, "log", &doc, NULL) < 0)
		return -EINVAL;
	jdoc_root(doc, &root);
	if (jnode_get_string(&root, "stream", &stream, NULL) <= 0 ||
	    jnode_get_string(&root, "time", &time, NULL) <= 0 || rfc3339_parse_ns(time, &ns) < 0)
		return -EINVAL;
	/* "log" is left out of an empty partial entry */
	if (jnode_get_string(&root, "log", &text, NULL) < 0)
		return -EINVAL;
	if (!text && !(text = strdup("")))
		return -ENOMEM;
	ret->stream = strcmp(stream, "stderr") == 0 ? LOG_STDERR : LOG_STDOUT;
	ret->time_ns = ns;
	/* the text may hold NUL bytes (\u0000): only what comes before the first is kept */
	ret->len = strlen(text);
	ret->text = text;
	*ret_text = TAKE_PTR(text);
	return 0;
}
