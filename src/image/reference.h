/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image references as docker writes them (distribution's reference grammar):
 * [DOMAIN/]PATH[:TAG][@DIGEST], normalised the way docker does: "busybox" is
 * "docker.io/library/busybox:latest", "index.docker.io" is "docker.io", a first
 * component with a '.' or ':' (or "localhost") is a registry.
 */
#ifndef BERTH_IMAGE_REFERENCE_H
#define BERTH_IMAGE_REFERENCE_H

#include <stdbool.h>

#include "lib/err.h"

#define REFERENCE_DEFAULT_DOMAIN "docker.io"
#define REFERENCE_NAME_MAX 255

struct image_ref {
	char *domain; /* "docker.io", "127.0.0.1:5000" */
	char *path;   /* "library/busybox" */
	char *tag;    /* "latest"; NULL when only a digest was given */
	char *digest; /* "sha256:..." or NULL */
};

/*
 * Parse and normalise s. A reference with neither tag nor digest gets the tag "latest"
 * unless no_default_tag is set. On success the caller frees ret with image_ref_done().
 * Errors (-EINVAL) say what is wrong with which part.
 */
int image_ref_parse(const char *s, bool no_default_tag, struct image_ref *ret, struct berr **err);

void image_ref_done(struct image_ref *r);
#define _cleanup_image_ref_ __attribute__((cleanup(image_ref_done)))

/* "docker.io/library/busybox" (malloc'd; NULL on OOM). */
char *image_ref_repository(const struct image_ref *r);

/* The full normalised form: "domain/path:tag", "domain/path@digest" or both (malloc'd). */
char *image_ref_string(const struct image_ref *r);

/*
 * The short form docker prints for a normalised name: "docker.io/library/busybox:latest"
 * becomes "busybox:latest", "docker.io/user/x" becomes "user/x"; others are unchanged.
 * Returns a pointer into name.
 */
const char *image_ref_familiar(const char *name);

/* The host to talk to for domain: "registry-1.docker.io" for docker.io. */
const char *image_ref_api_host(const char *domain);

/* True when domain is a loopback registry (localhost, 127.0.0.0/8, [::1], with any port). */
bool image_ref_domain_is_local(const char *domain);

/* True when s could only be a tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}). */
bool image_ref_valid_tag(const char *s);

#endif
