/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where images come from: the registry configuration file (default
 * /etc/berth/registries.json), in the keys of docker's daemon.json plus per-registry
 * mirrors:
 *
 *   {"registry-mirrors": ["https://mirror.example"],       mirrors of docker.io
 *    "mirrors": {"quay.io": ["http://127.0.0.1:5001"]},    mirrors of any registry
 *    "insecure-registries": ["127.0.0.1:5000"]}            http and no TLS verification
 *
 * Mirrors are tried in order, then the registry itself. A mirror is "http://HOST[:PORT]",
 * "https://HOST[:PORT]" or "HOST[:PORT]" (https).
 */
#ifndef BERTH_IMAGE_REGISTRY_CONFIG_H
#define BERTH_IMAGE_REGISTRY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

#define REGISTRY_CONFIG_DEFAULT "/etc/berth/registries.json"

struct registry_mirrors {
	char *registry; /* "docker.io" */
	char **urls;	/* "http://127.0.0.1:5000", ... (NULL-terminated) */
};

struct registry_config {
	struct registry_mirrors *v;
	size_t n;
	char **insecure; /* "HOST[:PORT]" (NULL-terminated) */
};

/*
 * Load path. A missing file is an empty configuration when missing_ok (the default
 * path), an error otherwise. Errors say which file and which key.
 */
int registry_config_load(const char *path, bool missing_ok, struct registry_config **ret,
			 struct berr **err);
struct registry_config *registry_config_free(struct registry_config *c);
static inline void registry_config_freep(struct registry_config **c)
{
	*c = registry_config_free(*c);
}

/* The mirrors of registry domain (NULL-terminated; NULL when none or c is NULL). */
char *const *registry_config_mirrors(const struct registry_config *c, const char *domain);

/* True when host ("HOST[:PORT]") is listed as insecure. */
bool registry_config_insecure(const struct registry_config *c, const char *host);

#endif
