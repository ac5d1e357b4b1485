/* SPDX-License-Identifier: Apache-2.0 */
/* Times as docker writes them: RFC 3339 in UTC with nanoseconds. */
#ifndef BERTH_LIB_TIMEFMT_H
#define BERTH_LIB_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* The current time in nanoseconds since the epoch (CLOCK_REALTIME). */
int64_t now_ns(void);

/* "2024-01-02T15:04:05.123456789Z" for ns since the epoch, in buf (>= 40 bytes). */
const char *rfc3339_ns(int64_t ns, char *buf, size_t size);

/*
 * Nanoseconds since the epoch of an RFC 3339 time (fraction and offset optional);
 * -EINVAL when s is not one. docker's zero time (year 1) gives a negative value.
 */
int rfc3339_parse_ns(const char *s, int64_t *ret);

#endif
