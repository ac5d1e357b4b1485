/* SPDX-License-Identifier: Apache-2.0 */
#include "build/history.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/instruction.h"
#include "lib/cleanup.h"
#include "lib/sbuf.h"
#include "lib/strv.h"

static const char go_escapes[] = "\a\b\f\n\r\t\v";
static const char go_letters[] = "abfnrtv";

/* One character of Go's strconv.Quote/QuoteRune (ASCII; quote is '"' or '\''). */
static int go_quote_ascii(struct sbuf *b, unsigned char c, char quote)
{
	char buf[8];
	const char *e = c ? strchr(go_escapes, c) : NULL;

	if (c == (unsigned char) quote || c == '\\')
		snprintf(buf, sizeof(buf), "\\%c", c);
	else if (c >= 0x20 && c < 0x7f)
		snprintf(buf, sizeof(buf), "%c", c);
	else if (e)
		snprintf(buf, sizeof(buf), "\\%c", go_letters[e - go_escapes]);
	else
		snprintf(buf, sizeof(buf), "\\x%02x", c);
	return sbuf_adds(b, buf);
}

/* The length of the valid UTF-8 sequence at s (a non-ASCII lead byte), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;

	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* Go's %q of a string: quoted, escaped; valid UTF-8 kept as it is. */
static int go_quote(struct sbuf *b, const char *s)
{
	int r = sbuf_addc(b, '"');

	for (const unsigned char *p = (const unsigned char *) s; *p && r >= 0;) {
		size_t n = *p >= 0x80 ? utf8_len(p) : 0;

		if (n) {
			r = sbuf_add(b, (const char *) p, n);
			p += n;
		} else {
			r = go_quote_ascii(b, *p++, '"');
		}
	}
	return r < 0 ? r : sbuf_addc(b, '"');
}

/* Go's %q of a []string: ["a" "b"]. */
static int go_quote_strv(struct sbuf *b, char *const *v)
{
	int r = sbuf_addc(b, '[');

	for (size_t i = 0; v && v[i] && r >= 0; i++)
		if ((!i || (r = sbuf_addc(b, ' ')) >= 0))
			r = go_quote(b, v[i]);
	return r < 0 ? r : sbuf_addc(b, ']');
}

/* Go's %v of a []string: [a b]. */
static int go_strv(struct sbuf *b, char *const *v)
{
	int r = sbuf_addc(b, '[');

	for (size_t i = 0; v && v[i] && r >= 0; i++)
		if ((!i || (r = sbuf_addc(b, ' ')) >= 0))
			r = sbuf_adds(b, v[i]);
	return r < 0 ? r : sbuf_addc(b, ']');
}

/* Go's %q of an int: a quoted rune, '\x04'. */
static int go_quote_rune(struct sbuf *b, int64_t v)
{
	char buf[8];
	int r = sbuf_addc(b, '\'');

	if (r >= 0 && v >= 0 && v < 0x80) {
		r = go_quote_ascii(b, (unsigned char) v, '\'');
	} else if (r >= 0) {
		/* beyond ASCII: the character in UTF-8 (U+FFFD when not one) */
		uint32_t c = v > 0 && v <= 0x10ffff && (v < 0xd800 || v > 0xdfff) ? (uint32_t) v
										  : 0xfffd;

		if (c < 0x800)
			snprintf(buf, sizeof(buf), "%c%c", 0xc0 | (c >> 6), 0x80 | (c & 0x3f));
		else if (c < 0x10000)
			snprintf(buf, sizeof(buf), "%c%c%c", 0xe0 | (c >> 12),
				 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
		else
			snprintf(buf, sizeof(buf), "%c%c%c%c", 0xf0 | (c >> 18),
				 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f),
				 0x80 | (c & 0x3f));
		r = sbuf_adds(b, buf);
	}
	return r < 0 ? r : sbuf_addc(b, '\'');
}

