/* SPDX-License-Identifier: Apache-2.0 */
#include "image/image_change.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"

#define EXPOSE_MAX_RANGE 1024

void image_changes_done(struct image_changes *c)
{
	char **lists[] = {c->cmd,     c->entrypoint, c->env,	c->labels,
			  c->exposed, c->volumes,    c->onbuild};

	for (size_t i = 0; i < sizeof(lists) / sizeof(*lists); i++)
		strv_free(lists[i]);
	free(c->user);
	free(c->working_dir);
	free(c->stop_signal);
	image_health_done(&c->health);
	*c = (struct image_changes){0};
}

/* A JSON array of strings ("exec form"): 1 and *ret; 0 when s is not one. */
static int json_form(const char *s, char ***ret)
{
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	struct jnode root;

	if (*s != '[' || jdoc_parse(s, strlen(s), "change", &doc, NULL) < 0)
		return 0;
	jdoc_root(doc, &root);
	if (!jnode_is_array(&root) || jnode_strv(&root, ret, NULL) < 0)
		return 0;
	return 1;
}

/* CMD / ENTRYPOINT: exec form, or the shell form as /bin/sh -c. */
static int command_form(const char *rest, char ***ret)
{
	char **v = NULL;

	strv_free(*ret);
	*ret = NULL;
	if (json_form(rest, ret))
		return 0;
	if (strv_push_dup(&v, "/bin/sh") < 0 || strv_push_dup(&v, "-c") < 0 ||
	    strv_push_dup(&v, rest) < 0) {
		strv_free(v);
		return -ENOMEM;
	}
	*ret = v;
	return 0;
}

/* Split s into words as the Dockerfile does for ENV and LABEL: quotes and backslashes. */
static int split_words(const char *s, char ***ret, struct berr **err)
{
	char **v = NULL;

	while (*s) {
		_cleanup_free_ char *w = calloc(1, strlen(s) + 1);
		size_t n = 0;
		char q = 0;

		if (!w)
			goto oom;
		for (; *s && (q || !isspace((unsigned char) *s)); s++) {
			if (!q && (*s == '"' || *s == '\'')) {
				q = *s;
			} else if (q && *s == q) {
				q = 0;
			} else if (*s == '\\' && q != '\'' && s[1]) {
				w[n++] = *++s;
			} else {
				w[n++] = *s;
			}
		}
		if (q) {
			strv_free(v);
			return berr_set(err, EINVAL, "unterminated %c quote", q);
		}
		if (strv_consume(&v, TAKE_PTR(w)) < 0)
			goto oom;
		while (isspace((unsigned char) *s))
			s++;
	}
	*ret = v;
	return 0;
oom:
	strv_free(v);
	return -ENOMEM;
}

/* Set K=V in v, replacing an earlier K. */
static int set_pair(char ***v, const char *key, size_t klen, const char *value)
{
	char *kv;

	if (asprintf(&kv, "%.*s=%s", (int) klen, key, value) < 0)
		return -ENOMEM;
	for (size_t i = 0; *v && (*v)[i]; i++)
		if (strncmp((*v)[i], key, klen) == 0 && (*v)[i][klen] == '=') {
			free((*v)[i]);
			(*v)[i] = kv;
			return 0;
		}
	return strv_consume(v, kv);
}

/* ENV / LABEL: KEY=VALUE..., or the old KEY VALUE form. */
static int pairs(const char *kw, const char *rest, char ***v, struct berr **err)
{
	_cleanup_strv_ char **words = NULL;
	size_t klen = strcspn(rest, " \t=");
	int r;

	if (rest[klen] != '=') {
		const char *value = rest + klen;

		while (isspace((unsigned char) *value))
			value++;
		if (!*value)
			return berr_set(err, EINVAL, "%s must have two arguments", kw);
		return set_pair(v, rest, klen, value);
	}
	if ((r = split_words(rest, &words, err)) < 0)
		return r;
	STRV_FOREACH (w, words) {
		const char *eq = strchr(*w, '=');

		if (!eq || eq == *w)
			return berr_set(err, EINVAL, "%s names can not be blank: '%s'", kw, *w);
		if ((r = set_pair(v, *w, (size_t) (eq - *w), eq + 1)) < 0)
			return r;
	}
	return 0;
}

static int port_number(const char *s, char **end, unsigned *ret)
{
	unsigned long n;

	if (!isdigit((unsigned char) *s))
		return -EINVAL;
	n = strtoul(s, end, 10);
	if (n < 1 || n > 65535)
		return -EINVAL;
	*ret = (unsigned) n;
	return 0;
}

