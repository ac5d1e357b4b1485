/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON access for berth: the only module that includes json-c (STYLE.md §10).
 *
 * Reading: a parsed document (struct jdoc) is walked with struct jnode cursors, which
 * remember how they were reached, so every typed getter can say where a value is wrong:
 * "process.args[0]: must be a string". A cursor whose value is absent (or JSON null)
 * is "not present"; the jnode_get_*() helpers return 0 for it and leave the output
 * untouched, 1 when they stored a value, and -errno with *err set on a type error.
 *
 * Writing: struct jwriter builds objects and arrays and serialises them without
 * escaping slashes.
 */
#ifndef BERTH_LIB_JSON_H
#define BERTH_LIB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

struct json_object;
struct jdoc;

struct jnode {
	struct json_object *v;	    /* NULL when absent or JSON null */
	const char *key;	    /* member name in the parent object, or NULL */
	size_t index;		    /* element index when the parent is an array */
	const struct jnode *parent; /* NULL for the document root */
};

/*
 * Parse len bytes of buf. name (e.g. "config.json") prefixes syntax errors. On success
 * *ret is a document the caller frees with jdoc_free().
 */
int jdoc_parse(const char *buf, size_t len, const char *name, struct jdoc **ret, struct berr **err);
struct jdoc *jdoc_free(struct jdoc *doc);
static inline void jdoc_freep(struct jdoc **d)
{
	*d = jdoc_free(*d);
}
#define _cleanup_jdoc_ __attribute__((cleanup(jdoc_freep)))

/* The root value of doc. */
void jdoc_root(const struct jdoc *doc, struct jnode *ret);

static inline bool jnode_present(const struct jnode *n)
{
	return n->v != NULL;
}

/* Path of n as "a.b[2].c" (malloc'd; NULL on OOM). The root is "" */
char *jnode_path(const struct jnode *n);

/* Set *err to "<path>: <message>" and return -errnum. */
int jnode_err(const struct jnode *n, struct berr **err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

bool jnode_is_object(const struct jnode *n);
bool jnode_is_array(const struct jnode *n);
bool jnode_is_string(const struct jnode *n);

/* Fail with "<path>: must be an object/array" unless n is absent or of that type. */
/* What n holds (JNODE_NULL when absent or null). */
enum jnode_type {
	JNODE_NULL,
	JNODE_BOOL,
	JNODE_INT,
	JNODE_DOUBLE,
	JNODE_STRING,
	JNODE_ARRAY,
	JNODE_OBJECT,
};
enum jnode_type jnode_type(const struct jnode *n);

/* n's number as a double (0 when it is not a number). */
double jnode_double(const struct jnode *n);

int jnode_expect_object(const struct jnode *n, struct berr **err);
int jnode_expect_array(const struct jnode *n, struct berr **err);

/* Member key of object obj (absent when obj is absent or has no such member). */
void jnode_member(const struct jnode *obj, const char *key, struct jnode *ret);

size_t jnode_array_len(const struct jnode *arr);
void jnode_array_at(const struct jnode *arr, size_t i, struct jnode *ret);

/* Number of members of an object. */
size_t jnode_object_len(const struct jnode *obj);

/*
 * Call cb for each member of object obj, in document order; stops at the first negative
 * return, which it returns. child->key is the member name.
 */
typedef int (*jnode_member_fn)(const struct jnode *child, void *userdata, struct berr **err);
int jnode_foreach_member(const struct jnode *obj, jnode_member_fn cb, void *userdata,
			 struct berr **err);

/* Typed reads of a present value. */
int jnode_string(const struct jnode *n, char **ret, struct berr **err);
int jnode_bool(const struct jnode *n, bool *ret, struct berr **err);
int jnode_int64(const struct jnode *n, int64_t *ret, struct berr **err);
int jnode_uint64(const struct jnode *n, uint64_t *ret, struct berr **err);
/* An integer in [min, max], read into an int64_t. */
int jnode_int_range(const struct jnode *n, int64_t min, int64_t max, int64_t *ret,
		    struct berr **err);
/* A NULL-terminated vector of strings from an array of strings. */
int jnode_strv(const struct jnode *n, char ***ret, struct berr **err);

/* Member reads: 0 when absent (ret untouched), 1 when stored, -errno on error. */
int jnode_get_string(const struct jnode *obj, const char *key, char **ret, struct berr **err);
int jnode_get_bool(const struct jnode *obj, const char *key, bool *ret, struct berr **err);
int jnode_get_int64(const struct jnode *obj, const char *key, int64_t *ret, struct berr **err);
int jnode_get_uint64(const struct jnode *obj, const char *key, uint64_t *ret, struct berr **err);
int jnode_get_uint32(const struct jnode *obj, const char *key, uint32_t *ret, struct berr **err);
int jnode_get_int32(const struct jnode *obj, const char *key, int32_t *ret, struct berr **err);
int jnode_get_uint16(const struct jnode *obj, const char *key, uint16_t *ret, struct berr **err);
int jnode_get_strv(const struct jnode *obj, const char *key, char ***ret, struct berr **err);

/* Writing. Every jw_* tolerates a NULL writer (after OOM) and does nothing then. */
struct jwriter;
struct jwriter *jw_object(void);
struct jwriter *jw_array(void);
void jw_free(struct jwriter *w);
static inline void jw_freep(struct jwriter **w)
{
	jw_free(*w);
	*w = NULL;
}
#define _cleanup_jw_ __attribute__((cleanup(jw_freep)))

/* Add a member to an object; a NULL string value is skipped. */
void jw_str(struct jwriter *obj, const char *key, const char *value);
void jw_int(struct jwriter *obj, const char *key, int64_t value);
void jw_uint(struct jwriter *obj, const char *key, uint64_t value);
void jw_bool(struct jwriter *obj, const char *key, bool value);
/* An object of "KEY=VALUE" strings (labels, options); one without '=' has the value "". */
struct jwriter *jw_kv_object(char *const *kv);
/* Add child (taking ownership) as a member of obj, or (key NULL) append it to an array. */
void jw_put(struct jwriter *obj, const char *key, struct jwriter *child);
void jw_append_str(struct jwriter *arr, const char *value);
/* Add key with the value JSON null. */
void jw_null(struct jwriter *obj, const char *key);
/* Copy the present value n (any type) as a member of obj or an element of an array. */
void jw_put_node(struct jwriter *obj, const char *key, const struct jnode *n);
/* Serialise; malloc'd string or NULL on OOM. */
char *jw_to_string(const struct jwriter *w, bool pretty);
/* Serialise a present value read from a document (malloc'd; NULL on OOM or absent). */
char *jnode_to_json(const struct jnode *n, bool pretty);

#endif
