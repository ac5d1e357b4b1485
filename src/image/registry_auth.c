/* SPDX-License-Identifier: Apache-2.0 */
#include "image/registry_auth.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/json.h"

#define AUTH_FILE_MAX (1u << 20)
#define CHALLENGE_MAX 8192

void auth_challenge_done(struct auth_challenge *c)
{
	free(c->realm);
	free(c->service);
	free(c->scope);
	*c = (struct auth_challenge){0};
}

/* One auth-param value: a quoted-string (with \-escapes) or a token; advances *p. */
static int param_value(const char **p, char **ret)
{
	const char *s = *p;
	char *out = malloc(strlen(s) + 1), *o = out;

	if (!out)
		return -ENOMEM;
	if (*s == '"') {
		for (s++; *s && *s != '"'; s++) {
			if (*s == '\\' && s[1])
				s++;
			*o++ = *s;
		}
		if (*s != '"') {
			free(out);
			return -EINVAL;
		}
		s++;
	} else {
		while (*s && *s != ',' && *s != ' ' && *s != '\t')
			*o++ = *s++;
	}
	*o = '\0';
	*p = s;
	*ret = out;
	return 0;
}

static int set_param(struct auth_challenge *c, const char *key, size_t klen, char *value)
{
	char **dst = NULL;

	if (klen == 5 && strncasecmp(key, "realm", 5) == 0)
		dst = &c->realm;
	else if (klen == 7 && strncasecmp(key, "service", 7) == 0)
		dst = &c->service;
	else if (klen == 5 && strncasecmp(key, "scope", 5) == 0)
		dst = &c->scope;
	if (!dst) {
		free(value);
		return 0;
	}
	free(*dst);
	*dst = value;
	return 0;
}

static int parse_params(const char *p, struct auth_challenge *c)
{
	while (*p) {
		const char *key;
		size_t klen;
		char *value;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		key = p;
		while (*p && *p != '=' && *p != ' ' && *p != ',')
			p++;
		klen = (size_t) (p - key);
		if (*p != '=' || klen == 0)
			return -EINVAL;
		p++;
		if (param_value(&p, &value) < 0)
			return -EINVAL;
		set_param(c, key, klen, value);
	}
	return 0;
}

int auth_challenge_parse(const char *header, struct auth_challenge *ret, struct berr **err)
{
	struct auth_challenge c = {0};
	const char *p = header;

	if (!header || strlen(header) > CHALLENGE_MAX)
		return berr_set(err, EINVAL, "invalid WWW-Authenticate header");
	while (*p == ' ')
		p++;
	if (strncasecmp(p, "bearer", 6) == 0 && (p[6] == ' ' || p[6] == '\0')) {
		c.scheme = AUTH_BEARER;
		p += 6;
	} else if (strncasecmp(p, "basic", 5) == 0 && (p[5] == ' ' || p[5] == '\0')) {
		c.scheme = AUTH_BASIC;
		p += 5;
	} else {
		return berr_set(err, EOPNOTSUPP, "unsupported authentication scheme in '%.64s'",
				header);
	}
	if (parse_params(p, &c) < 0) {
		auth_challenge_done(&c);
		return berr_set(err, EINVAL, "invalid WWW-Authenticate header '%.128s'", header);
	}
	if (c.scheme == AUTH_BEARER && (!c.realm || !*c.realm)) {
		auth_challenge_done(&c);
		return berr_set(err, EINVAL, "bearer challenge without a realm");
	}
	*ret = c;
	return 0;
}

int auth_token_parse(const char *buf, size_t len, char **ret, struct berr **err)
{
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	struct jnode root;
	char *token = NULL;
	int r;

	r = jdoc_parse(buf, len, "token response", &doc, err);
	if (r < 0)
		return r;
	jdoc_root(doc, &root);
	r = jnode_get_string(&root, "token", &token, err);
	if (r == 0)
		r = jnode_get_string(&root, "access_token", &token, err);
	if (r < 0)
		return r;
	if (!token || !*token) {
		free(token);
		return berr_set(err, EINVAL, "token response has no token");
	}
	*ret = token;
	return 0;
}

