/* SPDX-License-Identifier: Apache-2.0 */
/* Containers as docker shows them: a `ps` row and `inspect`'s document. */
#ifndef BERTH_CLI_CONTAINER_JSON_H
#define BERTH_CLI_CONTAINER_JSON_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/container_store.h"
#include "lib/json.h"

/*
 * One row of ps as a JSON object (ID, Image, Command, Status, ...), malloc'd. image is
 * what the IMAGE column shows (the reference, or the id once it names another image).
 */
char *container_ps_row_json(const struct container *c, const char *image, const char *ports,
			    bool no_trunc);

/* docker's STATUS ("Up 5 seconds (healthy)") and quoted COMMAND texts (malloc'd). */
char *container_status_text(const struct container *c);
char *container_command_text(const struct container *c, bool no_trunc);

/* inspect's document of the container ref (the caller frees it); NULL if there is none. */
struct jwriter *container_inspect_json(struct engine *e, const char *ref);

/* Print format rendered for the document doc (inspect --format); -EINVAL after reporting. */
int inspect_render(struct jwriter *doc, const char *format, FILE *out);

#endif
