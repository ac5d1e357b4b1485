/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Used when even the error cannot be allocated; never freed. */
static struct berr berr_oom = {ENOMEM, (char *) "out of memory"};

struct berr *berr_free(struct berr *e)
{
	if (e && e != &berr_oom) {
		free(e->msg);
		free(e);
	}
	return NULL;
}

void berr_clear(struct berr **err)
{
	if (err && *err)
		*err = berr_free(*err);
}

static int berr_store(struct berr **err, int errnum, char *msg)
{
	struct berr *e;

	if (errnum <= 0)
		errnum = EIO;
	if (!err) {
		free(msg);
		return -errnum;
	}
	berr_clear(err);
	e = msg ? malloc(sizeof(*e)) : NULL;
	if (!e) {
		free(msg);
		*err = &berr_oom;
		return -errnum;
	}
	e->errnum = errnum;
	e->msg = msg;
	*err = e;
	return -errnum;
}

/*
 * Docker, Podman and containerd read the runtime's error text and look for Go's errno strings
 * in it ("no such file or directory" gives exit code 127, "permission denied" 126), which are
 * glibc's with a lowercase first letter. Lowercase is also our message style.
 */
static char *errno_text(int errnum)
{
	char *s = strdup(strerror(errnum));

	if (s && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'a' && s[1] <= 'z')
		s[0] = (char) (s[0] - 'A' + 'a');
	return s;
}

int berr_vset(struct berr **err, int errnum, bool with_strerror, const char *fmt, va_list ap)
{
	char *text = NULL, *msg = NULL;

	if (!err)
		return -(errnum > 0 ? errnum : EIO);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	if (text && with_strerror) {
		char *why = errno_text(errnum);

		if (!why || asprintf(&msg, "%s: %s", text, why) < 0)
			msg = NULL;
		free(why);
		free(text);
	} else {
		msg = text;
	}
	return berr_store(err, errnum, msg);
}

int berr_set(struct berr **err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = berr_vset(err, errnum, false, fmt, ap);
	va_end(ap);
	return r;
}

int berr_sys(struct berr **err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = berr_vset(err, errnum, true, fmt, ap);
	va_end(ap);
	return r;
}

int berr_wrap(struct berr **err, const char *fmt, ...)
{
	char *prefix = NULL, *msg = NULL;
	int errnum;
	va_list ap;

	if (!err)
		return -EIO;
	if (!*err)
		return berr_set(err, EIO, "internal error: no error to wrap");
	errnum = (*err)->errnum;
	va_start(ap, fmt);
	if (vasprintf(&prefix, fmt, ap) < 0)
		prefix = NULL;
	va_end(ap);
	if (!prefix || asprintf(&msg, "%s: %s", prefix, (*err)->msg) < 0) {
		free(prefix);
		return -errnum; /* keep the inner message rather than lose it */
	}
	free(prefix);
	return berr_store(err, errnum, msg);
}

size_t berr_encode(const struct berr *e, char *buf, size_t size)
{
	size_t len;
	int errnum = e ? e->errnum : EIO;
	const char *msg = e ? e->msg : "unknown error";

	if (size < sizeof(int) + 1)
		return 0;
	memcpy(buf, &errnum, sizeof(int));
	len = strlen(msg);
	if (len > size - sizeof(int))
		len = size - sizeof(int);
	memcpy(buf + sizeof(int), msg, len);
	return sizeof(int) + len;
}

int berr_decode(const char *buf, size_t len, struct berr **err)
{
	int errnum;

	if (len < sizeof(int))
		return berr_set(err, EPROTO, "truncated error report");
	memcpy(&errnum, buf, sizeof(int));
	if (errnum <= 0 || errnum > 4095)
		errnum = EIO;
	return berr_set(err, errnum, "%.*s", (int) (len - sizeof(int)), buf + sizeof(int));
}
