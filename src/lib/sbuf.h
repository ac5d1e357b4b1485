/* SPDX-License-Identifier: Apache-2.0 */
/* A growing NUL-terminated string (the Dockerfile parser, --format templates, tables). */
#ifndef BERTH_LIB_SBUF_H
#define BERTH_LIB_SBUF_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct sbuf {
	char *p;
	size_t n, cap;
};

/* Append len bytes of s: -E2BIG when the string would reach max bytes, -ENOMEM. */
static inline int sbuf_add_max(struct sbuf *b, const char *s, size_t len, size_t max)
{
	if (len >= max || b->n >= max - len)
		return -E2BIG;
	if (b->n + len + 1 > b->cap) {
		size_t cap = (b->n + len + 1) * 2;
		char *p = realloc(b->p, cap);

		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = '\0';
	return 0;
}

static inline int sbuf_add(struct sbuf *b, const char *s, size_t len)
{
	return sbuf_add_max(b, s, len, SIZE_MAX / 4);
}

static inline int sbuf_adds(struct sbuf *b, const char *s)
{
	return sbuf_add(b, s, strlen(s));
}

static inline int sbuf_addc(struct sbuf *b, char c)
{
	return sbuf_add(b, &c, 1);
}

static inline void sbuf_reset(struct sbuf *b)
{
	b->n = 0;
	if (b->p)
		b->p[0] = '\0';
}

/* The string (never NULL: "" when nothing was added). */
static inline char *sbuf_str(struct sbuf *b)
{
	return b->p ? b->p : (char *) "";
}

static inline void sbuf_done(struct sbuf *b)
{
	free(b->p);
	*b = (struct sbuf){0};
}

/* Hand the string over (malloc'd; NULL on OOM). */
static inline char *sbuf_take(struct sbuf *b)
{
	char *p = b->p ? b->p : strdup("");

	*b = (struct sbuf){0};
	return p;
}

#endif
