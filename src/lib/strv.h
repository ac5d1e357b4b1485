/* SPDX-License-Identifier: Apache-2.0 */
/* NULL-terminated string vectors (char **), as systemd's strv.h. */
#ifndef BERTH_LIB_STRV_H
#define BERTH_LIB_STRV_H

#include <stdbool.h>
#include <stddef.h>

/* Free every string and the vector; accepts NULL and returns NULL. */
char **strv_free(char **v);
static inline void strv_freep(char ***v)
{
	*v = strv_free(*v);
}
#define _cleanup_strv_ __attribute__((cleanup(strv_freep)))

size_t strv_length(char *const *v);
bool strv_contains(char *const *v, const char *s);

/*
 * docker's label filters (MatchKVList): want "k" is in labels ("k=v" entries) with any
 * value, want "k=v" with that value.
 */
bool strv_label_match(char *const *labels, const char *want);

/* Append s to *v, taking ownership of s (freed on failure). Returns 0 or -ENOMEM. */
int strv_consume(char ***v, char *s);
/* Append a copy of s. */
int strv_push_dup(char ***v, const char *s);

/* Deep copy; NULL on OOM (and for a NULL input). */
char **strv_copy(char *const *v);

/*
 * Split s at any of the characters in sep, dropping empty words: "a b\n" -> {"a", "b"}.
 * NULL on OOM; an empty vector (not NULL) when s has no word.
 */
char **strv_split(const char *s, const char *sep);

/* The words of v joined with sep (malloc'd; "" for an empty or NULL v). NULL on OOM. */
char *strv_join(char *const *v, const char *sep);

/*
 * In an environment vector, the entry for name ("NAME=value"), or NULL.
 */
const char *strv_env_get(char *const *env, const char *name);

/*
 * Put entry ("NAME=value", copied) into the environment vector *env: it replaces the
 * entry of the same name, or is appended. Returns 0, -EINVAL without '=', or -ENOMEM.
 */
int strv_env_set(char ***env, const char *entry);

#define STRV_FOREACH(s, v) for (char *const *s = (v); s && *s; s++)

#endif
