/* SPDX-License-Identifier: Apache-2.0 */
#include "image/reference.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/digest.h"
#include "lib/cleanup.h"

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* */
static bool valid_component(const char *s, size_t len)
{
	size_t i = 0;

	if (len == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[len - 1]))
		return false;
	while (i < len) {
		if (is_lower_alnum(s[i])) {
			i++;
			continue;
		}
		if (s[i] == '.' || s[i] == '_') {
			size_t n = 1;

			if (s[i] == '_' && i + 1 < len && s[i + 1] == '_')
				n = 2;
			i += n;
		} else if (s[i] == '-') {
			while (i < len && s[i] == '-')
				i++;
		} else {
			return false;
		}
		if (i >= len || !is_lower_alnum(s[i]))
			return false;
	}
	return true;
}

static bool valid_path(const char *s)
{
	while (*s) {
		const char *slash = strchrnul(s, '/');

		if (!valid_component(s, (size_t) (slash - s)))
			return false;
		if (!*slash)
			return true;
		s = slash + 1;
		if (!*s)
			return false;
	}
	return false;
}

/* host[:port]: dot-separated labels of [A-Za-z0-9-] (no leading/trailing '-'), or [ipv6]. */
static bool valid_domain(const char *s)
{
	const char *port = NULL;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || end == s + 1)
			return false;
		for (const char *p = s + 1; p < end; p++)
			if (!isxdigit((unsigned char) *p) && *p != ':' && *p != '.')
				return false;
		port = end[1] == ':' ? end + 2 : NULL;
		if (!port && end[1])
			return false;
	} else {
		const char *colon = strchr(s, ':');
		size_t hlen = colon ? (size_t) (colon - s) : strlen(s);
		size_t label = 0;

		if (hlen == 0)
			return false;
		for (size_t i = 0; i < hlen; i++) {
			char c = s[i];

			if (c == '.') {
				if (label == 0 || s[i - 1] == '-')
					return false;
				label = 0;
				continue;
			}
			if (!isalnum((unsigned char) c) && c != '-')
				return false;
			if (c == '-' && label == 0)
				return false;
			label++;
		}
		if (label == 0 || s[hlen - 1] == '-')
			return false;
		port = colon ? colon + 1 : NULL;
	}
	if (port) {
		if (!*port || strlen(port) > 5)
			return false;
		for (const char *p = port; *p; p++)
			if (!isdigit((unsigned char) *p))
				return false;
	}
	return true;
}

