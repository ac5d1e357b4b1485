/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The per-layer progress display of pull and push, like docker's: on a terminal one line
 * per layer, redrawn in place ("a1b2c3d4e5f6: Downloading [====>    ]  1.2MB/2.3MB");
 * elsewhere only each layer's final state; nothing when quiet.
 */
#ifndef BERTH_CLI_PULL_PROGRESS_H
#define BERTH_CLI_PULL_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

#include "image/registry.h"

struct progress_view;

struct progress_view *progress_view_new(FILE *out, bool quiet);
void progress_view_free(struct progress_view *v);
/* The callbacks to hand to image_pull()/image_push(). */
void progress_view_bind(struct progress_view *v, struct pull_progress *p);
/* Print a line of its own (below the layer lines). */
void progress_view_line(struct progress_view *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
