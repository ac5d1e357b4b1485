/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/timefmt.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#define NS 1000000000LL

const char *rfc3339_ns(int64_t ns, char *buf, size_t size)
{
	/* floored: a time before 1970 has its fraction counted forward from the second */
	time_t secs = (time_t) (ns / NS);
	int64_t frac = ns % NS;
	struct tm tm;
	char base[32];

	if (frac < 0) {
		frac += NS;
		secs--;
	}
	gmtime_r(&secs, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09lldZ", base, (long long) frac);
	return buf;
}

int rfc3339_parse_ns(const char *s, int64_t *ret)
{
	struct tm tm = {0};
	const char *p;
	int64_t frac = 0, scale = 100000000LL;
	int64_t secs;
	long off = 0;

	if (!s)
		return -EINVAL;
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -EINVAL;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			frac += scale > 0 ? (*p - '0') * scale : 0;
	if (*p == '+' || *p == '-') {
		int hh = 0, mm = 0;

		if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2)
			return -EINVAL;
		off = (hh * 3600L + mm * 60L) * (*p == '-' ? -1 : 1);
	} else if ((*p != 'Z' && *p != 'z') || p[1]) {
		return -EINVAL;
	}
	/*
	 * Nanoseconds since the epoch fit in int64 from 1677 to 2262: a time outside
	 * (docker's zero time, year 1, or a log line's year 9999) saturates.
	 */
	secs = (int64_t) timegm(&tm) - off;
	if (secs > INT64_MAX / NS - 1)
		*ret = INT64_MAX;
	else if (secs < INT64_MIN / NS + 1)
		*ret = INT64_MIN;
	else
		*ret = secs * NS + frac;
	return 0;
}
