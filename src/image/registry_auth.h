/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Registry authentication: the WWW-Authenticate challenge (RFC 7235, as registries send
 * it: `Bearer realm="...",service="...",scope="..."` or `Basic realm="..."`), the token
 * answer, and the credentials file that `berth login` writes (docker's config.json
 * layout: {"auths": {"host": {"auth": base64("user:password")}}}, mode 0600).
 */
#ifndef BERTH_IMAGE_REGISTRY_AUTH_H
#define BERTH_IMAGE_REGISTRY_AUTH_H

#include <stddef.h>

#include "lib/err.h"

enum auth_scheme {
	AUTH_NONE,
	AUTH_BASIC,
	AUTH_BEARER,
};

struct auth_challenge {
	enum auth_scheme scheme;
	char *realm;
	char *service;
	char *scope;
};

/* Parse a WWW-Authenticate header value. Free ret with auth_challenge_done(). */
int auth_challenge_parse(const char *header, struct auth_challenge *ret, struct berr **err);
void auth_challenge_done(struct auth_challenge *c);

/* The token of a token server's JSON answer ("token" or "access_token"), malloc'd. */
int auth_token_parse(const char *buf, size_t len, char **ret, struct berr **err);

/* Credentials for server ("user:password", malloc'd) from path; 0 and NULL if none. */
int auth_file_get(const char *path, const char *server, char **ret, struct berr **err);

/* Store (userpass non-NULL) or remove (NULL) server's credentials in path. */
int auth_file_set(const char *path, const char *server, const char *userpass, struct berr **err);

/* base64 of len bytes (malloc'd), and back (NUL-terminated, malloc'd; -EINVAL if bad). */
char *base64_encode(const void *buf, size_t len);
int base64_decode(const char *s, char **ret, size_t *ret_len);

#endif
