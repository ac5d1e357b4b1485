/* SPDX-License-Identifier: Apache-2.0 */
/* print, printf and println, as Go's fmt.Sprint, Sprintf and Sprintln. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/template_eval.h"
#include "lib/cleanup.h"

#define WIDTH_MAX 4096

/* Text accumulated in an arena string. */
struct out {
	char *s;
	size_t len;
};

static int out_add(struct out *o, const char *s, size_t n)
{
	char *p;

	if (o->len + n >= (16u << 20))
		return -E2BIG;
	if (!(p = realloc(o->s, o->len + n + 1)))
		return -ENOMEM;
	memcpy(p + o->len, s, n);
	o->s = p;
	o->len += n;
	p[o->len] = '\0';
	return 0;
}

/* asprintf with a conversion built from checked pieces (flags, width, precision, verb). */
__attribute__((format(printf, 2, 3))) static int out_fmt(struct out *o, const char *fmt, ...)
{
	_cleanup_free_ char *t = NULL;
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vasprintf(&t, fmt, ap);
	va_end(ap);
	return len < 0 ? -ENOMEM : out_add(o, t, (size_t) len);
}

/* "%!d(string=x)": a verb that does not fit its argument, as Go says it. */
static int bad_verb(struct ev *ev, struct out *o, char verb, const struct val *v)
{
	const char *s;
	int r = ev_format(ev, v, &s);

	return r < 0 ? r : out_fmt(o, "%%!%c(%s=%s)", verb, ev_type_name(v), s);
}

/* Go's %q: a double-quoted string with Go escapes. */
static int quoted(struct out *o, const char *s)
{
	int r = out_add(o, "\"", 1);

	for (; r >= 0 && *s; s++) {
		unsigned char c = (unsigned char) *s;

		if (c == '"' || c == '\\')
			r = out_fmt(o, "\\%c", c);
		else if (c == '\n' || c == '\t' || c == '\r')
			r = out_fmt(o, "\\%c", c == '\n' ? 'n' : c == '\t' ? 't' : 'r');
		else if (c < 0x20 || c == 0x7f)
			r = out_fmt(o, "\\x%02x", c);
		else
			r = out_add(o, (const char *) &c, 1);
	}
	return r < 0 ? r : out_add(o, "\"", 1);
}

struct spec {
	char flags[8];
	int width, prec; /* -1: not given */
	char verb;
};

static int pad_str(struct out *o, const struct spec *sp, const char *s)
{
	int len = (int) strlen(s);

	if (sp->prec >= 0 && sp->prec < len)
		len = sp->prec;
	if (strchr(sp->flags, '-'))
		return out_fmt(o, "%.*s%*s", len, s, sp->width > len ? sp->width - len : 0, "");
	return out_fmt(o, "%*s%.*s", sp->width > len ? sp->width - len : 0, "", len, s);
}

static int one_number(struct ev *ev, struct out *o, const struct spec *sp, const struct val *v)
{
	char conv[32], *c = conv;
	bool is_int = v->k == V_INT;

	if (!strchr("dxXofFeEgGc", sp->verb) || (v->k != V_INT && v->k != V_FLOAT) ||
	    (is_int && strchr("fFeEgG", sp->verb)) || (!is_int && strchr("dxXoc", sp->verb)))
		return bad_verb(ev, o, sp->verb, v);
	if (sp->verb == 'c') {
		char ch = (char) v->i;

		return out_add(o, &ch, 1);
	}
	*c++ = '%';
	c = stpcpy(c, sp->flags);
	c += sprintf(c, "%d", sp->width > 0 ? sp->width : 0);
	if (sp->prec >= 0)
		c += sprintf(c, ".%d", sp->prec);
	if (is_int) {
		c = stpcpy(c, "ll");
		*c++ = sp->verb == 'd' ? 'd' : sp->verb;
		*c = '\0';
		return out_fmt(o, conv, (long long) v->i);
	}
	if (sp->prec < 0 &&
	    (sp->verb == 'f' || sp->verb == 'F' || sp->verb == 'e' || sp->verb == 'E'))
		c += sprintf(c, ".6");
	*c++ = sp->verb;
	*c = '\0';
	return out_fmt(o, conv, v->f);
}

