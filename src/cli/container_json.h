/* SPDX-License-Identifier: Apache-2.0 */
/* Containers as docker shows them: a `ps` row and `inspect`'s document. */
#ifndef BERTH_CLI_CONTAINER_JSON_H
#define BERTH_CLI_CONTAINER_JSON_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/container_store.h"

/* One row of ps as a JSON object (ID, Image, Command, Status, ...), malloc'd. */
char *container_ps_row_json(const struct container *c, bool no_trunc);

/* `berth inspect` of refs: a JSON array, or each rendered with format. Exit code. */
int container_inspect_print(struct engine *e, char *const *refs, const char *format, FILE *out);

#endif
