/* SPDX-License-Identifier: Apache-2.0 */
/* Docker's shell lexer for Dockerfile arguments: quotes, escapes, $VAR expansion. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "build/dockerfile.h"
#include "lib/sbuf.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

struct lexer {
	const char *s;
	char escape;
	char *const *vars;
	bool expand;
	bool split; /* blanks end words */
	int depth;  /* of ${NAME:-word} nesting */
};

#define LEX_MAX_DEPTH 32

static int lex_word_at(const char *s, char escape, char *const *vars, int depth, char **ret,
		       struct berr **err);

static const char *lookup(char *const *vars, const char *name, size_t len)
{
	STRV_FOREACH (v, vars)
		if (strncmp(*v, name, len) == 0 && (*v)[len] == '=')
			return *v + len + 1;
	return NULL;
}

static bool name_char(char c)
{
	return isalnum((unsigned char) c) || c == '_';
}

/* The '}' that closes the "${" before s (words may hold "${...}" themselves), or NULL. */
static const char *matching_brace(const char *s)
{
	size_t depth = 0;

	for (; *s; s++) {
		if (s[0] == '$' && s[1] == '{') {
			depth++;
			s++;
		} else if (*s == '}' && depth-- == 0) {
			return s;
		}
	}
	return NULL;
}

/* ${NAME}, ${NAME:-word}, ${NAME:+word}; l->s is just after "${". */
static int expand_braced(struct lexer *l, struct sbuf *out, struct berr **err)
{
	const char *name = l->s, *val, *close;
	size_t len;
	char op = 0;

	while (name_char(*l->s))
		l->s++;
	len = (size_t) (l->s - name);
	if (l->s[0] == ':' && (l->s[1] == '-' || l->s[1] == '+')) {
		op = l->s[1];
		l->s += 2;
	}
	close = matching_brace(l->s);
	if (!len || !close || (!op && close != l->s))
		return berr_set(err, EINVAL, "bad substitution in '%s'", name - 2);
	val = lookup(l->vars, name, len);
	if (op) {
		_cleanup_free_ char *raw = strndup(l->s, (size_t) (close - l->s)), *word = NULL;
		int r;

		if (!raw)
			return -ENOMEM;
		r = lex_word_at(raw, l->escape, l->vars, l->depth + 1, &word, err);
		if (r < 0)
			return r;
		if (op == '-' && (!val || !*val))
			val = word;
		else if (op == '+')
			val = val && *val ? word : "";
		l->s = close + 1;
		return sbuf_add(out, val ? val : "", val ? strlen(val) : 0);
	}
	l->s = close + 1;
	return val ? sbuf_add(out, val, strlen(val)) : 0;
}

/* l->s is at '$'. */
static int expand(struct lexer *l, struct sbuf *out, struct berr **err)
{
	const char *name;
	const char *val;

	l->s++;
	if (*l->s == '{') {
		l->s++;
		return expand_braced(l, out, err);
	}
	name = l->s;
	while (name_char(*l->s))
		l->s++;
	if (l->s == name)
		return sbuf_addc(out, '$');
	val = lookup(l->vars, name, (size_t) (l->s - name));
	return val ? sbuf_add(out, val, strlen(val)) : 0;
}

static int single_quoted(struct lexer *l, struct sbuf *out, struct berr **err)
{
	const char *close = strchr(++l->s, '\'');

	if (!close)
		return berr_set(err, EINVAL,
				"unexpected end of statement while looking for matching '");
	if (sbuf_add(out, l->s, (size_t) (close - l->s)) < 0)
		return -ENOMEM;
	l->s = close + 1;
	return 0;
}

static int double_quoted(struct lexer *l, struct sbuf *out, struct berr **err)
{
	int r = 0;

	l->s++;
	while (*l->s && *l->s != '"' && r >= 0) {
		if (*l->s == l->escape && l->s[1]) {
			if (l->s[1] != '"' && l->s[1] != '$' && l->s[1] != l->escape)
				r = sbuf_addc(out, l->escape);
			if (r >= 0)
				r = sbuf_addc(out, l->s[1]);
			l->s += 2;
		} else if (*l->s == '$' && l->expand) {
			r = expand(l, out, err);
		} else {
			r = sbuf_addc(out, *l->s++);
		}
	}
	if (r < 0)
		return r;
	if (*l->s != '"')
		return berr_set(err, EINVAL,
				"unexpected end of statement while looking for matching \"");
	l->s++;
	return 0;
}

/* One word from l->s (stops at a blank when splitting). */
static int next_word(struct lexer *l, struct sbuf *out, struct berr **err)
{
	int r = 0;

	while (*l->s && r >= 0) {
		char c = *l->s;

		if (l->split && (c == ' ' || c == '\t' || c == '\n' || c == '\r'))
			break;
		if (c == l->escape && l->s[1]) {
			r = sbuf_addc(out, l->s[1]);
			l->s += 2;
		} else if (c == '\'') {
			r = single_quoted(l, out, err);
		} else if (c == '"') {
			r = double_quoted(l, out, err);
		} else if (c == '$' && l->expand) {
			r = expand(l, out, err);
		} else {
			r = sbuf_addc(out, c);
			l->s++;
		}
	}
	return r;
}

int lex_words(const char *s, char escape, char *const *vars, bool expand, char ***ret,
	      struct berr **err)
{
	struct lexer l = {.s = s, .escape = escape, .vars = vars, .expand = expand, .split = true};
	_cleanup_strv_ char **words = calloc(1, sizeof(char *));
	_cleanup_(sbuf_done) struct sbuf w = {0};
	int r;

	if (!words)
		return -ENOMEM;
	for (;;) {
		while (*l.s == ' ' || *l.s == '\t' || *l.s == '\n' || *l.s == '\r')
			l.s++;
		if (!*l.s)
			break;
		sbuf_reset(&w);
		r = next_word(&l, &w, err);
		if (r < 0)
			return r;
		if (strv_push_dup(&words, sbuf_str(&w)) < 0)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(words);
	return 0;
}

static int lex_word_at(const char *s, char escape, char *const *vars, int depth, char **ret,
		       struct berr **err)
{
	struct lexer l = {.s = s, .escape = escape, .vars = vars, .expand = true, .depth = depth};
	_cleanup_(sbuf_done) struct sbuf w = {0};
	int r;

	if (depth > LEX_MAX_DEPTH)
		return berr_set(err, ELOOP, "substitutions nested more than %d deep",
				LEX_MAX_DEPTH);
	r = next_word(&l, &w, err);
	if (r < 0)
		return r;
	*ret = sbuf_take(&w);
	return *ret ? 0 : -ENOMEM;
}

int lex_word(const char *s, char escape, char *const *vars, char **ret, struct berr **err)
{
	return lex_word_at(s, escape, vars, 0, ret, err);
}
