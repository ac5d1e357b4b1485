/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One registry repository spoken to over HTTP(S) with libcurl: the base URL (https, or
 * http for loopback registries and with tls_verify off when TLS fails), credentials,
 * the challenge/token dance, and requests whose answers are kept in memory.
 */
#ifndef BERTH_IMAGE_REGISTRY_HTTP_H
#define BERTH_IMAGE_REGISTRY_HTTP_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/registry.h"
#include "image/registry_auth.h"
#include "lib/err.h"

struct reg_client {
	const struct registry_opts *o;
	char *domain;	 /* as written in references: "docker.io", "127.0.0.1:5000" */
	char *repo;	 /* "library/busybox" */
	char *base;	 /* "https://registry-1.docker.io" */
	char *creds;	 /* "user:password" or NULL */
	char *bearer;	 /* the token for repo:actions, or NULL */
	bool basic;	 /* send creds as basic auth */
	bool tls_verify; /* the options' unless the registry is insecure */
	bool http_fallback_done;
	const char *actions; /* "pull" or "pull,push" */
};

struct reg_response {
	long status;
	char *body;
	size_t len;
	size_t max; /* larger bodies fail */
	char *content_type;
	char *docker_digest;
	char *location;
	char *www_auth;
	char *range;
};

/* A body to send: memory, or an fd read from offset 0 for size bytes. */
struct reg_body {
	const char *mem;
	int fd;
	uint64_t size;
	uint64_t off;
	const char *content_type;
};

int reg_client_new(const struct registry_opts *o, const char *domain, const char *repo,
		   const char *actions, struct reg_client **ret, struct berr **err);
/* A client of a mirror at url ("http://127.0.0.1:5000"), for pulls of repo. */
int reg_client_new_mirror(const struct registry_opts *o, const char *url, const char *repo,
			  struct reg_client **ret, struct berr **err);
struct reg_client *reg_client_free(struct reg_client *c);

void reg_response_done(struct reg_response *r);

/*
 * method ("GET", "HEAD", "PUT", "POST") on path (from the base: "/v2/..."; or an
 * absolute URL), authenticating and retrying once on 401. accept may be NULL; body may
 * be NULL. The answer's status, headers and body are in *resp (the caller checks the
 * status). -errno with *err only for transport failures.
 */
int reg_request(struct reg_client *c, const char *method, const char *path, const char *accept,
		struct reg_body *body, struct reg_response *resp, struct berr **err);

/*
 * A handle for GET path, with the client's TLS options and credentials, for the caller
 * to drive (parallel blob downloads). headers must be freed with curl_slist_free_all().
 */
CURL *reg_easy_get(struct reg_client *c, const char *path, struct curl_slist **headers);

/* "registry says: <first error message of the JSON body>" for a failed answer. */
int reg_error(const struct reg_response *resp, const char *what, struct berr **err);

#endif