/* EXPOSE PORT[-PORT][/tcp|udp|sctp]...: each port as "80/tcp". */
static int expose(const char *rest, char ***v, struct berr **err)
{
	_cleanup_strv_ char **words = NULL;
	int r;

	if ((r = split_words(rest, &words, err)) < 0)
		return r;
	STRV_FOREACH (w, words) {
		char *end, *proto;
		unsigned lo, hi;

		if (port_number(*w, &end, &lo) < 0)
			return berr_set(err, EINVAL, "invalid port '%s'", *w);
		hi = lo;
		if (*end == '-' && port_number(end + 1, &end, &hi) < 0)
			return berr_set(err, EINVAL, "invalid port range '%s'", *w);
		proto = *end == '/' ? end + 1 : (char *) "tcp";
		if ((*end && *end != '/') || hi < lo || hi - lo >= EXPOSE_MAX_RANGE ||
		    (strcasecmp(proto, "tcp") && strcasecmp(proto, "udp") &&
		     strcasecmp(proto, "sctp")))
			return berr_set(err, EINVAL, "invalid port '%s' (PORT[-PORT][/PROTO])", *w);
		for (unsigned p = lo; p <= hi; p++) {
			char *s;

			if (asprintf(&s, "%u/%s", p, proto) < 0)
				return -ENOMEM;
			for (char *c = s; *c; c++)
				*c = (char) tolower((unsigned char) *c);
			if (strv_contains(*v, s))
				free(s);
			else if (strv_consume(v, s) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

static int volume(const char *rest, char ***v, struct berr **err)
{
	_cleanup_strv_ char **words = NULL;
	int r;

	if (!json_form(rest, &words) && (r = split_words(rest, &words, err)) < 0)
		return r;
	STRV_FOREACH (w, words) {
		if (!**w)
			return berr_set(err, EINVAL, "VOLUME specified can not be an empty string");
		if (!strv_contains(*v, *w) && strv_push_dup(v, *w) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int set_string(char **dst, const char *value)
{
	char *s = strdup(value);

	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

static int workdir(const char *rest, char **dst)
{
	char *s;

	if (rest[0] == '/')
		return set_string(dst, rest);
	if (asprintf(&s, "%s/%s", *dst && strcmp(*dst, "/") != 0 ? *dst : "", rest) < 0)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

static int onbuild(const char *rest, char ***v, struct berr **err)
{
	size_t n = strcspn(rest, " \t");

	if ((n == 7 && strncasecmp(rest, "ONBUILD", 7) == 0) ||
	    (n == 4 && strncasecmp(rest, "FROM", 4) == 0) ||
	    (n == 10 && strncasecmp(rest, "MAINTAINER", 10) == 0))
		return berr_set(err, EINVAL, "%.*s isn't allowed as an ONBUILD trigger", (int) n,
				rest);
	return strv_push_dup(v, rest);
}

static int apply(struct image_changes *c, const char *kw, const char *rest, struct berr **err)
{
	if (strcasecmp(kw, "CMD") == 0)
		return command_form(rest, &c->cmd);
	if (strcasecmp(kw, "ENTRYPOINT") == 0)
		return command_form(rest, &c->entrypoint);
	if (strcasecmp(kw, "ENV") == 0)
		return pairs("ENV", rest, &c->env, err);
	if (strcasecmp(kw, "LABEL") == 0)
		return pairs("LABEL", rest, &c->labels, err);
	if (strcasecmp(kw, "EXPOSE") == 0)
		return expose(rest, &c->exposed, err);
	if (strcasecmp(kw, "VOLUME") == 0)
		return volume(rest, &c->volumes, err);
	if (strcasecmp(kw, "USER") == 0)
		return set_string(&c->user, rest);
	if (strcasecmp(kw, "WORKDIR") == 0)
		return workdir(rest, &c->working_dir);
	if (strcasecmp(kw, "STOPSIGNAL") == 0)
		return set_string(&c->stop_signal, rest);
	if (strcasecmp(kw, "ONBUILD") == 0)
		return onbuild(rest, &c->onbuild, err);
	if (strcasecmp(kw, "HEALTHCHECK") == 0)
		return image_health_parse_text(rest, &c->health, err);
	for (char *p = (char *) kw; *p; p++)
		*p = (char) tolower((unsigned char) *p);
	return berr_set(err, EINVAL, "%s is not a valid change command", kw);
}

static int parse_one(const char *change, struct image_changes *c, struct berr **err)
{
	_cleanup_free_ char *s = strdup(change);
	char *kw, *rest, *end;

	if (!s)
		return -ENOMEM;
	kw = s + strspn(s, " \t\r\n");
	rest = kw + strcspn(kw, " \t\r\n");
	if (*rest)
		*rest++ = '\0';
	rest += strspn(rest, " \t\r\n");
	for (end = rest + strlen(rest); end > rest && isspace((unsigned char) end[-1]);)
		*--end = '\0';
	if (!*kw)
		return berr_set(err, EINVAL, "empty change");
	if (!*rest)
		return berr_set(err, EINVAL, "%s requires at least one argument", kw);
	return apply(c, kw, rest, err);
}

int image_changes_parse(char *const *v, struct image_changes *c, struct berr **err)
{
	STRV_FOREACH (change, v) {
		int r = parse_one(*change, c, err);

		if (r < 0) {
			if (r != -ENOMEM)
				berr_wrap(err, "--change '%s'", *change);
			return r;
		}
	}
	return 0;
}
