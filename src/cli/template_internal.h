/* SPDX-License-Identifier: Apache-2.0 */
/* The parsed form of a template (template_parse.c), which template_eval.c runs. */
#ifndef BERTH_CLI_TEMPLATE_INTERNAL_H
#define BERTH_CLI_TEMPLATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define TMPL_MAX_DEPTH 64 /* nesting of blocks and parentheses */

enum targ_kind {
	TARG_FIELD,  /* .A.B on dot ("." alone: no fields) */
	TARG_VAR,    /* $x.A.B ("$": the root) */
	TARG_STRING, /* "..." or `...` */
	TARG_INT,
	TARG_FLOAT,
	TARG_BOOL,
	TARG_NIL,
	TARG_IDENT, /* a function name */
	TARG_PIPE,  /* ( PIPELINE ), then optional .A.B */
};

struct tpipe;

struct targ {
	enum targ_kind kind;
	char *s;       /* string literal, variable or function name */
	char **fields; /* strv: the chain of field names */
	int64_t i;
	double f;
	bool b;
	struct tpipe *sub;
};

struct tcmd {
	struct targ *args;
	size_t n;
};

struct tpipe {
	char *decl[2]; /* $x := (decl[0]); range $i, $v := (decl[0], decl[1]) */
	bool assign;   /* $x = (not :=) */
	struct tcmd *cmds;
	size_t n;
};

enum tnode_kind {
	TNODE_TEXT,
	TNODE_ACTION,
	TNODE_IF,
	TNODE_RANGE,
	TNODE_WITH,
	TNODE_BREAK,
	TNODE_CONTINUE,
};

struct tnode;

struct tlist {
	struct tnode **v;
	size_t n;
};

struct tnode {
	enum tnode_kind kind;
	char *text; /* TNODE_TEXT */
	struct tpipe *pipe;
	struct tlist body, alt; /* then / else */
};

/* Parse tmpl into *ret (free with tlist_done()); -EINVAL with "template: ..." in *err. */
int tmpl_parse(const char *tmpl, struct tlist *ret, struct berr **err);
void tlist_done(struct tlist *l);

#endif
