/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The run defaults of an image (its config's "config" object) as commit and build
 * change them: read from a parent image, changed by instructions (ENV, CMD, LABEL, ...),
 * written into the new image's config (Healthcheck and OnBuild included). Keys berth
 * does not know are not carried over.
 */
#ifndef BERTH_BUILD_RUN_CONFIG_H
#define BERTH_BUILD_RUN_CONFIG_H

#include <stdbool.h>

#include "image/image_health.h"
#include "image/store.h"
#include "lib/err.h"
#include "lib/json.h"

struct run_config {
	char *user, *working_dir, *stop_signal;
	char **env;	   /* "KEY=value" */
	char **cmd;	   /* NULL: none */
	char **entrypoint; /* NULL: none */
	char **shell;	   /* NULL: the default ["/bin/sh", "-c"] */
	char **labels;	   /* "key=value" */
	char **ports;	   /* "80/tcp" */
	char **volumes;	   /* "/data" */
	char **onbuild;	   /* ONBUILD triggers ("RUN echo hi"), NULL: none */
	struct image_health health;
};

/* rc from img's config (img NULL: scratch, everything empty). */
int run_config_from_image(const struct image *img, struct run_config *rc, struct berr **err);
void run_config_done(struct run_config *rc);
int run_config_copy(const struct run_config *from, struct run_config *to);

/* Put key=value into the "k=v" vector *v, replacing the entry of key. */
int run_config_set_kv(char ***v, const char *key, const char *value);

/* The "config" object of rc (a new jwriter). */
struct jwriter *run_config_json(const struct run_config *rc);

#endif
