/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/format.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/sbuf.h"
#include "lib/strv.h"

#define TAB_PADDING 3

struct table {
	char *tmpl; /* without "table " */
	bool header;
	char **lines;
};

/* "\t" and "\n" typed in a shell are the characters. */
static char *unescape(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		if (s[0] == '\\' && (s[1] == 't' || s[1] == 'n')) {
			*o++ = s[1] == 't' ? '\t' : '\n';
			s++;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

static const char *header_for(const char *const *headers, const char *field)
{
	for (size_t i = 0; headers && headers[i]; i += 2)
		if (strcmp(headers[i], field) == 0)
			return headers[i + 1];
	return NULL;
}

/* The header row: each {{.Field}} replaced by its header (upper-cased field name). */
static int header_line(const char *tmpl, const char *const *headers, char **ret)
{
	struct sbuf out = {0};
	const char *p = tmpl;
	int r = sbuf_add(&out, "", 0);

	while (r >= 0 && *p) {
		const char *open = strstr(p, "{{"), *close = open ? strstr(open, "}}") : NULL;
		char field[64] = "";
		const char *h;

		if (!open || !close) {
			r = sbuf_add(&out, p, strlen(p));
			break;
		}
		r = sbuf_add(&out, p, (size_t) (open - p));
		/* the first field the action names: {{.Name}}, {{upper .Name}} */
		for (const char *c = open + 2; c < close; c++)
			if ((*c == '"' || *c == '`') && strchr(c + 1, *c) &&
			    strchr(c + 1, *c) < close)
				c = strchr(c + 1, *c);
			else if (*c == '.' && (isalnum((unsigned char) c[1]) || c[1] == '_') &&
				 (c == open + 2 || !isalnum((unsigned char) c[-1]))) {
				sscanf(c, ".%63[A-Za-z0-9_]", field);
				break;
			}
		h = header_for(headers, field);
		if (!h) {
			for (char *c = field; *c; c++)
				*c = (char) toupper((unsigned char) *c);
			h = field;
		}
		if (r >= 0)
			r = sbuf_add(&out, h, strlen(h));
		p = close + 2;
	}
	if (r < 0) {
		free(out.p);
		return r;
	}
	*ret = out.p;
	return 0;
}

int table_new(const char *tmpl, const char *const *headers, struct table **ret, struct berr **err)
{
	struct table *t = calloc(1, sizeof(*t));
	char *h = NULL;

	if (!t)
		return -ENOMEM;
	if (strncmp(tmpl, "table", 5) == 0 && (tmpl[5] == ' ' || tmpl[5] == '\0')) {
		t->header = true;
		tmpl += tmpl[5] ? 6 : 5;
	}
	t->tmpl = unescape(tmpl);
	if (!t->tmpl || (t->header && (header_line(t->tmpl, headers, &h) < 0 ||
				       strv_consume(&t->lines, h) < 0))) {
		table_free(t);
		return berr_set(err, ENOMEM, "out of memory");
	}
	*ret = t;
	return 0;
}

int table_add(struct table *t, const struct jnode *row, struct berr **err)
{
	char *line;
	int r = template_render(t->tmpl, row, &line, err);

	if (r < 0)
		return r;
	return strv_consume(&t->lines, line);
}

static void print_aligned(char **lines, FILE *out)
{
	size_t widths[32] = {0};

	STRV_FOREACH (l, lines) {
		size_t col = 0;

		for (const char *c = *l; col < ELEMENTSOF(widths); col++) {
			size_t n = strcspn(c, "\t");

			if (!c[n])
				break;
			if (n > widths[col])
				widths[col] = n;
			c += n + 1;
		}
	}
	STRV_FOREACH (l, lines) {
		size_t col = 0;
		const char *c = *l;

		for (; col < ELEMENTSOF(widths); col++) {
			size_t n = strcspn(c, "\t");

			if (!c[n])
				break;
			fprintf(out, "%.*s%*s", (int) n, c, (int) (widths[col] - n + TAB_PADDING),
				"");
			c += n + 1;
		}
		fprintf(out, "%s\n", c);
	}
}

void table_print(struct table *t, FILE *out)
{
	print_aligned(t->lines, out);
	table_free(t);
}

void table_free(struct table *t)
{
	if (!t)
		return;
	free(t->tmpl);
	strv_free(t->lines);
	free(t);
}

/* go-units CustomSize: divide by base while it fits, then "%.<precision>g<unit>". */
static const char *custom_size(uint64_t bytes, int precision, double base, const char *const *units,
			       size_t n_units, char *buf, size_t size)
{
	double v = (double) bytes;
	size_t u = 0;

	while (v >= base && u + 1 < n_units) {
		v /= base;
		u++;
	}
	snprintf(buf, size, "%.*g%s", precision, v, units[u]);
	return buf;
}

static const char *const decimal_units[] = {"B", "kB", "MB", "GB", "TB", "PB"};

const char *human_size(uint64_t bytes, char *buf, size_t size)
{
	return human_size_precision(bytes, 4, buf, size);
}

const char *human_size_precision(uint64_t bytes, int precision, char *buf, size_t size)
{
	return custom_size(bytes, precision, 1000.0, decimal_units, ELEMENTSOF(decimal_units), buf,
			   size);
}

const char *bytes_size(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

	return custom_size(bytes, 4, 1024.0, units, ELEMENTSOF(units), buf, size);
}

const char *human_ago(long long s, char *buf, size_t size)
{
	const long long min = 60, hour = 3600, day = 86400;

	if (s < 1)
		snprintf(buf, size, "Less than a second ago");
	else if (s == 1)
		snprintf(buf, size, "1 second ago");
	else if (s < min)
		snprintf(buf, size, "%lld seconds ago", s);
	else if (s < 2 * min)
		snprintf(buf, size, "About a minute ago");
	else if (s < hour)
		snprintf(buf, size, "%lld minutes ago", s / min);
	else if (s < 2 * hour)
		snprintf(buf, size, "About an hour ago");
	else if (s < 2 * day)
		snprintf(buf, size, "%lld hours ago", s / hour);
	else if (s < 14 * day)
		snprintf(buf, size, "%lld days ago", s / day);
	else if (s < 90 * day)
		snprintf(buf, size, "%lld weeks ago", s / (7 * day));
	else if (s < 730 * day)
		snprintf(buf, size, "%lld months ago", s / (30 * day));
	else
		snprintf(buf, size, "%lld years ago", s / (365 * day));
	return buf;
}
