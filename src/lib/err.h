/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Errors: negative errno plus a message chain (STYLE.md §3).
 *
 * A function that can fail returns -errno and, when the user must understand the
 * failure, fills a `struct berr` through its last parameter. Each layer prefixes where
 * it was with berr_wrap(), so the CLI prints
 * "config.json: process.args: must be a non-empty array".
 */
#ifndef BERTH_LIB_ERR_H
#define BERTH_LIB_ERR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct berr {
	int errnum; /* positive errno value */
	char *msg;  /* the message, never NULL */
};

/*
 * Store errnum and the formatted text in *err (replacing what was there) and return
 * -errnum. err may be NULL: then only the return value is produced.
 */
int berr_set(struct berr **err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like berr_set(), and append ": <strerror(errnum)>" to the text. */
int berr_sys(struct berr **err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like berr_set() with a va_list. */
int berr_vset(struct berr **err, int errnum, bool with_strerror, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/*
 * Prefix "<formatted>: " to the message in *err and return its -errnum. When *err is
 * empty (a callee returned -errno without a message), make one from strerror.
 */
int berr_wrap(struct berr **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Free an error; accepts NULL and returns NULL. */
struct berr *berr_free(struct berr *e);

/* Free *err and set it to NULL. */
void berr_clear(struct berr **err);

/*
 * Encode an error into buf (for the sync socket between the container's init and the
 * runtime) and decode it back. berr_encode returns the bytes written (truncating the
 * text if it must); berr_decode returns -errnum with *err set.
 */
size_t berr_encode(const struct berr *e, char *buf, size_t size);
int berr_decode(const char *buf, size_t len, struct berr **err);

static inline void berr_freep(struct berr **e)
{
	berr_clear(e);
}
#define _cleanup_berr_ __attribute__((cleanup(berr_freep)))

#endif
