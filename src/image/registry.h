/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pull and push over the distribution API (distribution-spec spec.md) with libcurl:
 * Docker Hub names, bearer tokens from the WWW-Authenticate challenge, basic auth from
 * `berth login`'s credentials, manifest lists and OCI indexes with the platform choice,
 * docker schema 2 and OCI manifests, every digest verified, layers downloaded in
 * parallel (one curl multi handle, no threads) and resumed with Range after a kill.
 */
#ifndef BERTH_IMAGE_REGISTRY_H
#define BERTH_IMAGE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/digest.h"
#include "image/registry_config.h"
#include "image/store.h"
#include "lib/err.h"

struct registry_opts {
	const char *auth_file; /* credentials file (berth login) */
	const char *creds;     /* "user:password" for any registry, before auth_file's */
	bool tls_verify;       /* false: accept any certificate, and plain http */
	const char *platform;  /* "os/arch[/variant]"; NULL: this machine's */
	long limit_rate;       /* bytes per second per download, 0: unlimited (tests) */
	int max_parallel;      /* layer downloads at once; 0: 3 as docker */
	bool debug;	       /* log each request at debug level */
	/* mirrors and insecure registries (registries.json); NULL: none */
	const struct registry_config *config;
};

enum pull_event {
	PULL_LAYER_WAITING,
	PULL_LAYER_EXISTS,
	PULL_LAYER_DOWNLOADING,
	PULL_LAYER_RESUMING,
	PULL_LAYER_DOWNLOADED,
	PULL_LAYER_EXTRACTING,
	PULL_LAYER_DONE,
	PULL_LAYER_PUSHING,
	PULL_LAYER_PUSHED,
	PULL_LAYER_MOUNTED,
};

/* Where pull and push report progress (the CLI draws it; a NULL fn is skipped). */
struct pull_progress {
	void (*layer)(void *data, size_t index, const char *digest, enum pull_event ev,
		      uint64_t done, uint64_t total);
	void (*message)(void *data, const char *text);
	void *data;
};

struct pull_result {
	char id[DIGEST_MAX];	 /* image id */
	char digest[DIGEST_MAX]; /* manifest (or index) digest */
	char *name;		 /* normalised name with tag or digest */
	bool updated;		 /* the name now points to a different image */
};

void pull_result_done(struct pull_result *r);

/* Pull ref into the store. */
int image_pull(struct image_store *s, const char *ref, const struct registry_opts *o,
	       const struct pull_progress *p, struct pull_result *ret, struct berr **err);

/*
 * Push the local image src to dest (NULL: src's own name). *ret_digest gets the
 * manifest digest as the registry has it.
 */
int image_push(struct image_store *s, const char *src, const char *dest,
	       const struct registry_opts *o, const struct pull_progress *p,
	       char ret_digest[DIGEST_MAX], struct berr **err);

/*
 * Check user and password against server's registry (GET /v2/ with the challenge it
 * answers), then save them in auth_file (mode 0600, docker's config.json layout; a NULL
 * auth_file: only the check, as the API's /auth). -EACCES for credentials refused.
 */
int registry_login(const struct registry_opts *o, const char *server, const char *user,
		   const char *password, struct berr **err);

/* Forget server's credentials; -ENOENT when there were none. */
int registry_logout(const struct registry_opts *o, const char *server, struct berr **err);

#endif
