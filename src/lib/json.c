/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"

/* Deeper documents are refused: config.json nests at most about 8 levels. */
#define JSON_MAX_DEPTH 64

struct jdoc {
	struct json_object *root;
};

int jdoc_parse(const char *buf, size_t len, const char *name, struct jdoc **ret, struct berr **err)
{
	struct json_tokener *tok;
	struct json_object *root;
	enum json_tokener_error jerr;
	struct jdoc *doc;
	size_t end, line = 1;

	if (len > INT32_MAX)
		return berr_set(err, EFBIG, "%s: document too large", name);
	tok = json_tokener_new_ex(JSON_MAX_DEPTH);
	if (!tok)
		return berr_set(err, ENOMEM, "out of memory");
	root = json_tokener_parse_ex(tok, buf, (int) len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!root || jerr != json_tokener_success) {
		json_object_put(root);
		if (jerr == json_tokener_continue || jerr == json_tokener_success)
			return berr_set(err, EINVAL, "%s: unexpected end of document", name);
		for (size_t i = 0; i < end && i < len; i++)
			line += buf[i] == '\n';
		return berr_set(err, EINVAL, "%s: line %zu: %s", name, line,
				json_tokener_error_desc(jerr));
	}
	for (size_t i = end; i < len; i++) {
		if (!strchr(" \t\r\n", buf[i]) && buf[i] != '\0') {
			json_object_put(root);
			return berr_set(err, EINVAL, "%s: trailing data after the document", name);
		}
	}
	doc = malloc(sizeof(*doc));
	if (!doc) {
		json_object_put(root);
		return berr_set(err, ENOMEM, "out of memory");
	}
	doc->root = root;
	*ret = doc;
	return 0;
}

struct jdoc *jdoc_free(struct jdoc *doc)
{
	if (doc) {
		json_object_put(doc->root);
		free(doc);
	}
	return NULL;
}

void jdoc_root(const struct jdoc *doc, struct jnode *ret)
{
	*ret = (struct jnode){.v = doc->root};
	if (json_object_get_type(doc->root) == json_type_null)
		ret->v = NULL;
}

static bool key_is_plain(const char *key)
{
	if (!*key)
		return false;
	for (const char *p = key; *p; p++)
		if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9')))
			return false;
	return true;
}

static void path_append(FILE *f, const struct jnode *n)
{
	if (!n->parent)
		return;
	path_append(f, n->parent);
	if (n->key && key_is_plain(n->key))
		fprintf(f, "%s%s", n->parent->parent ? "." : "", n->key);
	else if (n->key)
		fprintf(f, "[\"%s\"]", n->key);
	else
		fprintf(f, "[%zu]", n->index);
}

char *jnode_path(const struct jnode *n)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return NULL;
	path_append(f, n);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int jnode_err(const struct jnode *n, struct berr **err, int errnum, const char *fmt, ...)
{
	_cleanup_free_ char *path = jnode_path(n);
	_cleanup_free_ char *text = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	if (!text)
		return berr_set(err, ENOMEM, "out of memory");
	if (path && *path)
		return berr_set(err, errnum, "%s: %s", path, text);
	return berr_set(err, errnum, "%s", text);
}

static bool is_type(const struct jnode *n, enum json_type t)
{
	return n->v && json_object_get_type(n->v) == t;
}

bool jnode_is_object(const struct jnode *n)
{
	return is_type(n, json_type_object);
}

bool jnode_is_array(const struct jnode *n)
{
	return is_type(n, json_type_array);
}

bool jnode_is_string(const struct jnode *n)
{
	return is_type(n, json_type_string);
}

enum jnode_type jnode_type(const struct jnode *n)
{
	if (!n->v)
		return JNODE_NULL;
	switch (json_object_get_type(n->v)) {
	case json_type_boolean:
		return JNODE_BOOL;
	case json_type_int:
		return JNODE_INT;
	case json_type_double:
		return JNODE_DOUBLE;
	case json_type_string:
		return JNODE_STRING;
	case json_type_array:
		return JNODE_ARRAY;
	case json_type_object:
		return JNODE_OBJECT;
	case json_type_null:
	default:
		return JNODE_NULL;
	}
}

double jnode_double(const struct jnode *n)
{
	return n->v ? json_object_get_double(n->v) : 0.0;
}

int jnode_expect_object(const struct jnode *n, struct berr **err)
{
	if (n->v && !jnode_is_object(n))
		return jnode_err(n, err, EINVAL, "must be an object");
	return 0;
}

int jnode_expect_array(const struct jnode *n, struct berr **err)
{
	if (n->v && !jnode_is_array(n))
		return jnode_err(n, err, EINVAL, "must be an array");
	return 0;
}

static struct json_object *nonnull(struct json_object *v)
{
	return json_object_get_type(v) == json_type_null ? NULL : v;
}