/* One conversion of printf. */
static int one(struct ev *ev, struct out *o, const struct spec *sp, const struct val *v)
{
	const char *s;
	int r;

	switch (sp->verb) {
	case 's':
	case 'v':
		if (sp->verb == 's' && v->k != V_STR && v->k != V_NODE && v->k != V_MISSING)
			return bad_verb(ev, o, 's', v);
		return (r = ev_format(ev, v, &s)) < 0 ? r : pad_str(o, sp, s);
	case 'q':
		if (v->k != V_STR)
			return bad_verb(ev, o, 'q', v);
		return quoted(o, v->s);
	case 't':
		if (v->k != V_BOOL)
			return bad_verb(ev, o, 't', v);
		return pad_str(o, sp, v->b ? "true" : "false");
	default:
		return one_number(ev, o, sp, v);
	}
}

/* Parse "%[flags][width][.prec]verb" at *p (past the '%'). */
static int parse_spec(struct ev *ev, const char **p, struct spec *sp)
{
	size_t nf = 0;

	*sp = (struct spec){.width = -1, .prec = -1};
	while (**p && strchr("-+# 0", **p) && nf + 1 < sizeof(sp->flags))
		sp->flags[nf++] = *(*p)++;
	if (isdigit((unsigned char) **p))
		sp->width = (int) strtol(*p, (char **) p, 10);
	if (**p == '.') {
		(*p)++;
		sp->prec = isdigit((unsigned char) **p) ? (int) strtol(*p, (char **) p, 10) : 0;
	}
	if (sp->width > WIDTH_MAX || sp->prec > WIDTH_MAX)
		return berr_set(ev->err, EINVAL, "template: printf: width or precision over %d",
				WIDTH_MAX);
	sp->verb = **p;
	return 0;
}

int tmpl_printf(struct ev *ev, const struct val *a, size_t n, struct val *ret)
{
	struct out o = {0};
	size_t next = 1;
	const char *p;
	int r = out_add(&o, "", 0);

	if (a[0].k != V_STR) {
		free(o.s);
		return berr_set(ev->err, EINVAL, "template: printf: the format is a string");
	}
	for (p = a[0].s; r >= 0 && *p; p++) {
		struct spec sp;

		if (*p != '%') {
			r = out_add(&o, p, 1);
			continue;
		}
		p++;
		if ((r = parse_spec(ev, &p, &sp)) < 0)
			break;
		if (!sp.verb) {
			r = out_add(&o, "%!(NOVERB)", 10);
			break;
		}
		if (sp.verb == '%')
			r = out_add(&o, "%", 1);
		else if (next >= n)
			r = out_fmt(&o, "%%!%c(MISSING)", sp.verb);
		else
			r = one(ev, &o, &sp, &a[next++]);
	}
	for (size_t i = next; r >= 0 && i < n; i++) {
		const char *s;

		if ((r = ev_format(ev, &a[i], &s)) >= 0)
			r = out_fmt(&o, "%s%s=%s%s", i == next ? "%!(EXTRA " : ", ",
				    ev_type_name(&a[i]), s, i + 1 == n ? ")" : "");
	}
	if (r < 0) {
		free(o.s);
		return r == -E2BIG ? berr_set(ev->err, E2BIG, "template: printf: too long") : r;
	}
	*ret = (struct val){.k = V_STR, .s = ev_keep(ev, o.s)};
	return ret->s ? 0 : -ENOMEM;
}

/* Sprint (spaces only between two operands that are not strings) or Sprintln. */
static int print_args(struct ev *ev, const struct val *a, size_t n, bool ln, struct val *ret)
{
	struct out o = {0};
	int r = out_add(&o, "", 0);

	for (size_t i = 0; r >= 0 && i < n; i++) {
		const char *s;

		if (i > 0 && (ln || (a[i - 1].k != V_STR && a[i].k != V_STR)))
			r = out_add(&o, " ", 1);
		if (r >= 0 && (r = ev_format(ev, &a[i], &s)) >= 0)
			r = out_add(&o, s, strlen(s));
	}
	if (r >= 0 && ln)
		r = out_add(&o, "\n", 1);
	if (r < 0) {
		free(o.s);
		return r == -E2BIG ? berr_set(ev->err, E2BIG, "template: print: too long") : r;
	}
	*ret = (struct val){.k = V_STR, .s = ev_keep(ev, o.s)};
	return ret->s ? 0 : -ENOMEM;
}

int tmpl_print(struct ev *ev, const struct val *a, size_t n, struct val *ret)
{
	return print_args(ev, a, n, false, ret);
}

int tmpl_println(struct ev *ev, const struct val *a, size_t n, struct val *ret)
{
	return print_args(ev, a, n, true, ret);
}
