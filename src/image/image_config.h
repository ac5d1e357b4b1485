/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image configurations (image-spec config.md; Docker's image JSON is the same shape),
 * parsed from untrusted bytes. The containers half of the engine reads the run defaults
 * (user, env, entrypoint, cmd, working dir, stop signal) from here.
 */
#ifndef BERTH_IMAGE_IMAGE_CONFIG_H
#define BERTH_IMAGE_IMAGE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "image/image_health.h"
#include "lib/err.h"
#include "lib/json.h"

struct image_history {
	char *created;
	char *created_by;
	char *author;
	char *comment;
	bool empty_layer;
};

struct image_config {
	char *architecture;
	char *os;
	char *variant;
	char *created; /* RFC 3339, or NULL */
	char *author;
	char **diff_ids; /* rootfs.diff_ids, NULL-terminated */
	size_t n_diff_ids;
	struct image_history *history;
	size_t n_history;
	/* config.config: the defaults of a container's process */
	char *user;
	char *working_dir;
	char *stop_signal;
	char **env;
	char **entrypoint;
	char **cmd;
	struct jdoc *doc; /* the parsed document, for inspect */
};

/* Parse an image config; the caller frees *ret with image_config_free(). */
int image_config_parse(const char *buf, size_t len, struct image_config **ret, struct berr **err);
struct image_config *image_config_free(struct image_config *c);
static inline void image_config_freep(struct image_config **c)
{
	*c = image_config_free(*c);
}
#define _cleanup_image_config_ __attribute__((cleanup(image_config_freep)))

/* The "config" object of the document (absent if none), for inspect. */
void image_config_run_node(const struct image_config *c, struct jnode *ret);

/* What a new single-layer image's config says (import, create-busybox). */
struct image_config_spec {
	const char *architecture, *os, *variant;
	const char *created; /* RFC 3339 */
	const char *diff_id;
	const char *created_by; /* history entry */
	const char *comment;
	char *const *env;
	char *const *cmd;
	char *const *entrypoint;
	const char *working_dir;
	const char *user;
	const char *stop_signal;
	char *const *labels;  /* "K=V" */
	char *const *exposed; /* "80/tcp" */
	char *const *volumes; /* "/data" */
	char *const *onbuild;
	const struct image_health *health; /* NULL or no test: none */
};

/* Serialise a config for spec (malloc'd; NULL on OOM). */
char *image_config_build(const struct image_config_spec *spec);

#endif