/* ".5" of frac (prec digits), trailing zeros dropped; nothing when it is 0. */
static void go_frac(char *buf, size_t size, uint64_t frac, int prec)
{
	int n = prec;

	buf[0] = '\0';
	if (!frac)
		return;
	while (frac % 10 == 0) {
		frac /= 10;
		n--;
	}
	snprintf(buf, size, ".%0*" PRIu64, n, frac);
}

/* Go's time.Duration.String(): "5s", "1m30s", "1h0m0s", "500ms", "1.5µs". */
static int go_duration(struct sbuf *b, int64_t d)
{
	uint64_t u = d < 0 ? -(uint64_t) d : (uint64_t) d, s;
	char frac[24], buf[96];
	int n = 0;

	if (!u)
		return sbuf_adds(b, "0s");
	if (u < 1000)
		n = snprintf(buf, sizeof(buf), "%s%" PRIu64 "ns", d < 0 ? "-" : "", u);
	else if (u < 1000000000) {
		uint64_t scale = u < 1000000 ? 1000 : 1000000;

		go_frac(frac, sizeof(frac), u % scale, scale == 1000 ? 3 : 6);
		n = snprintf(buf, sizeof(buf), "%s%" PRIu64 "%s%s", d < 0 ? "-" : "", u / scale,
			     frac, scale == 1000 ? "\xc2\xb5s" : "ms");
	} else {
		go_frac(frac, sizeof(frac), u % 1000000000, 9);
		s = u / 1000000000;
		n = snprintf(buf, sizeof(buf), "%s", d < 0 ? "-" : "");
		if (s >= 3600)
			n += snprintf(buf + n, sizeof(buf) - (size_t) n, "%" PRIu64 "h", s / 3600);
		if (s >= 60)
			n += snprintf(buf + n, sizeof(buf) - (size_t) n, "%" PRIu64 "m",
				      s / 60 % 60);
		snprintf(buf + n, sizeof(buf) - (size_t) n, "%" PRIu64 "%ss", s % 60, frac);
	}
	(void) n;
	return sbuf_adds(b, buf);
}