char *base64_encode(const void *buf, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);

	if (!out)
		return NULL;
	EVP_EncodeBlock((unsigned char *) out, buf, (int) len);
	return out;
}

int base64_decode(const char *s, char **ret, size_t *ret_len)
{
	size_t n = strlen(s), pad = 0;
	char *out;
	int k;

	if (n % 4 != 0 || n > (1u << 20))
		return -EINVAL;
	out = malloc(n / 4 * 3 + 1);
	if (!out)
		return -ENOMEM;
	k = EVP_DecodeBlock((unsigned char *) out, (const unsigned char *) s, (int) n);
	if (k < 0) {
		free(out);
		return -EINVAL;
	}
	while (pad < 2 && n > pad && s[n - 1 - pad] == '=')
		pad++;
	k -= (int) pad;
	out[k] = '\0';
	*ret = out;
	if (ret_len)
		*ret_len = (size_t) k;
	return 0;
}

static int load_auths(const char *path, struct jdoc **ret, struct berr **err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	*ret = NULL;
	r = read_file_at(AT_FDCWD, path, AUTH_FILE_MAX, &buf, &len);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return berr_sys(err, -r, "cannot read '%s'", path);
	return jdoc_parse(buf, len, path, ret, err);
}

int auth_file_get(const char *path, const char *server, char **ret, struct berr **err)
{
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	_cleanup_free_ char *auth = NULL;
	struct jnode root, auths, entry;
	int r;

	*ret = NULL;
	r = load_auths(path, &doc, err);
	if (r < 0 || !doc)
		return r;
	jdoc_root(doc, &root);
	jnode_member(&root, "auths", &auths);
	jnode_member(&auths, server, &entry);
	if (!jnode_is_object(&entry))
		return 0;
	r = jnode_get_string(&entry, "auth", &auth, err);
	if (r <= 0)
		return r;
	if (base64_decode(auth, ret, NULL) < 0 || !strchr(*ret, ':')) {
		free(*ret);
		*ret = NULL;
		return berr_set(err, EINVAL, "%s: auths.%s.auth: not base64 of user:password", path,
				server);
	}
	return 1;
}

static int copy_other(const struct jnode *child, void *data, struct berr **err)
{
	struct jwriter *auths = ((void **) data)[0];
	const char *server = ((void **) data)[1];

	(void) err;
	if (strcmp(child->key, server) != 0)
		jw_put_node(auths, child->key, child);
	return 0;
}

/* Replace path atomically (its directory created if missing), mode 0600. */
static int write_beside(const char *path, const char *text)
{
	_cleanup_free_ char *dir = strdup(path);
	_cleanup_close_ int dfd = -1;
	char *slash;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	(void) mkdir(dir, 0700);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	return write_file_atomic_at(dfd, strrchr(path, '/') ? strrchr(path, '/') + 1 : path, text,
				    strlen(text), 0600, true);
}

int auth_file_set(const char *path, const char *server, const char *userpass, struct berr **err)
{
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	_cleanup_jw_ struct jwriter *w = jw_object();
	_cleanup_free_ char *text = NULL, *b64 = NULL;
	struct jwriter *auths;
	struct jnode root, old;
	void *data[2];
	int r;

	r = load_auths(path, &doc, err);
	if (r < 0)
		return r;
	auths = jw_object();
	data[0] = auths;
	data[1] = (void *) server;
	if (doc) {
		jdoc_root(doc, &root);
		jnode_member(&root, "auths", &old);
		if (jnode_is_object(&old))
			(void) jnode_foreach_member(&old, copy_other, data, NULL);
	}
	if (userpass) {
		struct jwriter *e = jw_object();

		b64 = base64_encode(userpass, strlen(userpass));
		jw_str(e, "auth", b64);
		jw_put(auths, server, e);
	}
	jw_put(w, "auths", auths);
	text = jw_to_string(w, true);
	if (!text)
		return -ENOMEM;
	r = write_beside(path, text);
	if (r < 0)
		return berr_sys(err, -r, "cannot write '%s'", path);
	return 0;
}
