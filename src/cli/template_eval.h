/* SPDX-License-Identifier: Apache-2.0 */
/* What template_eval.c and template_funcs.c share: values, the evaluation, printing. */
#ifndef BERTH_CLI_TEMPLATE_EVAL_H
#define BERTH_CLI_TEMPLATE_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/json.h"
#include "lib/sbuf.h"

/* A value: a JSON scalar unpacked, or an array or object (a node of a document). */
enum vkind { V_MISSING, V_STR, V_INT, V_FLOAT, V_BOOL, V_NODE };

struct val {
	enum vkind k;
	const char *s; /* V_STR: owned by the evaluation's arena or the template */
	int64_t i;
	double f;
	bool b;
	struct jnode n; /* V_NODE */
};

struct var {
	const char *name;
	struct val v;
};

struct ev {
	struct sbuf *out;
	char **arena;	    /* strings the values point to */
	struct jdoc **docs; /* documents made while evaluating (split) */
	size_t n_docs;
	struct var *vars; /* VARS_MAX of them */
	size_t n_vars;
	struct berr **err;
};

/* Append to the output (bounded). */
int ev_add(struct ev *ev, const char *s, size_t n);
/* Keep s (malloc'd) until the evaluation ends; NULL on OOM (s freed). */
const char *ev_keep(struct ev *ev, char *s);
/* Keep doc until the evaluation ends. */
int ev_keep_doc(struct ev *ev, struct jdoc *doc);
/* The value of node n. */
int ev_from_node(struct ev *ev, const struct jnode *n, struct val *ret);
/* The member names of the object n, sorted (a strv the caller frees; NULL when none). */
int ev_object_keys(const struct jnode *n, char ***ret);
/* Go's truth: not false, 0, "", empty or absent. */
bool ev_truth(const struct val *v);
/* "string", "int", ... for messages. */
const char *ev_type_name(const struct val *v);

/* Print v as Go's fmt %v does (template_funcs.c) to the output, or into *ret (malloc'd). */
int ev_print(struct ev *ev, const struct val *v);
int ev_format(struct ev *ev, const struct val *v, const char **ret);

/* Call the function name with args (template_funcs.c). */
int tmpl_call(struct ev *ev, const char *name, const struct val *args, size_t n, struct val *ret);

/* print, printf, println (template_printf.c): a string value. */
int tmpl_print(struct ev *ev, const struct val *a, size_t n, struct val *ret);
int tmpl_printf(struct ev *ev, const struct val *a, size_t n, struct val *ret);
int tmpl_println(struct ev *ev, const struct val *a, size_t n, struct val *ret);

#endif
