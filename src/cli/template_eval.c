/* SPDX-License-Identifier: Apache-2.0 */
/* Running a parsed template (template_parse.c) on a JSON document, as Go's text/template. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/template.h"
#include "cli/template_eval.h"
#include "cli/template_internal.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

#define OUT_MAX (16u << 20) /* a template's output, at most */
#define VARS_MAX 256

enum { FLOW_BREAK = 1, FLOW_CONTINUE = 2 };

int ev_add(struct ev *ev, const char *s, size_t n)
{
	int r = sbuf_add_max(ev->out, s, n, OUT_MAX);

	if (r == -E2BIG)
		return berr_set(ev->err, E2BIG, "template: the output is over %u bytes", OUT_MAX);
	return r;
}

const char *ev_keep(struct ev *ev, char *s)
{
	if (!s || strv_consume(&ev->arena, s) < 0)
		return NULL;
	return s;
}

int ev_keep_doc(struct ev *ev, struct jdoc *doc)
{
	struct jdoc **v = realloc(ev->docs, (ev->n_docs + 1) * sizeof(*v));

	if (!v) {
		jdoc_free(doc);
		return -ENOMEM;
	}
	ev->docs = v;
	v[ev->n_docs++] = doc;
	return 0;
}

int ev_from_node(struct ev *ev, const struct jnode *n, struct val *ret)
{
	char *s = NULL;

	*ret = (struct val){.k = V_MISSING};
	switch (jnode_type(n)) {
	case JNODE_BOOL:
		ret->k = V_BOOL;
		return jnode_bool(n, &ret->b, NULL);
	case JNODE_INT:
		ret->k = V_INT;
		if (jnode_int64(n, &ret->i, NULL) < 0) {
			ret->k = V_FLOAT;
			ret->f = jnode_double(n);
		}
		return 0;
	case JNODE_DOUBLE:
		ret->k = V_FLOAT;
		ret->f = jnode_double(n);
		return 0;
	case JNODE_STRING:
		if (jnode_string(n, &s, NULL) < 0 || !(ret->s = ev_keep(ev, s)))
			return -ENOMEM;
		ret->k = V_STR;
		return 0;
	case JNODE_ARRAY:
	case JNODE_OBJECT:
		ret->k = V_NODE;
		ret->n = *n;
		ret->n.parent = NULL;
		return 0;
	case JNODE_NULL:
	default:
		return 0;
	}
}

const char *ev_type_name(const struct val *v)
{
	static const char *const names[] = {"nil", "string", "int", "float64", "bool", "object"};

	if (v->k == V_NODE && jnode_is_array(&v->n))
		return "array";
	return names[v->k];
}

