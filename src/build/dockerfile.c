/* SPDX-License-Identifier: Apache-2.0 */
#include "build/dockerfile.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sbuf.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"

#define DOCKERFILE_MAX_INSTRUCTIONS 10000

static const char *skip_blank(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* A parser directive line "# key=value": key and value, or false. */
static bool directive(const char *line, size_t len, char *key, size_t ksize, char *val,
		      size_t vsize)
{
	char buf[256];
	const char *eq;

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, line, len);
	buf[len] = '\0';
	if (sscanf(buf, " # %63[A-Za-z] = %63s", key, val) != 2 || ksize < 64 || vsize < 64)
		return false;
	eq = strchr(buf, '=');
	return eq != NULL;
}

static int read_directives(const char **p, const char *end, char *escape, unsigned *line,
			   struct berr **err)
{
	while (*p < end) {
		const char *nl = memchr(*p, '\n', (size_t) (end - *p));
		size_t len = nl ? (size_t) (nl - *p) : (size_t) (end - *p);
		char key[64], val[64];

		if (!directive(*p, len, key, sizeof(key), val, sizeof(val)))
			return 0;
		for (char *k = key; *k; k++)
			*k = (char) tolower((unsigned char) *k);
		if (strcmp(key, "escape") == 0) {
			if (strcmp(val, "\\") && strcmp(val, "`"))
				return berr_set(err, EINVAL, "line %u: invalid escape '%s'", *line,
						val);
			*escape = val[0];
		} else if (strcmp(key, "syntax") != 0) {
			return 0;
		}
		*p = nl ? nl + 1 : end;
		(*line)++;
	}
	return 0;
}

/* Does line (len bytes, trailing blanks included) end with the escape char? */
static bool continues(const char *l, size_t *len, char escape)
{
	while (*len && (l[*len - 1] == ' ' || l[*len - 1] == '\t' || l[*len - 1] == '\r'))
		(*len)--;
	if (*len && l[*len - 1] == escape) {
		(*len)--;
		return true;
	}
	return false;
}

/* The line is len bytes, not NUL-terminated (the last one of the input may end it). */
static bool is_comment_or_blank(const char *l, size_t len)
{
	size_t i = 0;

	while (i < len && (l[i] == ' ' || l[i] == '\t'))
		i++;
	return i >= len || l[i] == '#' || l[i] == '\r';
}

static int parse_json_form(struct df_instr *in)
{
	_cleanup_(jdoc_freep) struct jdoc *doc = NULL;
	struct jnode root;
	char **v = NULL;

	if (in->rest[0] != '[' || jdoc_parse(in->rest, strlen(in->rest), "", &doc, NULL) < 0)
		return 0;
	jdoc_root(doc, &root);
	if (!jnode_is_array(&root) || jnode_strv(&root, &v, NULL) < 0)
		return 0;
	in->json = v ? v : calloc(1, sizeof(char *));
	return in->json ? 0 : -ENOMEM;
}

/* "KEYWORD --flag=x rest" into in. */
static int split_instruction(char *text, unsigned line, struct df_instr *in, struct berr **err)
{
	char *s = (char *) skip_blank(text), *w = s;

	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (!(in->cmd = strndup(w, (size_t) (s - w))) || !(in->original = strdup(w)))
		return -ENOMEM;
	for (char *c = in->cmd; *c; c++)
		*c = (char) toupper((unsigned char) *c);
	in->line = line;
	s = (char *) skip_blank(s);
	while (s[0] == '-' && s[1] == '-') {
		w = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (strv_consume(&in->flags, strndup(w, (size_t) (s - w))) < 0)
			return -ENOMEM;
		s = (char *) skip_blank(s);
	}
	while (*s && s[strlen(s) - 1] == ' ')
		s[strlen(s) - 1] = '\0';
	if (!(in->rest = strdup(s)))
		return -ENOMEM;
	if (!*in->cmd)
		return berr_set(err, EINVAL, "line %u: no instruction", line);
	return parse_json_form(in);
}

static int add_instruction(struct dockerfile *d, struct sbuf *text, unsigned line,
			   struct berr **err)
{
	struct df_instr *v;

	if (d->n >= DOCKERFILE_MAX_INSTRUCTIONS)
		return berr_set(err, E2BIG, "more than %d instructions",
				DOCKERFILE_MAX_INSTRUCTIONS);
	v = realloc(d->v, (d->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	d->v = v;
	v[d->n] = (struct df_instr){0};
	d->n++;
	return split_instruction(sbuf_str(text), line, &v[d->n - 1], err);
}

static int parse_lines(struct dockerfile *d, const char *p, const char *end, unsigned line,
		       struct berr **err)
{
	_cleanup_(sbuf_done) struct sbuf text = {0};
	unsigned start = 0;
	bool open = false;
	int r;

	for (; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		size_t len = nl ? (size_t) (nl - p) : (size_t) (end - p);
		const char *l = p;

		p = nl ? nl + 1 : end;
		if (is_comment_or_blank(l, len))
			continue;
		if (!open) {
			sbuf_reset(&text);
			start = line;
		}
		open = continues(l, &len, d->escape);
		if (sbuf_add(&text, l, len) < 0)
			return -ENOMEM;
		if (!open && (r = add_instruction(d, &text, start, err)) < 0)
			return r;
	}
	if (open && (r = add_instruction(d, &text, start, err)) < 0)
		return r;
	return 0;
}

int dockerfile_parse(const char *text, size_t len, struct dockerfile **ret, struct berr **err)
{
	_cleanup_dockerfile_ struct dockerfile *d = calloc(1, sizeof(*d));
	const char *p = text, *end = text + len;
	unsigned line = 1;
	int r;

	if (!d)
		return -ENOMEM;
	d->escape = '\\';
	if (memchr(text, '\0', len))
		return berr_set(err, EINVAL, "the Dockerfile contains a NUL byte");
	r = read_directives(&p, end, &d->escape, &line, err);
	if (r >= 0)
		r = parse_lines(d, p, end, line, err);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(d);
	return 0;
}

struct dockerfile *dockerfile_free(struct dockerfile *d)
{
	if (!d)
		return NULL;
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].cmd);
		free(d->v[i].original);
		strv_free(d->v[i].flags);
		free(d->v[i].rest);
		strv_free(d->v[i].json);
	}
	free(d->v);
	free(d);
	return NULL;
}

const char *df_flag(const struct df_instr *in, const char *name)
{
	size_t n = strlen(name);

	STRV_FOREACH (f, in->flags)
		if (strncmp(*f + 2, name, n) == 0 && (*f)[n + 2] == '=')
			return *f + n + 3;
	return NULL;
}