/* HEALTHCHECK: Go's %q of *HealthConfig, &{["CMD-SHELL" "x"] "5s" "2s" "0s" '\x03'}. */
static int health(struct sbuf *b, const struct run_config *rc)
{
	const struct image_health *h = &rc->health;
	int r = sbuf_adds(b, "&{");

	if (r >= 0)
		r = go_quote_strv(b, h->test);
	for (int i = 0; i < 3 && r >= 0; i++) {
		int64_t d = i == 0 ? h->interval : i == 1 ? h->timeout : h->start_period;

		if ((r = sbuf_adds(b, " \"")) >= 0 && (r = go_duration(b, d)) >= 0)
			r = sbuf_addc(b, '"');
	}
	if (r >= 0 && (r = sbuf_addc(b, ' ')) >= 0)
		r = go_quote_rune(b, h->retries);
	return r < 0 ? r : sbuf_addc(b, '}');
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* EXPOSE: docker sorts the words as written, then expands each. */
static int expose(struct sbuf *b, const struct df_instr *in, char escape, char *const *vars,
		  struct berr **err)
{
	_cleanup_strv_ char **raw = calloc(1, sizeof(char *));
	_cleanup_free_ char *copy = strdup(in->rest);
	char *save = NULL;
	int r = raw && copy ? 0 : -ENOMEM;

	for (char *w = copy ? strtok_r(copy, " \t\r\n", &save) : NULL; w && r >= 0;
	     w = strtok_r(NULL, " \t\r\n", &save))
		r = strv_push_dup(&raw, w);
	if (r < 0)
		return r;
	qsort(raw, strv_length(raw), sizeof(char *), cmp_str);
	STRV_FOREACH (w, raw) {
		_cleanup_strv_ char **words = NULL;

		r = lex_words(*w, escape, vars, true, &words, err);
		STRV_FOREACH (p, words)
			if (r >= 0 && (r = sbuf_addc(b, ' ')) >= 0)
				r = sbuf_adds(b, *p);
		if (r < 0)
			return r;
	}
	return 0;
}

static int pairs(struct sbuf *b, const struct df_instr *in, char escape, char *const *vars,
		 struct berr **err)
{
	_cleanup_strv_ char **kv = NULL;
	int r = instruction_pairs(in, escape, vars, &kv, err);

	STRV_FOREACH (p, kv)
		if (r >= 0 && (r = sbuf_addc(b, ' ')) >= 0)
			r = sbuf_adds(b, *p);
	return r;
}

static int volume(struct sbuf *b, const struct df_instr *in, char escape, char *const *vars,
		  struct berr **err)
{
	_cleanup_strv_ char **w = NULL;
	int r = in->json ? ((w = strv_copy(in->json)) ? 0 : -ENOMEM)
			 : lex_words(in->rest, escape, vars, true, &w, err);

	if (r >= 0 && (r = sbuf_addc(b, ' ')) >= 0)
		r = go_strv(b, w);
	return r;
}

static int comment_body(struct sbuf *b, const struct df_instr *in, char escape, char *const *vars,
			const struct run_config *rc, struct berr **err)
{
	const char *c = in->cmd;

	if (!strcmp(c, "ENV") || !strcmp(c, "LABEL"))
		return pairs(b, in, escape, vars, err);
	if (!strcmp(c, "EXPOSE"))
		return expose(b, in, escape, vars, err);
	if (!strcmp(c, "VOLUME"))
		return volume(b, in, escape, vars, err);
	if (sbuf_addc(b, ' ') < 0)
		return -ENOMEM;
	if (!strcmp(c, "CMD"))
		return go_quote_strv(b, rc->cmd);
	if (!strcmp(c, "ENTRYPOINT"))
		return go_quote_strv(b, rc->entrypoint);
	if (!strcmp(c, "SHELL"))
		return go_strv(b, rc->shell);
	if (!strcmp(c, "HEALTHCHECK"))
		return health(b, rc);
	if (!strcmp(c, "USER"))
		return sbuf_adds(b, rc->user ? rc->user : "");
	if (!strcmp(c, "STOPSIGNAL"))
		return sbuf_adds(b, rc->stop_signal ? rc->stop_signal : "");
	if (!strcmp(c, "WORKDIR"))
		return sbuf_adds(b, rc->working_dir ? rc->working_dir : "");
	/* ARG, ONBUILD, MAINTAINER: as written */
	return sbuf_adds(b, in->original + strlen(c) + strspn(in->original + strlen(c), " \t"));
}

int history_comment(const struct df_instr *in, char escape, char *const *vars,
		    const struct run_config *rc, char **ret, struct berr **err)
{
	struct sbuf b = {0};
	int r = sbuf_adds(&b, in->cmd);

	if (r >= 0)
		r = comment_body(&b, in, escape, vars, rc, err);
	if (r < 0) {
		sbuf_done(&b);
		return r;
	}
	*ret = sbuf_take(&b);
	return *ret ? 0 : -ENOMEM;
}

char *history_nop(const struct run_config *rc, bool spaced, const char *comment)
{
	static char *const sh[] = {"/bin/sh", "-c", NULL};
	struct sbuf b = {0};
	int r = 0;

	STRV_FOREACH (w, rc->shell ? rc->shell : sh)
		if (r >= 0 && (r = sbuf_adds(&b, *w)) >= 0)
			r = sbuf_addc(&b, ' ');
	if (r >= 0)
		r = sbuf_adds(&b, spaced ? "#(nop)  " : "#(nop) ");
	if (r >= 0)
		r = sbuf_adds(&b, comment);
	if (r < 0) {
		sbuf_done(&b);
		return NULL;
	}
	return sbuf_take(&b);
}
