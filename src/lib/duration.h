/* SPDX-License-Identifier: Apache-2.0 */
/* Durations as Go writes them ("10s", "1m30s", "500ms", "2h"), for every layer. */
#ifndef BERTH_LIB_DURATION_H
#define BERTH_LIB_DURATION_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* A decimal number with an optional fraction ("12", "1.5") at s: the characters read. */
size_t duration_read_decimal(const char *s, double *ret);

/* A Go duration in nanoseconds ("0" alone needs no unit). Returns 0 or -errno, *err set. */
int duration_parse(const char *s, int64_t *ret, struct berr **err);

#endif