void jnode_member(const struct jnode *obj, const char *key, struct jnode *ret)
{
	struct json_object *v = NULL;

	if (jnode_is_object(obj) && !json_object_object_get_ex(obj->v, key, &v))
		v = NULL;
	*ret = (struct jnode){.v = v ? nonnull(v) : NULL, .key = key, .parent = obj};
}

size_t jnode_array_len(const struct jnode *arr)
{
	return jnode_is_array(arr) ? json_object_array_length(arr->v) : 0;
}

void jnode_array_at(const struct jnode *arr, size_t i, struct jnode *ret)
{
	struct json_object *v = jnode_is_array(arr) ? json_object_array_get_idx(arr->v, i) : NULL;

	*ret = (struct jnode){.v = v ? nonnull(v) : NULL, .index = i, .parent = arr};
}

size_t jnode_object_len(const struct jnode *obj)
{
	return jnode_is_object(obj) ? (size_t) json_object_object_length(obj->v) : 0;
}

int jnode_foreach_member(const struct jnode *obj, jnode_member_fn cb, void *userdata,
			 struct berr **err)
{
	if (!jnode_is_object(obj))
		return 0;
	json_object_object_foreach(obj->v, key, val)
	{
		struct jnode child = {.v = val ? nonnull(val) : NULL, .key = key, .parent = obj};
		int r = cb(&child, userdata, err);

		if (r < 0)
			return r;
	}
	return 0;
}

int jnode_string(const struct jnode *n, char **ret, struct berr **err)
{
	const char *s;
	size_t len;
	char *copy;

	if (!jnode_is_string(n))
		return jnode_err(n, err, EINVAL, "must be a string");
	s = json_object_get_string(n->v);
	len = (size_t) json_object_get_string_len(n->v);
	if (strlen(s) != len)
		return jnode_err(n, err, EINVAL, "must not contain a NUL character");
	copy = strdup(s);
	if (!copy)
		return berr_set(err, ENOMEM, "out of memory");
	free(*ret);
	*ret = copy;
	return 0;
}

int jnode_bool(const struct jnode *n, bool *ret, struct berr **err)
{
	if (!is_type(n, json_type_boolean))
		return jnode_err(n, err, EINVAL, "must be a boolean");
	*ret = json_object_get_boolean(n->v);
	return 0;
}

/*
 * json-c keeps an integer as int64, or as uint64 when it is above INT64_MAX. Read it
 * as a sign and a magnitude so both ranges stay exact.
 */
static int read_integer(const struct jnode *n, bool *ret_neg, uint64_t *ret_mag, struct berr **err)
{
	int64_t s;

	if (!is_type(n, json_type_int))
		return jnode_err(n, err, EINVAL, "must be an integer");
	errno = 0;
	s = json_object_get_int64(n->v);
	if (s < 0) {
		*ret_neg = true;
		*ret_mag = (uint64_t) (-(s + 1)) + 1;
		return 0;
	}
	*ret_neg = false;
	*ret_mag = s == INT64_MAX ? json_object_get_uint64(n->v) : (uint64_t) s;
	return 0;
}

int jnode_uint64(const struct jnode *n, uint64_t *ret, struct berr **err)
{
	uint64_t mag;
	bool neg;
	int r = read_integer(n, &neg, &mag, err);

	if (r < 0)
		return r;
	if (neg && mag != 0)
		return jnode_err(n, err, ERANGE, "must be an integer between 0 and %" PRIu64,
				 UINT64_MAX);
	*ret = mag;
	return 0;
}

int jnode_int_range(const struct jnode *n, int64_t min, int64_t max, int64_t *ret,
		    struct berr **err)
{
	uint64_t mag;
	bool neg;
	int64_t v;
	int r = read_integer(n, &neg, &mag, err);

	if (r < 0)
		return r;
	if (!neg && mag > (uint64_t) INT64_MAX)
		goto out_range;
	if (neg)
		v = mag > (uint64_t) INT64_MAX ? INT64_MIN : -(int64_t) mag;
	else
		v = (int64_t) mag;
	if (v < min || v > max)
		goto out_range;
	*ret = v;
	return 0;
out_range:
	return jnode_err(n, err, ERANGE, "must be an integer between %" PRId64 " and %" PRId64, min,
			 max);
}

int jnode_int64(const struct jnode *n, int64_t *ret, struct berr **err)
{
	return jnode_int_range(n, INT64_MIN, INT64_MAX, ret, err);
}

int jnode_strv(const struct jnode *n, char ***ret, struct berr **err)
{
	size_t len;
	char **v;
	int r;

	if (!jnode_is_array(n))
		return jnode_err(n, err, EINVAL, "must be an array of strings");
	len = jnode_array_len(n);
	v = calloc(len + 1, sizeof(char *));
	if (!v)
		return berr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < len; i++) {
		struct jnode e;

		jnode_array_at(n, i, &e);
		r = jnode_string(&e, &v[i], err);
		if (r < 0) {
			for (size_t j = 0; j < i; j++)
				free(v[j]);
			free(v);
			return r;
		}
	}
	*ret = v;
	return 0;
}

