/* SPDX-License-Identifier: Apache-2.0 */
/* Go text/template's syntax, the subset template.h lists, into template_internal.h's tree. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/template_internal.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

/* The actions and texts of a template, in order, with "{{-" / "-}}" trimming applied. */
struct item {
	bool action;
	char *s; /* the text, or the action's inside */
};

struct parser {
	struct item *items;
	size_t n, pos;
	int depth;
	struct berr **err;
};

/* Tokens inside one action. */
struct lexer {
	const char *p;
	struct berr **err;
};

static int fail(struct berr **err, const char *what, const char *near)
{
	return berr_set(err, EINVAL, "template: %s%s%s%s", what, near ? " near '" : "",
			near ? near : "", near ? "'" : "");
}

static void pipe_free(struct tpipe *p);

static void arg_done(struct targ *a)
{
	free(a->s);
	strv_free(a->fields);
	pipe_free(a->sub);
}

static void pipe_free(struct tpipe *p)
{
	if (!p)
		return;
	for (size_t c = 0; c < p->n; c++) {
		for (size_t i = 0; i < p->cmds[c].n; i++)
			arg_done(&p->cmds[c].args[i]);
		free(p->cmds[c].args);
	}
	free(p->cmds);
	free(p->decl[0]);
	free(p->decl[1]);
	free(p);
}

void tlist_done(struct tlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct tnode *n = l->v[i];

		free(n->text);
		pipe_free(n->pipe);
		tlist_done(&n->body);
		tlist_done(&n->alt);
		free(n);
	}
	free(l->v);
	*l = (struct tlist){0};
}

