/* SPDX-License-Identifier: Apache-2.0 */
/* The registry configuration file: mirrors and insecure registries. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "image/reference.h"
#include "image/registry_config.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/strv.h"

#define CONFIG_MAX (1u << 20)

struct registry_config *registry_config_free(struct registry_config *c)
{
	if (!c)
		return NULL;
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].registry);
		strv_free(c->v[i].urls);
	}
	free(c->v);
	strv_free(c->insecure);
	free(c);
	return NULL;
}

/* "HOST[:PORT]": no scheme, no path, no spaces. */
static bool valid_host(const char *s)
{
	return *s && !strpbrk(s, "/ \t@?#");
}

/* A mirror: http:// or https:// and a host, or a bare host (https). Normalised in place. */
static int check_mirror(const struct jnode *n, char **url, struct berr **err)
{
	const char *host = *url;
	char *full;
	size_t len;

	if (strncmp(host, "http://", 7) == 0)
		host += 7;
	else if (strncmp(host, "https://", 8) == 0)
		host += 8;
	else if (strstr(host, "://"))
		return jnode_err(n, err, EINVAL, "mirror '%s': the scheme must be http or https",
				 *url);
	len = strlen(host);
	if (len && host[len - 1] == '/')
		len--;
	if (!len || strcspn(host, "/ \t@?#") < len)
		return jnode_err(n, err, EINVAL, "mirror '%s': expected [http[s]://]HOST[:PORT]",
				 *url);
	if (asprintf(&full, "%s%.*s", host == *url ? "https://" : "", (int) (host - *url + len),
		     *url) < 0)
		return -ENOMEM;
	free(*url);
	*url = full;
	return 0;
}

static int read_mirror_list(const struct jnode *n, const char *registry, struct registry_config *c,
			    struct berr **err)
{
	struct registry_mirrors *v, *m;
	int r;

	if (!jnode_is_array(n))
		return jnode_err(n, err, EINVAL, "expected an array of mirror URLs");
	v = realloc(c->v, (c->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	c->v = v;
	m = &c->v[c->n];
	*m = (struct registry_mirrors){0};
	if (!(m->registry = strdup(registry)))
		return -ENOMEM;
	c->n++;
	r = jnode_strv(n, &m->urls, err);
	if (r < 0)
		return r;
	for (size_t i = 0; m->urls[i]; i++) {
		struct jnode e;

		jnode_array_at(n, i, &e);
		if ((r = check_mirror(&e, &m->urls[i], err)) < 0)
			return r;
	}
	return 0;
}

static int read_mirrors_member(const struct jnode *child, void *data, struct berr **err)
{
	struct image_ref ref = {0};
	_cleanup_free_ char *probe = NULL;
	int r;

	/* the key must be a registry domain as references write it */
	if (asprintf(&probe, "%s/x", child->key) < 0)
		return -ENOMEM;
	r = image_ref_parse(probe, false, &ref, NULL);
	if (r < 0 || strcmp(ref.domain, child->key) != 0) {
		image_ref_done(&ref);
		return jnode_err(child, err, EINVAL,
				 "'%s' is not a registry name (e.g. docker.io, quay.io, "
				 "localhost:5000)",
				 child->key);
	}
	image_ref_done(&ref);
	return read_mirror_list(child, child->key, data, err);
}

static int read_member(const struct jnode *child, void *data, struct berr **err)
{
	struct registry_config *c = data;
	int r;

	if (strcmp(child->key, "registry-mirrors") == 0)
		return read_mirror_list(child, REFERENCE_DEFAULT_DOMAIN, c, err);
	if (strcmp(child->key, "mirrors") == 0) {
		if (!jnode_is_object(child))
			return jnode_err(child, err, EINVAL,
					 "expected an object of registry: [mirror URLs]");
		return jnode_foreach_member(child, read_mirrors_member, c, err);
	}
	if (strcmp(child->key, "insecure-registries") == 0) {
		if (!jnode_is_array(child))
			return jnode_err(child, err, EINVAL, "expected an array of HOST[:PORT]");
		if ((r = jnode_strv(child, &c->insecure, err)) < 0)
			return r;
		STRV_FOREACH (h, c->insecure)
			if (!valid_host(*h))
				return jnode_err(child, err, EINVAL,
						 "'%s' is not HOST[:PORT] (no scheme or path)", *h);
		return 0;
	}
	return jnode_err(child, err, EINVAL,
			 "unknown key (known: registry-mirrors, mirrors, insecure-registries)");
}

static int parse(const char *buf, size_t len, const char *path, struct registry_config *c,
		 struct berr **err)
{
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	struct jnode root;
	int r;

	r = jdoc_parse(buf, len, path, &doc, err);
	if (r < 0)
		return r;
	jdoc_root(doc, &root);
	if (!jnode_is_object(&root))
		return berr_set(err, EINVAL, "expected a JSON object");
	return jnode_foreach_member(&root, read_member, c, err);
}

int registry_config_load(const char *path, bool missing_ok, struct registry_config **ret,
			 struct berr **err)
{
	_cleanup_free_ char *buf = NULL;
	struct registry_config *c;
	size_t len = 0;
	int r;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	r = read_file_at(AT_FDCWD, path, CONFIG_MAX, &buf, &len);
	if (r == -ENOENT && missing_ok) {
		*ret = c;
		return 0;
	}
	if (r < 0)
		r = berr_sys(err, -r, "cannot read");
	else
		r = parse(buf, len, path, c, err);
	if (r < 0) {
		if (r != -ENOMEM)
			berr_wrap(err, "registry configuration '%s'", path);
		registry_config_free(c);
		return r;
	}
	*ret = c;
	return 0;
}

char *const *registry_config_mirrors(const struct registry_config *c, const char *domain)
{
	if (!c)
		return NULL;
	/* the last list for a registry wins, as a later key in a JSON object would */
	for (size_t i = c->n; i > 0; i--)
		if (strcmp(c->v[i - 1].registry, domain) == 0)
			return c->v[i - 1].urls;
	return NULL;
}

bool registry_config_insecure(const struct registry_config *c, const char *host)
{
	return c && strv_contains(c->insecure, host);
}