#define DEFINE_GETTER(name, type, body)                                                            \
	int name(const struct jnode *obj, const char *key, type *ret, struct berr **err)           \
	{                                                                                          \
		struct jnode m;                                                                    \
		int r;                                                                             \
		jnode_member(obj, key, &m);                                                        \
		if (!jnode_present(&m))                                                            \
			return 0;                                                                  \
		body;                                                                              \
		return r < 0 ? r : 1;                                                              \
	}

DEFINE_GETTER(jnode_get_string, char *, r = jnode_string(&m, ret, err))
DEFINE_GETTER(jnode_get_bool, bool, r = jnode_bool(&m, ret, err))
DEFINE_GETTER(jnode_get_int64, int64_t, r = jnode_int64(&m, ret, err))
DEFINE_GETTER(jnode_get_uint64, uint64_t, r = jnode_uint64(&m, ret, err))
DEFINE_GETTER(jnode_get_uint32, uint32_t, {
	int64_t v = 0;
	r = jnode_int_range(&m, 0, UINT32_MAX, &v, err);
	if (r >= 0)
		*ret = (uint32_t) v;
})
DEFINE_GETTER(jnode_get_int32, int32_t, {
	int64_t v = 0;
	r = jnode_int_range(&m, INT32_MIN, INT32_MAX, &v, err);
	if (r >= 0)
		*ret = (int32_t) v;
})
DEFINE_GETTER(jnode_get_uint16, uint16_t, {
	int64_t v = 0;
	r = jnode_int_range(&m, 0, UINT16_MAX, &v, err);
	if (r >= 0)
		*ret = (uint16_t) v;
})

int jnode_get_strv(const struct jnode *obj, const char *key, char ***ret, struct berr **err)
{
	struct jnode m;
	char **v = NULL;
	int r;

	jnode_member(obj, key, &m);
	if (!jnode_present(&m))
		return 0;
	r = jnode_strv(&m, &v, err);
	if (r < 0)
		return r;
	if (*ret) {
		for (char **p = *ret; *p; p++)
			free(*p);
		free(*ret);
	}
	*ret = v;
	return 1;
}

/* Writing: a struct jwriter is a json_object in disguise. */
#define JO(w) ((struct json_object *) (w))

struct jwriter *jw_object(void)
{
	return (struct jwriter *) json_object_new_object();
}

struct jwriter *jw_array(void)
{
	return (struct jwriter *) json_object_new_array();
}

struct jwriter *jw_kv_object(char *const *kv)
{
	struct jwriter *o = jw_object();

	for (char *const *p = kv; p && *p; p++) {
		_cleanup_free_ char *k = strndup(*p, strcspn(*p, "="));
		const char *eq = strchr(*p, '=');

		if (k)
			jw_str(o, k, eq ? eq + 1 : "");
	}
	return o;
}

void jw_free(struct jwriter *w)
{
	json_object_put(JO(w));
}

static void jw_add(struct jwriter *obj, const char *key, struct json_object *v)
{
	if (!obj || !v) {
		json_object_put(v);
		return;
	}
	if (key) {
		if (json_object_object_add(JO(obj), key, v) < 0)
			json_object_put(v);
	} else if (json_object_array_add(JO(obj), v) < 0) {
		json_object_put(v);
	}
}

void jw_str(struct jwriter *obj, const char *key, const char *value)
{
	if (value)
		jw_add(obj, key, json_object_new_string(value));
}

void jw_int(struct jwriter *obj, const char *key, int64_t value)
{
	jw_add(obj, key, json_object_new_int64(value));
}

void jw_uint(struct jwriter *obj, const char *key, uint64_t value)
{
	jw_add(obj, key, json_object_new_uint64(value));
}

void jw_bool(struct jwriter *obj, const char *key, bool value)
{
	jw_add(obj, key, json_object_new_boolean(value));
}

void jw_put(struct jwriter *obj, const char *key, struct jwriter *child)
{
	jw_add(obj, key, JO(child));
}

void jw_append_str(struct jwriter *arr, const char *value)
{
	jw_add(arr, NULL, json_object_new_string(value ? value : ""));
}

void jw_null(struct jwriter *obj, const char *key)
{
	if (obj && key)
		(void) json_object_object_add(JO(obj), key, NULL);
}

void jw_put_node(struct jwriter *obj, const char *key, const struct jnode *n)
{
	if (n->v)
		jw_add(obj, key, json_object_get(n->v));
}

char *jw_to_string(const struct jwriter *w, bool pretty)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;
	const char *s;

	if (!w)
		return NULL;
	flags |= pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_PRETTY_TAB
			: JSON_C_TO_STRING_PLAIN;
	s = json_object_to_json_string_ext(JO(w), flags);
	return s ? strdup(s) : NULL;
}

char *jnode_to_json(const struct jnode *n, bool pretty)
{
	return n->v ? jw_to_string((const struct jwriter *) n->v, pretty) : NULL;
}
