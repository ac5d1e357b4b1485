/* SPDX-License-Identifier: Apache-2.0 */
/*
 * --format: the part of Go's text/template that docker users' scripts use, evaluated on a
 * JSON document. Actions: {{.A.B}}, {{.}}, {{$}}, {{$x := PIPELINE}}, {{$x = PIPELINE}},
 * {{if}}/{{else if}}/{{else}}/{{end}}, {{range [$i,] [$v :=] PIPELINE}} (arrays; objects
 * in key order), {{with}}, {{break}}/{{continue}}, comment actions, "{{-" and "-}}"
 * trimming, pipelines with "|" and parentheses, string ("..." and `...`), number and
 * boolean literals. Functions: Go's and, or, not, len, index, slice, eq, ne, lt, le, gt,
 * ge, print, printf, println; docker's json, join, split, upper, lower, title, truncate,
 * pad. Values print as Go prints them: strings raw, [a b] for arrays, map[k:v] for
 * objects, an absent field as nothing.
 */
#ifndef BERTH_CLI_TEMPLATE_H
#define BERTH_CLI_TEMPLATE_H

#include "lib/err.h"
#include "lib/json.h"

/* Render tmpl once for the document n. The result is malloc'd; -EINVAL with *err. */
int template_render(const char *tmpl, const struct jnode *n, char **ret, struct berr **err);

#endif