static int push_item(struct parser *ps, bool action, const char *s, size_t len)
{
	struct item *v = realloc(ps->items, (ps->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	ps->items = v;
	v[ps->n].action = action;
	if (!(v[ps->n].s = strndup(s, len)))
		return -ENOMEM;
	ps->n++;
	return 0;
}

/* Split tmpl into texts and actions. */
static int split_items(struct parser *ps, const char *tmpl)
{
	const char *p = tmpl;
	bool trim_next = false;

	while (*p) {
		const char *open = strstr(p, "{{"), *in, *close, *end;
		size_t len = open ? (size_t) (open - p) : strlen(p);
		bool trim_before = open && open[2] == '-' && isspace((unsigned char) open[3]);
		int r;

		if (trim_next)
			while (len > 0 && isspace((unsigned char) *p))
				p++, len--;
		while (trim_before && len > 0 && isspace((unsigned char) p[len - 1]))
			len--;
		if (len > 0 && (r = push_item(ps, false, p, len)) < 0)
			return r;
		if (!open)
			break;
		in = open + 2 + (trim_before ? 2 : 0);
		close = strstr(in, "}}");
		if (!close)
			return fail(ps->err, "unclosed action", open);
		end = close;
		trim_next =
			close - in >= 2 && close[-1] == '-' && isspace((unsigned char) close[-2]);
		if (trim_next)
			end = close - 2;
		if (strncmp(in, "/*", 2) != 0 &&
		    (r = push_item(ps, true, in, (size_t) (end - in))) < 0)
			return r;
		p = close + 2;
	}
	return 0;
}

static void skip_space(struct lexer *lx)
{
	while (isspace((unsigned char) *lx->p))
		lx->p++;
}

static bool ident_char(char c)
{
	return isalnum((unsigned char) c) || c == '_';
}

/* ".A.B" at lx->p (after the operand's start): the field names. */
static int field_chain(struct lexer *lx, char ***ret)
{
	while (*lx->p == '.' && ident_char(lx->p[1])) {
		const char *s = ++lx->p;

		while (ident_char(*lx->p))
			lx->p++;
		if (strv_consume(ret, strndup(s, (size_t) (lx->p - s))) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int string_literal(struct lexer *lx, struct targ *a)
{
	char q = *lx->p++, *o;

	a->kind = TARG_STRING;
	if (!(a->s = o = malloc(strlen(lx->p) + 1)))
		return -ENOMEM;
	for (; *lx->p && *lx->p != q; lx->p++) {
		if (q == '"' && *lx->p == '\\' && lx->p[1]) {
			static const char from[] = "nt\\\"r", to[] = "\n\t\\\"\r";
			const char *e = strchr(from, *++lx->p);

			if (!e)
				return fail(lx->err, "unknown escape in string", lx->p - 1);
			*o++ = to[e - from];
		} else
			*o++ = *lx->p;
	}
	*o = '\0';
	if (*lx->p != q)
		return fail(lx->err, "unterminated string", NULL);
	lx->p++;
	return 0;
}

static int number_literal(struct lexer *lx, struct targ *a)
{
	char *end;
	long long i;

	errno = 0;
	i = strtoll(lx->p, &end, 0);
	if (!errno && !(*end == '.' || *end == 'e' || *end == 'E')) {
		a->kind = TARG_INT;
		a->i = i;
	} else {
		a->kind = TARG_FLOAT;
		a->f = strtod(lx->p, &end);
	}
	if (ident_char(*end) || *end == '.')
		return fail(lx->err, "bad number", lx->p);
	lx->p = end;
	return 0;
}

static int parse_pipe(struct lexer *lx, int depth, bool in_parens, struct tpipe **ret);

static int word(struct lexer *lx, struct targ *a)
{
	const char *s = lx->p;

	while (ident_char(*lx->p))
		lx->p++;
	a->s = strndup(s, (size_t) (lx->p - s));
	if (!a->s)
		return -ENOMEM;
	if (strcmp(a->s, "true") == 0 || strcmp(a->s, "false") == 0) {
		a->kind = TARG_BOOL;
		a->b = a->s[0] == 't';
	} else if (strcmp(a->s, "nil") == 0)
		a->kind = TARG_NIL;
	else
		a->kind = TARG_IDENT;
	return 0;
}

/* One operand at lx->p. */
static int operand(struct lexer *lx, int depth, struct targ *a)
{
	char c = *lx->p;

	if (c == '.') {
		a->kind = TARG_FIELD;
		if (!ident_char(lx->p[1]))
			lx->p++;
		return field_chain(lx, &a->fields);
	}
	if (c == '$') {
		const char *s = lx->p++;

		while (ident_char(*lx->p))
			lx->p++;
		a->kind = TARG_VAR;
		if (!(a->s = strndup(s, (size_t) (lx->p - s))))
			return -ENOMEM;
		return field_chain(lx, &a->fields);
	}
	if (c == '"' || c == '`')
		return string_literal(lx, a);
	if (isdigit((unsigned char) c) ||
	    ((c == '-' || c == '+') && isdigit((unsigned char) lx->p[1])))
		return number_literal(lx, a);
	if (c == '(') {
		int r;

		if (depth >= TMPL_MAX_DEPTH)
			return fail(lx->err, "nested too deeply", NULL);
		lx->p++;
		a->kind = TARG_PIPE;
		if ((r = parse_pipe(lx, depth + 1, true, &a->sub)) < 0)
			return r;
		return field_chain(lx, &a->fields);
	}
	if (isalpha((unsigned char) c) || c == '_')
		return word(lx, a);
	return fail(lx->err, "unexpected character", lx->p);
}

static int parse_cmd(struct lexer *lx, int depth, struct tcmd *cmd)
{
	for (;;) {
		struct targ *v;
		int r;

		skip_space(lx);
		if (!*lx->p || *lx->p == '|' || *lx->p == ')')
			return cmd->n ? 0 : fail(lx->err, "missing value for command", NULL);
		v = realloc(cmd->args, (cmd->n + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		cmd->args = v;
		v[cmd->n] = (struct targ){0};
		r = operand(lx, depth, &v[cmd->n]);
		cmd->n++;
		if (r < 0)
			return r;
		if (*lx->p && !isspace((unsigned char) *lx->p) && *lx->p != '|' && *lx->p != ')')
			return fail(lx->err, "unexpected character", lx->p);
	}
}

/* "$x :=", "$x =", "$i, $v :=" at the start of a pipeline. */
static int declarations(struct lexer *lx, struct tpipe *p)
{
	const char *save = lx->p;

	for (int k = 0; k < 2 && *lx->p == '$'; k++) {
		const char *s = lx->p++;

		while (ident_char(*lx->p))
			lx->p++;
		if (!(p->decl[k] = strndup(s, (size_t) (lx->p - s))))
			return -ENOMEM;
		skip_space(lx);
		if (strncmp(lx->p, ":=", 2) == 0 || (*lx->p == '=' && lx->p[1] != '=')) {
			p->assign = *lx->p == '=';
			lx->p += p->assign ? 1 : 2;
			return 0;
		}
		if (*lx->p != ',' || k == 1)
			break;
		lx->p++;
		skip_space(lx);
	}
	free(p->decl[0]);
	free(p->decl[1]);
	p->decl[0] = p->decl[1] = NULL;
	lx->p = save;
	return 0;
}

static int parse_pipe(struct lexer *lx, int depth, bool in_parens, struct tpipe **ret)
{
	struct tpipe *p = calloc(1, sizeof(*p));
	int r;

	if (!p)
		return -ENOMEM;
	skip_space(lx);
	r = in_parens ? 0 : declarations(lx, p);
	while (r >= 0) {
		struct tcmd *v = realloc(p->cmds, (p->n + 1) * sizeof(*v));

		if (!v) {
			r = -ENOMEM;
			break;
		}
		p->cmds = v;
		v[p->n] = (struct tcmd){0};
		r = parse_cmd(lx, depth, &v[p->n++]);
		if (r < 0 || *lx->p != '|')
			break;
		lx->p++;
	}
	if (r >= 0 && in_parens && *lx->p++ != ')')
		r = fail(lx->err, "unclosed left paren", NULL);
	if (r >= 0 && !in_parens && *lx->p)
		r = fail(lx->err, "unexpected ')'", lx->p);
	if (r < 0) {
		pipe_free(p);
		return r;
	}
	*ret = p;
	return 0;
}

static int list_push(struct tlist *l, struct tnode *n)
{
	struct tnode **v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->v = v;
	v[l->n++] = n;
	return 0;
}

/* The keyword an action starts with ("end", "else", ...), and what follows it. */
static bool keyword(const char *action, const char *kw, const char **rest)
{
	size_t len = strlen(kw);

	while (isspace((unsigned char) *action))
		action++;
	if (strncmp(action, kw, len) != 0 || ident_char(action[len]))
		return false;
	*rest = action + len;
	return true;
}

static int parse_list(struct parser *ps, struct tlist *l, const char **ret_stop);

/* {{if}}, {{range}}, {{with}}: the pipeline, the body, an optional else, the end. */
static int parse_block(struct parser *ps, enum tnode_kind kind, const char *rest, struct tnode *n)
{
	struct lexer lx = {rest, ps->err};
	const char *stop = NULL, *after;
	int r;

	if (ps->depth >= TMPL_MAX_DEPTH)
		return fail(ps->err, "nested too deeply", NULL);
	n->kind = kind;
	if ((r = parse_pipe(&lx, 0, false, &n->pipe)) < 0)
		return r;
	ps->depth++;
	r = parse_list(ps, &n->body, &stop);
	if (r >= 0 && stop && keyword(stop, "else", &after)) {
		const char *elif;

		if (kind == TNODE_IF && keyword(after, "if", &elif)) {
			struct tnode *inner = calloc(1, sizeof(*inner));

			if (!inner || list_push(&n->alt, inner) < 0) {
				free(inner);
				r = -ENOMEM;
			} else
				r = parse_block(ps, TNODE_IF, elif, inner);
			ps->depth--;
			return r;
		}
		for (const char *c = after; r >= 0 && *c; c++)
			if (!isspace((unsigned char) *c))
				r = fail(ps->err, "unexpected words after else", after);
		if (r >= 0)
			r = parse_list(ps, &n->alt, &stop);
	}
	ps->depth--;
	if (r >= 0 && (!stop || !keyword(stop, "end", &after)))
		r = fail(ps->err, "unexpected EOF: missing {{end}}", NULL);
	return r;
}

static int parse_action(struct parser *ps, const char *s, struct tnode *n)
{
	static const struct {
		const char *kw;
		enum tnode_kind kind;
	} blocks[] = {{"if", TNODE_IF}, {"range", TNODE_RANGE}, {"with", TNODE_WITH}};
	struct lexer lx = {s, ps->err};
	const char *rest;

	for (size_t i = 0; i < sizeof(blocks) / sizeof(*blocks); i++)
		if (keyword(s, blocks[i].kw, &rest))
			return parse_block(ps, blocks[i].kind, rest, n);
	if (keyword(s, "break", &rest) || keyword(s, "continue", &rest)) {
		n->kind = s[strspn(s, " \t\n")] == 'b' ? TNODE_BREAK : TNODE_CONTINUE;
		return 0;
	}
	n->kind = TNODE_ACTION;
	return parse_pipe(&lx, 0, false, &n->pipe);
}

/* Nodes up to the end of the template, or to an {{else}} / {{end}} (*ret_stop). */
static int parse_list(struct parser *ps, struct tlist *l, const char **ret_stop)
{
	*ret_stop = NULL;
	while (ps->pos < ps->n) {
		struct item *it = &ps->items[ps->pos++];
		struct tnode *n;
		const char *rest;
		int r;

		if (it->action && (keyword(it->s, "end", &rest) || keyword(it->s, "else", &rest))) {
			if (ps->depth == 0)
				return fail(ps->err, "unexpected", it->s);
			*ret_stop = it->s;
			return 0;
		}
		if (!(n = calloc(1, sizeof(*n))) || list_push(l, n) < 0) {
			free(n);
			return -ENOMEM;
		}
		if (!it->action) {
			n->kind = TNODE_TEXT;
			n->text = TAKE_PTR(it->s);
			continue;
		}
		if ((r = parse_action(ps, it->s, n)) < 0)
			return r;
	}
	return 0;
}

int tmpl_parse(const char *tmpl, struct tlist *ret, struct berr **err)
{
	struct parser ps = {.err = err};
	const char *stop;
	int r = split_items(&ps, tmpl);

	*ret = (struct tlist){0};
	if (r >= 0)
		r = parse_list(&ps, ret, &stop);
	for (size_t i = 0; i < ps.n; i++)
		free(ps.items[i].s);
	free(ps.items);
	if (r < 0) {
		tlist_done(ret);
		return r == -ENOMEM ? berr_set(err, ENOMEM, "out of memory") : r;
	}
	return 0;
}
