/* SPDX-License-Identifier: Apache-2.0 */
/* The functions a template calls (Go's builtins and docker's), and printing as Go's fmt. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/template_eval.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

#define STR_MAX (16u << 20)

static int sb_add(struct sbuf *b, const char *s, size_t n)
{
	return sbuf_add_max(b, s, n, STR_MAX);
}

static int sb_str(struct sbuf *b, const char *s)
{
	return sb_add(b, s, strlen(s));
}

/* Go's %v of a float64: the shortest digits, the %e form below 1e-4 or from 1e6. */
static void go_float(double f, char *buf, size_t size)
{
	char e[64];
	int p, exp;

	if (isnan(f) || isinf(f)) {
		snprintf(buf, size, "%s", isnan(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf");
		return;
	}
	for (p = 1; p < 17; p++) {
		snprintf(e, sizeof(e), "%.*e", p - 1, f);
		if (strtod(e, NULL) == f)
			break;
	}
	snprintf(e, sizeof(e), "%.*e", p - 1, f);
	exp = atoi(strchr(e, 'e') + 1);
	if (exp < -4 || exp >= 6)
		snprintf(buf, size, "%s", e);
	else
		snprintf(buf, size, "%.*f", p - 1 - exp > 0 ? p - 1 - exp : 0, f);
}

static int fmt_into(struct ev *ev, struct sbuf *b, const struct val *v, int depth);

static int fmt_node(struct ev *ev, struct sbuf *b, const struct jnode *n, int depth)
{
	bool array = jnode_is_array(n);
	size_t len = array ? jnode_array_len(n) : 0;
	_cleanup_strv_ char **keys = NULL;
	int r = sb_str(b, array ? "[" : "map[");

	if (!array) {
		r = r < 0 ? r : ev_object_keys(n, &keys);
		len = strv_length(keys);
	}
	for (size_t i = 0; r >= 0 && i < len; i++) {
		struct jnode e;
		struct val v;

		if (array)
			jnode_array_at(n, i, &e);
		else
			jnode_member(n, keys[i], &e);
		e.parent = NULL;
		if (i > 0)
			r = sb_str(b, " ");
		if (r >= 0 && !array && (r = sb_str(b, keys[i])) >= 0)
			r = sb_str(b, ":");
		if (r >= 0)
			r = ev_from_node(ev, &e, &v);
		if (r >= 0)
			r = fmt_into(ev, b, &v, depth + 1);
	}
	return r < 0 ? r : sb_str(b, "]");
}

static int fmt_into(struct ev *ev, struct sbuf *b, const struct val *v, int depth)
{
	char num[64];

	if (depth > 64)
		return -E2BIG;
	switch (v->k) {
	case V_STR:
		return sb_str(b, v->s);
	case V_INT:
		snprintf(num, sizeof(num), "%lld", (long long) v->i);
		return sb_str(b, num);
	case V_FLOAT:
		go_float(v->f, num, sizeof(num));
		return sb_str(b, num);
	case V_BOOL:
		return sb_str(b, v->b ? "true" : "false");
	case V_NODE:
		return fmt_node(ev, b, &v->n, depth);
	case V_MISSING:
	default:
		return 0;
	}
}

int ev_format(struct ev *ev, const struct val *v, const char **ret)
{
	struct sbuf b = {0};
	int r;

	if (v->k == V_STR) {
		*ret = v->s;
		return 0;
	}
	r = sb_add(&b, "", 0);
	if (r >= 0)
		r = fmt_into(ev, &b, v, 0);
	if (r < 0) {
		free(b.p);
		return r == -E2BIG ? berr_set(ev->err, E2BIG, "template: value too large") : r;
	}
	return (*ret = ev_keep(ev, b.p)) ? 0 : -ENOMEM;
}

int ev_print(struct ev *ev, const struct val *v)
{
	const char *s;
	int r = ev_format(ev, v, &s);

	return r < 0 ? r : ev_add(ev, s, strlen(s));
}

static int bad_arg(struct ev *ev, const char *fn, const char *what, const struct val *v)
{
	return berr_set(ev->err, EINVAL, "template: %s: %s, not %s", fn, what, ev_type_name(v));
}

static int int_arg(struct ev *ev, const char *fn, const struct val *v, int64_t *ret)
{
	if (v->k == V_INT)
		*ret = v->i;
	else if (v->k == V_FLOAT && v->f == (double) (int64_t) v->f)
		*ret = (int64_t) v->f;
	else
		return bad_arg(ev, fn, "needs an integer", v);
	return 0;
}

static int str_val(struct ev *ev, const char *s, size_t len, struct val *ret)
{
	*ret = (struct val){.k = V_STR, .s = ev_keep(ev, strndup(s, len))};
	return ret->s ? 0 : -ENOMEM;
}

/* A JSON string literal of s. */
static int json_quote(struct sbuf *b, const char *s)
{
	int r = sb_str(b, "\"");

	for (; r >= 0 && *s; s++) {
		unsigned char c = (unsigned char) *s;
		char esc[8];

		if (c == '"' || c == '\\')
			snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c == '\n' || c == '\t' || c == '\r')
			snprintf(esc, sizeof(esc), "\\%c", c == '\n' ? 'n' : c == '\t' ? 't' : 'r');
		else if (c < 0x20)
			snprintf(esc, sizeof(esc), "\\u%04x", c);
		else {
			esc[0] = (char) c;
			esc[1] = '\0';
		}
		r = sb_str(b, esc);
	}
	return r < 0 ? r : sb_str(b, "\"");
}

static int fn_json(struct ev *ev, const struct val *a, size_t n, struct val *ret)
{
	struct sbuf b = {0};
	const char *s;
	int r;

	(void) n;
	if (a->k == V_NODE) {
		char *t = jnode_to_json(&a->n, false);

		*ret = (struct val){.k = V_STR, .s = ev_keep(ev, t)};
		return ret->s ? 0 : -ENOMEM;
	}
	if (a->k == V_MISSING)
		return str_val(ev, "null", 4, ret);
	if (a->k != V_STR)
		return (r = ev_format(ev, a, &s)) < 0 ? r : str_val(ev, s, strlen(s), ret);
	if ((r = sb_add(&b, "", 0)) < 0 || (r = json_quote(&b, a->s)) < 0) {
		free(b.p);
		return r;
	}
	*ret = (struct val){.k = V_STR, .s = ev_keep(ev, b.p)};
	return ret->s ? 0 : -ENOMEM;
}

static int fn_join(struct ev *ev, const struct val *a, size_t n, struct val *ret)
{
	struct sbuf b = {0};
	const char *sep;
	int r;

	(void) n;
	if (a[0].k == V_MISSING)
		return str_val(ev, "", 0, ret);
	if (a[0].k != V_NODE || !jnode_is_array(&a[0].n))
		return bad_arg(ev, "join", "needs a list", &a[0]);
	if ((r = ev_format(ev, &a[1], &sep)) < 0)
		return r;
	r = sb_add(&b, "", 0);
	for (size_t i = 0; r >= 0 && i < jnode_array_len(&a[0].n); i++) {
		struct jnode e;
		struct val v;
		const char *s;

		jnode_array_at(&a[0].n, i, &e);
		e.parent = NULL;
		if ((r = ev_from_node(ev, &e, &v)) >= 0 && (r = ev_format(ev, &v, &s)) >= 0)
			r = sb_add(&b, sep, i ? strlen(sep) : 0) < 0 ? -ENOMEM : sb_str(&b, s);
	}
	if (r < 0) {
		free(b.p);
		return r;
	}
	*ret = (struct val){.k = V_STR, .s = ev_keep(ev, b.p)};
	return ret->s ? 0 : -ENOMEM;
}

static int split_part(struct sbuf *b, const char *p, size_t len, bool comma)
{
	_cleanup_free_ char *part = strndup(p, len);

	if (!part || (comma && sb_str(b, ",") < 0))
		return -ENOMEM;
	return json_quote(b, part);
}

/* split s sep: a list, as strings.Split (an empty sep splits between bytes). */
static int fn_split(struct ev *ev, const struct val *a, size_t n, struct val *ret)
{
	struct sbuf b = {0};
	struct jdoc *doc = NULL;
	const char *s, *sep, *p = NULL;
	struct jnode root;
	int r;

	(void) n;
	if ((r = ev_format(ev, &a[0], &s)) < 0 || (r = ev_format(ev, &a[1], &sep)) < 0)
		return r;
	r = sb_str(&b, "[");
	for (p = s; r >= 0 && *sep;) {
		const char *next = strstr(p, sep);

		r = split_part(&b, p, next ? (size_t) (next - p) : strlen(p), p != s);
		if (!next)
			break;
		p = next + strlen(sep);
	}
	for (p = s; r >= 0 && !*sep && *p; p++)
		r = split_part(&b, p, 1, p != s);
	if (r >= 0)
		r = sb_str(&b, "]");
	if (r >= 0)
		r = jdoc_parse(b.p, b.n, "split", &doc, ev->err);
	free(b.p);
	if (r < 0 || (r = ev_keep_doc(ev, doc)) < 0)
		return r;
	jdoc_root(doc, &root);
	return ev_from_node(ev, &root, ret);
}

static int fn_case(struct ev *ev, const struct val *a, int mode, struct val *ret)
{
	const char *s;
	char *t;
	bool start = true;
	int r = ev_format(ev, a, &s);

	if (r < 0 || !(t = strdup(s)))
		return r < 0 ? r : -ENOMEM;
	for (char *c = t; *c; c++) {
		if (mode == 0)
			*c = (char) toupper((unsigned char) *c);
		else if (mode == 1)
			*c = (char) tolower((unsigned char) *c);
		else if (start && isalpha((unsigned char) *c))
			*c = (char) toupper((unsigned char) *c);
		start = !isalnum((unsigned char) *c) && *c != '\'' && *c != '_';
	}
	*ret = (struct val){.k = V_STR, .s = ev_keep(ev, t)};
	return ret->s ? 0 : -ENOMEM;
}

static int fn_upper(struct ev *ev, const struct val *a, size_t n, struct val *ret)
{
	(void) n;
	return fn_case(ev, a, 0, ret);
}

static int fn_lower(struct ev *ev, const struct val *a, size_t n, struct val *ret)
{
	(void) n;
	return fn_case(ev, a, 1, ret);
}

static int fn_title(struct ev *ev, const struct val *a, size_t n, struct val *ret)
{
	(void) n;
	return fn_case(ev, a, 2, ret);
}

static int fn_truncate(struct ev *ev, const struct val *a, size_t n, struct val *ret)
{
	const char *s;
	int64_t len;
	int r;

	(void) n;
	if ((r = ev_format(ev, &a[0], &s)) < 0 || (r = int_arg(ev, "truncate", &a[1], &len)) < 0)
		return r;
	return str_val(ev, s, len < 0 ? 0 : (size_t) len, ret);
}

static int fn_pad(struct ev *ev, const struct val *a, size_t n, struct val *ret)
{
	const char *s;
	char *t = NULL;
	int64_t pre, post;
	int r;

	(void) n;
	if ((r = ev_format(ev, &a[0], &s)) < 0 || (r = int_arg(ev, "pad", &a[1], &pre)) < 0 ||
	    (r = int_arg(ev, "pad", &a[2], &post)) < 0)
		return r;
	if (pre < 0 || post < 0 || pre > 4096 || post > 4096)
		return berr_set(ev->err, EINVAL, "template: pad: 0 to 4096 spaces");
	if (asprintf(&t, "%*s%s%*s", (int) pre, "", s, (int) post, "") < 0)
		return -ENOMEM;
	*ret = (struct val){.k = V_STR, .s = ev_keep(ev, t)};
	return ret->s ? 0 : -ENOMEM;
}

static int fn_len(struct ev *ev, const struct val *a, size_t n, struct val *ret)
{
	(void) n;
	*ret = (struct val){.k = V_INT};
	if (a->k == V_STR)
		ret->i = (int64_t) strlen(a->s);
	else if (a->k == V_NODE)
		ret->i = (int64_t) (jnode_is_array(&a->n) ? jnode_array_len(&a->n)
							  : jnode_object_len(&a->n));
	else
		return bad_arg(ev, "len", "needs a string, list or map", a);
	return 0;
}

static int fn_index(struct ev *ev, const struct val *a, size_t n, struct val *ret)
{
	struct val cur = a[0];
	int r;

	for (size_t k = 1; k < n; k++) {
		struct jnode e;
		int64_t i;

		if (cur.k == V_NODE && jnode_is_array(&cur.n)) {
			if ((r = int_arg(ev, "index", &a[k], &i)) < 0)
				return r;
			if (i < 0 || (size_t) i >= jnode_array_len(&cur.n))
				return berr_set(ev->err, EINVAL,
						"template: index: index out of range: %lld",
						(long long) i);
			jnode_array_at(&cur.n, (size_t) i, &e);
		} else if (cur.k == V_NODE) {
			if (a[k].k != V_STR)
				return bad_arg(ev, "index", "a map's key is a string", &a[k]);
			jnode_member(&cur.n, a[k].s, &e);
		} else if (cur.k == V_MISSING)
			break;
		else
			return bad_arg(ev, "index", "can't index item", &cur);
		e.parent = NULL;
		if ((r = ev_from_node(ev, &e, &cur)) < 0)
			return r;
	}
	*ret = cur;
	return 0;
}

static int fn_not(struct ev *ev, const struct val *a, size_t n, struct val *ret)
{
	(void) ev;
	(void) n;
	*ret = (struct val){.k = V_BOOL, .b = !ev_truth(a)};
	return 0;
}

/* and: the first false argument, else the last; or: the first true one, else the last. */
static int fn_and(struct ev *ev, const struct val *a, size_t n, struct val *ret)
{
	size_t i = 0;

	(void) ev;
	while (i + 1 < n && ev_truth(&a[i]))
		i++;
	*ret = a[i];
	return 0;
}

static int fn_or(struct ev *ev, const struct val *a, size_t n, struct val *ret)
{
	size_t i = 0;

	(void) ev;
	while (i + 1 < n && !ev_truth(&a[i]))
		i++;
	*ret = a[i];
	return 0;
}

static bool is_num(const struct val *v)
{
	return v->k == V_INT || v->k == V_FLOAT;
}

/* <0, 0, >0; -EINVAL (with *err) for values Go cannot compare. */
static int compare(struct ev *ev, const struct val *x, const struct val *y, bool ordered, int *ret)
{
	if (x->k == V_INT && y->k == V_INT)
		*ret = (x->i > y->i) - (x->i < y->i);
	else if (is_num(x) && is_num(y)) {
		double a = x->k == V_INT ? (double) x->i : x->f,
		       b = y->k == V_INT ? (double) y->i : y->f;

		*ret = (a > b) - (a < b);
	} else if (x->k == V_STR && y->k == V_STR)
		*ret = strcmp(x->s, y->s);
	else if (!ordered && x->k == V_BOOL && y->k == V_BOOL)
		*ret = x->b != y->b;
	else if (!ordered && (x->k == V_MISSING || y->k == V_MISSING))
		*ret = x->k != y->k; /* an absent field equals only nil */
	else
		return berr_set(ev->err, EINVAL,
				"template: incompatible types for comparison: %s "
				"and %s",
				ev_type_name(x), ev_type_name(y));
	return 0;
}

static int fn_cmp(struct ev *ev, const struct val *a, size_t n, const char *op, struct val *ret)
{
	bool ordered = op[0] == 'l' || op[0] == 'g';
	int c = 1, r;

	for (size_t i = 1; i < n && c != 0; i++)
		if ((r = compare(ev, &a[0], &a[i], ordered, &c)) < 0)
			return r;
	*ret = (struct val){.k = V_BOOL};
	if (strcmp(op, "eq") == 0)
		ret->b = c == 0;
	else if (strcmp(op, "ne") == 0)
		ret->b = c != 0;
	else if (strcmp(op, "lt") == 0)
		ret->b = c < 0;
	else if (strcmp(op, "le") == 0)
		ret->b = c <= 0;
	else if (strcmp(op, "gt") == 0)
		ret->b = c > 0;
	else
		ret->b = c >= 0;
	return 0;
}

typedef int (*tmpl_fn)(struct ev *ev, const struct val *a, size_t n, struct val *ret);

static const struct {
	const char *name;
	tmpl_fn fn;
	size_t min, max;
} funcs[] = {
	{"and", fn_and, 1, 32},		{"or", fn_or, 1, 32},
	{"not", fn_not, 1, 1},		{"len", fn_len, 1, 1},
	{"index", fn_index, 1, 32},	{"json", fn_json, 1, 1},
	{"join", fn_join, 2, 2},	{"split", fn_split, 2, 2},
	{"upper", fn_upper, 1, 1},	{"lower", fn_lower, 1, 1},
	{"title", fn_title, 1, 1},	{"truncate", fn_truncate, 2, 2},
	{"pad", fn_pad, 3, 3},		{"print", tmpl_print, 0, 32},
	{"printf", tmpl_printf, 1, 32}, {"println", tmpl_println, 0, 32},
};

int tmpl_call(struct ev *ev, const char *name, const struct val *args, size_t n, struct val *ret)
{
	static const char *const cmps[] = {"eq", "ne", "lt", "le", "gt", "ge"};

	for (size_t i = 0; i < sizeof(cmps) / sizeof(*cmps); i++)
		if (strcmp(name, cmps[i]) == 0) {
			if (n < 2 || (i > 0 && n > 2))
				return berr_set(ev->err, EINVAL,
						"template: %s: wrong number of arguments", name);
			return fn_cmp(ev, args, n, name, ret);
		}
	for (size_t i = 0; i < sizeof(funcs) / sizeof(*funcs); i++) {
		if (strcmp(name, funcs[i].name) != 0)
			continue;
		if (n < funcs[i].min || n > funcs[i].max)
			return berr_set(
				ev->err, EINVAL,
				"template: %s: wrong number of arguments: want %zu, got %zu", name,
				funcs[i].min, n);
		return funcs[i].fn(ev, args, n, ret);
	}
	return berr_set(ev->err, EINVAL, "template: function \"%s\" not defined", name);
}
