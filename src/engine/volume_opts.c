/* SPDX-License-Identifier: Apache-2.0 */
/* The pure half of volumes: names, the local driver's options, ls/prune filters. */
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "engine/volume.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

void volume_done(struct volume *v)
{
	free(v->name);
	free(v->driver);
	free(v->created_at);
	free(v->mountpoint);
	strv_free(v->labels);
	strv_free(v->options);
	*v = (struct volume){0};
}

void volume_list_done(struct volume_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		volume_done(&l->v[i]);
	free(l->v);
	*l = (struct volume_list){0};
}

bool volume_name_valid(const char *s)
{
	static const char extra[] = "_.-";

	if (!s || strlen(s) < 2 || strlen(s) > 255)
		return false;
	for (const char *p = s; *p; p++) {
		bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9');

		if (!alnum && (p == s || !strchr(extra, *p)))
			return false;
	}
	return true;
}

int volume_opts_check(char *const *opts, struct berr **err)
{
	static const char *const valid[] = {"type", "device", "o"};

	STRV_FOREACH (o, opts) {
		size_t klen = strcspn(*o, "=");
		bool ok = false;

		if ((*o)[klen] != '=')
			return berr_set(err, EINVAL, "invalid option '%s': expected KEY=VALUE", *o);
		for (size_t i = 0; i < ELEMENTSOF(valid); i++)
			ok = ok || (strlen(valid[i]) == klen && strncmp(*o, valid[i], klen) == 0);
		if (!ok)
			return berr_set(err, EINVAL, "invalid option key: \"%.*s\"", (int) klen,
					*o);
	}
	if (!opts || !*opts)
		return 0;
	/* docker 20.10: with any option, type and device are both needed */
	if (!strv_env_get(opts, "type"))
		return berr_set(err, EINVAL, "missing required option: \"type\"");
	if (!strv_env_get(opts, "device"))
		return berr_set(err, EINVAL, "missing required option: \"device\"");
	return 0;
}

/* "bind" among the comma-separated mount options o. */
static bool has_bind(const char *o)
{
	_cleanup_strv_ char **v = strv_split(o ? o : "", ",");

	return v && (strv_contains(v, "bind") || strv_contains(v, "rbind"));
}

int volume_mount_plan(char *const *opts, enum volume_mount_kind *ret_kind, char **ret_arg,
		      struct berr **err)
{
	const char *type = strv_env_get(opts, "type");
	const char *device = strv_env_get(opts, "device");
	const char *o = strv_env_get(opts, "o");
	char *arg = NULL;

	*ret_kind = VOLUME_MOUNT_DATA;
	*ret_arg = NULL;
	if (!type)
		return 0;
	if (strcmp(type, "tmpfs") == 0) {
		if (o && *o && !(arg = strdup(o)))
			return -ENOMEM;
		*ret_kind = VOLUME_MOUNT_TMPFS;
	} else if (has_bind(o) && device) {
		if (device[0] != '/')
			return berr_set(err, EINVAL, "bind device '%s' must be an absolute path",
					device);
		if (!(arg = strdup(device)))
			return -ENOMEM;
		*ret_kind = VOLUME_MOUNT_BIND;
	} else {
		return berr_set(err, EOPNOTSUPP,
				"local volume of type '%s' is not supported by berth: only "
				"type=tmpfs and o=bind (with device=/host/path) are",
				type);
	}
	*ret_arg = arg;
	return 0;
}

void volume_filter_done(struct volume_filter *f)
{
	strv_free(f->names);
	strv_free(f->drivers);
	strv_free(f->labels);
	strv_free(f->not_labels);
	*f = (struct volume_filter){.dangling = -1};
}

static int filter_add(struct volume_filter *f, const char *key, const char *value,
		      struct berr **err)
{
	if (strcmp(key, "dangling") == 0) {
		if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
			f->dangling = 1;
		else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
			f->dangling = 0;
		else
			return berr_set(err, EINVAL, "invalid filter 'dangling=[%s]'", value);
		return 0;
	}
	if (strcmp(key, "name") == 0)
		return strv_push_dup(&f->names, value);
	if (strcmp(key, "driver") == 0)
		return strv_push_dup(&f->drivers, value);
	if (strcmp(key, "label") == 0)
		return strv_push_dup(&f->labels, value);
	return strv_push_dup(&f->not_labels, value); /* "label!" */
}

int volume_filter_parse(char *const *filters, const char *const *allowed, struct volume_filter *ret,
			struct berr **err)
{
	struct volume_filter f = {.dangling = -1};

	STRV_FOREACH (s, filters) {
		_cleanup_free_ char *key = NULL;
		const char *eq = strchr(*s, '=');
		bool ok = false;
		int r;

		if (!eq) {
			volume_filter_done(&f);
			return berr_set(err, EINVAL, "bad format of filter (expected name=value)");
		}
		if (!(key = strndup(*s, (size_t) (eq - *s)))) {
			volume_filter_done(&f);
			return -ENOMEM;
		}
		for (const char *const *a = allowed; *a; a++)
			ok = ok || strcmp(*a, key) == 0;
		r = ok ? filter_add(&f, key, eq + 1, err)
		       : berr_set(err, EINVAL, "invalid filter '%s'", key);
		if (r < 0) {
			volume_filter_done(&f);
			return r;
		}
	}
	*ret = f;
	return 0;
}

/* docker's filter Match: the same string, or an (extended) regular expression match. */
static bool name_match(const char *pattern, const char *name)
{
	regex_t re;
	bool m;

	if (strcmp(pattern, name) == 0)
		return true;
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	m = regexec(&re, name, 0, NULL, 0) == 0;
	regfree(&re);
	return m;
}

bool volume_filter_match(const struct volume_filter *f, const struct volume *v, bool in_use)
{
	bool any = !f->names;

	if (f->dangling >= 0 && (f->dangling == 1) == in_use)
		return false;
	STRV_FOREACH (n, f->names)
		any = any || name_match(*n, v->name);
	if (!any)
		return false;
	if (f->drivers && !strv_contains(f->drivers, v->driver))
		return false;
	STRV_FOREACH (l, f->labels)
		if (!strv_label_match(v->labels, *l))
			return false;
	STRV_FOREACH (l, f->not_labels)
		if (strv_label_match(v->labels, *l))
			return false;
	return true;
}