bool image_ref_valid_tag(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 128 || !(isalnum((unsigned char) s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char) s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}

void image_ref_done(struct image_ref *r)
{
	free(r->domain);
	free(r->path);
	free(r->tag);
	free(r->digest);
	*r = (struct image_ref){0};
}

/* Split "name[:tag]" at the tag's colon (one after the last '/'). */
static int split_tag(char *name, char **ret_tag)
{
	char *colon = strrchr(name, ':');
	char *slash = strrchr(name, '/');

	*ret_tag = NULL;
	if (colon && (!slash || colon > slash)) {
		*colon = '\0';
		*ret_tag = colon + 1;
	}
	return 0;
}

static bool first_is_domain(const char *name, size_t len)
{
	if (len == 9 && strncmp(name, "localhost", 9) == 0)
		return true;
	for (size_t i = 0; i < len; i++)
		if (name[i] == '.' || name[i] == ':' || (name[i] >= 'A' && name[i] <= 'Z'))
			return true;
	return false;
}

static int split_domain(const char *name, struct image_ref *r)
{
	const char *slash = strchr(name, '/');
	const char *rest = name;

	if (slash && first_is_domain(name, (size_t) (slash - name))) {
		r->domain = strndup(name, (size_t) (slash - name));
		rest = slash + 1;
	} else {
		r->domain = strdup(REFERENCE_DEFAULT_DOMAIN);
	}
	if (!r->domain)
		return -ENOMEM;
	if (strcmp(r->domain, "index.docker.io") == 0) {
		free(r->domain);
		r->domain = strdup(REFERENCE_DEFAULT_DOMAIN);
		if (!r->domain)
			return -ENOMEM;
	}
	if (strcmp(r->domain, REFERENCE_DEFAULT_DOMAIN) == 0 && !strchr(rest, '/')) {
		if (asprintf(&r->path, "library/%s", rest) < 0)
			r->path = NULL;
	} else {
		r->path = strdup(rest);
	}
	return r->path ? 0 : -ENOMEM;
}

static int parse_parts(char *s, bool no_default_tag, struct image_ref *r, struct berr **err)
{
	char *at = strchr(s, '@'), *tag;
	int k;

	if (at) {
		*at = '\0';
		k = digest_validate(at + 1, NULL);
		if (k == -EOPNOTSUPP)
			return berr_set(err, EINVAL, "unsupported digest algorithm in '%s'",
					at + 1);
		if (k < 0)
			return berr_set(err, EINVAL, "invalid digest '%s'", at + 1);
		r->digest = strdup(at + 1);
		if (!r->digest)
			return -ENOMEM;
	}
	split_tag(s, &tag);
	if (tag && !image_ref_valid_tag(tag))
		return berr_set(err, EINVAL, "invalid tag '%s'", tag);
	if (!*s)
		return berr_set(err, EINVAL, "missing repository name");
	if (strlen(s) > REFERENCE_NAME_MAX)
		return berr_set(err, EINVAL, "repository name longer than %d characters",
				REFERENCE_NAME_MAX);
	if (tag || (!r->digest && !no_default_tag)) {
		r->tag = strdup(tag ? tag : "latest");
		if (!r->tag)
			return -ENOMEM;
	}
	if (split_domain(s, r) < 0)
		return -ENOMEM;
	if (!valid_domain(r->domain))
		return berr_set(err, EINVAL, "invalid registry '%s'", r->domain);
	if (!valid_path(r->path)) {
		for (const char *p = r->path; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				return berr_set(err, EINVAL, "repository name must be lowercase");
		return berr_set(err, EINVAL, "invalid repository name '%s'", r->path);
	}
	return 0;
}

int image_ref_parse(const char *s, bool no_default_tag, struct image_ref *ret, struct berr **err)
{
	_cleanup_free_ char *copy = NULL;
	struct image_ref r = {0};
	int k;

	if (!s || !*s)
		return berr_set(err, EINVAL, "invalid reference format: empty");
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	k = parse_parts(copy, no_default_tag, &r, err);
	if (k < 0) {
		image_ref_done(&r);
		if (k == -ENOMEM)
			return k;
		return berr_wrap(err, "invalid reference '%s'", s);
	}
	*ret = r;
	return 0;
}

char *image_ref_repository(const struct image_ref *r)
{
	char *s;

	if (asprintf(&s, "%s/%s", r->domain, r->path) < 0)
		return NULL;
	return s;
}

char *image_ref_string(const struct image_ref *r)
{
	char *s;

	if (asprintf(&s, "%s/%s%s%s%s%s", r->domain, r->path, r->tag ? ":" : "",
		     r->tag ? r->tag : "", r->digest ? "@" : "", r->digest ? r->digest : "") < 0)
		return NULL;
	return s;
}

const char *image_ref_familiar(const char *name)
{
	static const char lib[] = "docker.io/library/", hub[] = "docker.io/";

	if (strncmp(name, lib, sizeof(lib) - 1) == 0 && !strchr(name + sizeof(lib) - 1, '/'))
		return name + sizeof(lib) - 1;
	if (strncmp(name, hub, sizeof(hub) - 1) == 0)
		return name + sizeof(hub) - 1;
	return name;
}

const char *image_ref_api_host(const char *domain)
{
	return strcmp(domain, REFERENCE_DEFAULT_DOMAIN) == 0 ? "registry-1.docker.io" : domain;
}

bool image_ref_domain_is_local(const char *domain)
{
	size_t n;

	if (strncmp(domain, "localhost", 9) == 0 && (domain[9] == '\0' || domain[9] == ':'))
		return true;
	if (strncmp(domain, "[::1]", 5) == 0 && (domain[5] == '\0' || domain[5] == ':'))
		return true;
	if (strncmp(domain, "127.", 4) != 0)
		return false;
	n = strspn(domain + 4, "0123456789.");
	return domain[4 + n] == '\0' || domain[4 + n] == ':';
}
