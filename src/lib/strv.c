/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

char **strv_free(char **v)
{
	if (v) {
		for (char **p = v; *p; p++)
			free(*p);
		free(v);
	}
	return NULL;
}

size_t strv_length(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

bool strv_label_match(char *const *labels, const char *want)
{
	size_t klen = strcspn(want, "=");

	STRV_FOREACH (l, labels) {
		if (strncmp(*l, want, klen) != 0 || ((*l)[klen] != '=' && (*l)[klen] != '\0'))
			continue;
		if (!want[klen] || strcmp(*l + klen, want + klen) == 0)
			return true;
	}
	return false;
}

bool strv_contains(char *const *v, const char *s)
{
	STRV_FOREACH (p, v)
		if (strcmp(*p, s) == 0)
			return true;
	return false;
}

int strv_consume(char ***v, char *s)
{
	size_t n = strv_length(*v);
	char **nv;

	if (!s)
		return -ENOMEM;
	nv = realloc(*v, (n + 2) * sizeof(char *));
	if (!nv) {
		free(s);
		return -ENOMEM;
	}
	nv[n] = s;
	nv[n + 1] = NULL;
	*v = nv;
	return 0;
}

int strv_push_dup(char ***v, const char *s)
{
	return strv_consume(v, strdup(s));
}

char **strv_copy(char *const *v)
{
	size_t n = strv_length(v);
	char **c;

	if (!v)
		return NULL;
	c = calloc(n + 1, sizeof(char *));
	if (!c)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		c[i] = strdup(v[i]);
		if (!c[i])
			return strv_free(c);
	}
	return c;
}

char **strv_split(const char *s, const char *sep)
{
	char **v = calloc(1, sizeof(char *));

	if (!v)
		return NULL;
	for (const char *p = s + strspn(s, sep); *p; p += strspn(p, sep)) {
		size_t len = strcspn(p, sep);

		if (strv_consume(&v, strndup(p, len)) < 0)
			return strv_free(v);
		p += len;
	}
	return v;
}

char *strv_join(char *const *v, const char *sep)
{
	size_t len = 1, slen = strlen(sep);
	char *out, *p;

	STRV_FOREACH (s, v)
		len += strlen(*s) + slen;
	out = p = malloc(len);
	if (!out)
		return NULL;
	*p = '\0';
	STRV_FOREACH (s, v) {
		if (s != v) {
			memcpy(p, sep, slen);
			p += slen;
		}
		p = stpcpy(p, *s);
	}
	return out;
}

const char *strv_env_get(char *const *env, const char *name)
{
	size_t len = strlen(name);

	STRV_FOREACH (e, env)
		if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
			return *e + len + 1;
	return NULL;
}

int strv_env_set(char ***env, const char *entry)
{
	const char *eq = strchr(entry, '=');
	size_t len;
	char *copy;

	if (!eq || eq == entry)
		return -EINVAL;
	len = (size_t) (eq - entry) + 1;
	copy = strdup(entry);
	if (!copy)
		return -ENOMEM;
	for (char **e = *env; e && *e; e++) {
		if (strncmp(*e, entry, len) == 0) {
			free(*e);
			*e = copy;
			return 0;
		}
	}
	return strv_consume(env, copy);
}