/* .A.B on v. */
static int fields(struct ev *ev, char *const *names, struct val *v)
{
	STRV_FOREACH (f, names) {
		struct jnode m;

		if (v->k == V_MISSING)
			return 0;
		if (v->k != V_NODE || !jnode_is_object(&v->n))
			return berr_set(ev->err, EINVAL,
					"template: can't evaluate field %s in type %s", *f,
					ev_type_name(v));
		jnode_member(&v->n, *f, &m);
		m.parent = NULL;
		if (ev_from_node(ev, &m, v) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int lookup_var(struct ev *ev, const char *name, struct val *ret)
{
	for (size_t i = ev->n_vars; i-- > 0;)
		if (strcmp(ev->vars[i].name, name) == 0) {
			*ret = ev->vars[i].v;
			return 0;
		}
	return berr_set(ev->err, EINVAL, "template: undefined variable: %s", name);
}

static int set_var(struct ev *ev, const char *name, const struct val *v, bool assign)
{
	if (assign) {
		for (size_t i = ev->n_vars; i-- > 0;)
			if (strcmp(ev->vars[i].name, name) == 0) {
				ev->vars[i].v = *v;
				return 0;
			}
		return berr_set(ev->err, EINVAL, "template: undefined variable: %s", name);
	}
	if (ev->n_vars >= VARS_MAX)
		return berr_set(ev->err, E2BIG, "template: too many variables");
	ev->vars[ev->n_vars].name = name;
	ev->vars[ev->n_vars++].v = *v;
	return 0;
}

static int eval_pipe(struct ev *ev, const struct tpipe *p, const struct val *dot, struct val *ret);

static int eval_arg(struct ev *ev, const struct targ *a, const struct val *dot, struct val *ret)
{
	int r = 0;

	*ret = (struct val){.k = V_MISSING};
	switch (a->kind) {
	case TARG_FIELD:
		*ret = *dot;
		break;
	case TARG_VAR:
		r = lookup_var(ev, a->s, ret);
		break;
	case TARG_STRING:
		ret->k = V_STR;
		ret->s = a->s;
		return 0;
	case TARG_INT:
		ret->k = V_INT;
		ret->i = a->i;
		return 0;
	case TARG_FLOAT:
		ret->k = V_FLOAT;
		ret->f = a->f;
		return 0;
	case TARG_BOOL:
		ret->k = V_BOOL;
		ret->b = a->b;
		return 0;
	case TARG_NIL:
		return 0;
	case TARG_IDENT:
		return tmpl_call(ev, a->s, NULL, 0, ret);
	case TARG_PIPE:
		r = eval_pipe(ev, a->sub, dot, ret);
		break;
	default:
		return -EINVAL;
	}
	return r < 0 ? r : fields(ev, a->fields, ret);
}

/* One command; final is the previous command's value in a pipeline, or NULL. */
static int eval_cmd(struct ev *ev, const struct tcmd *c, const struct val *dot,
		    const struct val *final, struct val *ret)
{
	struct val args[33];
	size_t n = 0;
	int r;

	if (c->args[0].kind != TARG_IDENT) {
		if (c->n > 1 || final)
			return berr_set(ev->err, EINVAL,
					"template: can't give argument to non-function");
		return eval_arg(ev, &c->args[0], dot, ret);
	}
	if (c->n > 32)
		return berr_set(ev->err, E2BIG, "template: too many arguments");
	for (size_t i = 1; i < c->n; i++)
		if ((r = eval_arg(ev, &c->args[i], dot, &args[n++])) < 0)
			return r;
	if (final)
		args[n++] = *final;
	return tmpl_call(ev, c->args[0].s, args, n, ret);
}

static int eval_pipe(struct ev *ev, const struct tpipe *p, const struct val *dot, struct val *ret)
{
	struct val v = {.k = V_MISSING};
	int r;

	for (size_t i = 0; i < p->n; i++)
		if ((r = eval_cmd(ev, &p->cmds[i], dot, i ? &v : NULL, &v)) < 0)
			return r;
	if (p->decl[0] && !p->decl[1] && (r = set_var(ev, p->decl[0], &v, p->assign)) < 0)
		return r;
	*ret = v;
	return 0;
}

bool ev_truth(const struct val *v)
{
	switch (v->k) {
	case V_STR:
		return v->s[0] != '\0';
	case V_INT:
		return v->i != 0;
	case V_FLOAT:
		return v->f != 0;
	case V_BOOL:
		return v->b;
	case V_NODE:
		return jnode_is_array(&v->n) ? jnode_array_len(&v->n) > 0
					     : jnode_object_len(&v->n) > 0;
	case V_MISSING:
	default:
		return false;
	}
}

static int exec_list(struct ev *ev, const struct tlist *l, const struct val *dot);

/* The body once for one element: $i/$v (or just $v) set, dot the element. */
static int range_one(struct ev *ev, const struct tnode *n, const struct val *key,
		     const struct val *elem)
{
	const struct tpipe *p = n->pipe;
	size_t height = ev->n_vars;
	int r = 0;

	if (p->decl[0] && p->decl[1])
		r = set_var(ev, p->decl[0], key, false);
	if (r >= 0 && (p->decl[1] || p->decl[0]))
		r = set_var(ev, p->decl[1] ? p->decl[1] : p->decl[0], elem, false);
	if (r >= 0)
		r = exec_list(ev, &n->body, elem);
	ev->n_vars = height;
	return r;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

static int collect_key(const struct jnode *child, void *userdata, struct berr **err)
{
	(void) err;
	return strv_push_dup((char ***) userdata, child->key);
}

int ev_object_keys(const struct jnode *n, char ***ret)
{
	char **keys = NULL;

	if (jnode_foreach_member(n, collect_key, &keys, NULL) < 0) {
		strv_free(keys);
		return -ENOMEM;
	}
	if (keys)
		qsort(keys, strv_length(keys), sizeof(char *), cmp_key);
	*ret = keys;
	return 0;
}

/* Object members in key order, as Go ranges over a map. */
static int range_object(struct ev *ev, const struct tnode *n, const struct val *v, bool *ran)
{
	_cleanup_strv_ char **keys = NULL;
	int r;

	if (ev_object_keys(&v->n, &keys) < 0)
		return -ENOMEM;
	STRV_FOREACH (k, keys) {
		struct val key = {.k = V_STR, .s = ev_keep(ev, strdup(*k))}, elem;
		struct jnode m;

		if (!key.s)
			return -ENOMEM;
		jnode_member(&v->n, *k, &m);
		m.parent = NULL;
		if (ev_from_node(ev, &m, &elem) < 0)
			return -ENOMEM;
		*ran = true;
		if ((r = range_one(ev, n, &key, &elem)) < 0 || r == FLOW_BREAK)
			return r < 0 ? r : 0;
	}
	return 0;
}

static int exec_range(struct ev *ev, const struct tnode *n, const struct val *dot)
{
	struct val v;
	bool ran = false;
	int r;

	if ((r = eval_pipe(ev, &(struct tpipe){.cmds = n->pipe->cmds, .n = n->pipe->n}, dot, &v)) <
	    0)
		return r;
	if (v.k == V_NODE && jnode_is_object(&v.n))
		r = range_object(ev, n, &v, &ran);
	else if (v.k == V_NODE) {
		for (size_t i = 0; i < jnode_array_len(&v.n); i++) {
			struct val key = {.k = V_INT, .i = (int64_t) i}, elem;
			struct jnode e;

			jnode_array_at(&v.n, i, &e);
			e.parent = NULL;
			if (ev_from_node(ev, &e, &elem) < 0)
				return -ENOMEM;
			ran = true;
			if ((r = range_one(ev, n, &key, &elem)) < 0 || r == FLOW_BREAK)
				break;
		}
		r = r < 0 ? r : 0;
	} else if (v.k != V_MISSING) {
		const char *s;

		/* Go 1.22 ranges over an integer; docker 20.10's Go does not */
		if ((r = ev_format(ev, &v, &s)) < 0)
			return r;
		return berr_set(ev->err, EINVAL, "template: range can't iterate over %s", s);
	}
	if (r >= 0 && !ran)
		r = exec_list(ev, &n->alt, dot);
	return r;
}

static int exec_node(struct ev *ev, const struct tnode *n, const struct val *dot)
{
	size_t height = ev->n_vars;
	struct val v;
	int r;

	switch (n->kind) {
	case TNODE_TEXT:
		return ev_add(ev, n->text, strlen(n->text));
	case TNODE_ACTION:
		if ((r = eval_pipe(ev, n->pipe, dot, &v)) < 0 || n->pipe->decl[0])
			return r;
		return ev_print(ev, &v);
	case TNODE_IF:
	case TNODE_WITH:
		if ((r = eval_pipe(ev, n->pipe, dot, &v)) < 0)
			return r;
		if (ev_truth(&v))
			r = exec_list(ev, &n->body, n->kind == TNODE_WITH ? &v : dot);
		else
			r = exec_list(ev, &n->alt, dot);
		ev->n_vars = height;
		return r;
	case TNODE_RANGE:
		r = exec_range(ev, n, dot);
		ev->n_vars = height;
		return r;
	case TNODE_BREAK:
		return FLOW_BREAK;
	case TNODE_CONTINUE:
		return FLOW_CONTINUE;
	default:
		return -EINVAL;
	}
}

static int exec_list(struct ev *ev, const struct tlist *l, const struct val *dot)
{
	for (size_t i = 0; i < l->n; i++) {
		int r = exec_node(ev, l->v[i], dot);

		if (r != 0)
			return r;
	}
	return 0;
}

int template_render(const char *tmpl, const struct jnode *n, char **ret, struct berr **err)
{
	struct sbuf out = {0};
	struct var vars[VARS_MAX];
	struct ev ev = {.out = &out, .vars = vars, .err = err};
	struct tlist l;
	struct val root;
	int r = tmpl_parse(tmpl, &l, err);

	if (r < 0)
		return r;
	r = ev_from_node(&ev, n, &root);
	if (r >= 0)
		r = set_var(&ev, "$", &root, false);
	if (r >= 0)
		r = ev_add(&ev, "", 0);
	if (r >= 0)
		r = exec_list(&ev, &l, &root);
	if (r > 0)
		r = berr_set(err, EINVAL, "template: break or continue outside range");
	tlist_done(&l);
	strv_free(ev.arena);
	for (size_t i = 0; i < ev.n_docs; i++)
		jdoc_free(ev.docs[i]);
	free(ev.docs);
	if (r < 0) {
		free(out.p);
		return r == -ENOMEM ? berr_set(err, ENOMEM, "out of memory") : r;
	}
	*ret = out.p;
	return 0;
}
