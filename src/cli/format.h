/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Output as docker prints it: --format templates ("{{.ID}}\t{{.Repository}}",
 * "{{json .}}", a "table " prefix for a header row), columns aligned like Go's
 * tabwriter, sizes and ages in docker's words ("4.26MB", "3 weeks ago").
 */
#ifndef BERTH_CLI_FORMAT_H
#define BERTH_CLI_FORMAT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/err.h"
#include "cli/template.h"
#include "lib/json.h"

/* A table being built: header and rows rendered from one template. */
struct table;

/*
 * Start a table for template tmpl. headers maps field names to header text
 * ({"ID", "IMAGE ID", ...}, NULL-terminated pairs). -EINVAL with *err for a bad template.
 */
int table_new(const char *tmpl, const char *const *headers, struct table **ret, struct berr **err);
/* Render one row from the JSON object row. */
int table_add(struct table *t, const struct jnode *row, struct berr **err);
/* Print the rows (aligned when the template has tabs) and free the table. */
void table_print(struct table *t, FILE *out);
void table_free(struct table *t);

/* template_render(): template.h */

/* 4.26MB: decimal units, 3 significant digits after rounding (go-units HumanSize). */
const char *human_size(uint64_t bytes, char *buf, size_t size);

/* The same with precision significant digits (go-units HumanSizeWithPrecision). */
const char *human_size_precision(uint64_t bytes, int precision, char *buf, size_t size);

/* 4.5MiB: binary units, 4 significant digits (go-units BytesSize; docker stats' memory). */
const char *bytes_size(uint64_t bytes, char *buf, size_t size);

/* "3 weeks ago" for a time seconds ago (go-units HumanDuration). */
const char *human_ago(long long seconds, char *buf, size_t size);

#endif
