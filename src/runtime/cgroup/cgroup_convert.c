/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/cgroup/cgroup_convert.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SHARES_MIN 2ULL
#define SHARES_MAX 262144ULL
#define WEIGHT_MIN 1ULL
#define WEIGHT_MAX 10000ULL

uint64_t cgroup_shares_to_weight(uint64_t shares)
{
	double l, exponent;

	if (shares == 0)
		return 0;
	if (shares <= SHARES_MIN)
		return WEIGHT_MIN;
	if (shares >= SHARES_MAX)
		return WEIGHT_MAX;
	/* A parabola through (2, 1), (1024, 100) and (262144, 10000) in log space. */
	l = log2((double) shares);
	exponent = (l * l + 125.0 * l) / 612.0 - 7.0 / 34.0;
	return (uint64_t) ceil(pow(10.0, exponent));
}

uint64_t cgroup_blkio_weight_to_io(uint64_t weight)
{
	if (weight == 0)
		return 0;
	if (weight < 10)
		return WEIGHT_MIN;
	if (weight > 1000)
		return WEIGHT_MAX;
	return 1 + (weight - 10) * 9999 / 990;
}

int cgroup_swap_to_v2(int64_t swap, bool limit_set, int64_t limit, int64_t *ret)
{
	if (swap < 0) {
		*ret = -1;
		return 0;
	}
	/* v1 counts memory + swap: there is no swap budget without a memory limit. */
	if (!limit_set || limit < 0)
		return -EINVAL;
	if (swap < limit)
		return -EINVAL;
	*ret = swap - limit;
	return 0;
}

const char *cgroup_fmt_limit(int64_t v, char *buf, size_t size)
{
	if (v < 0)
		snprintf(buf, size, "max");
	else
		snprintf(buf, size, "%lld", (long long) v);
	return buf;
}

/* strtod over a plain decimal only ("12", "1.5"): no sign, exponent, hex, inf or nan. */
static int parse_decimal(const char *s, double *ret, char **ret_end)
{
	size_t len = strspn(s, "0123456789.");
	const char *dot = memchr(s, '.', len);

	if (len == 0 || (dot && memchr(dot + 1, '.', len - (size_t) (dot - s) - 1)) ||
	    !isdigit((unsigned char) s[0]))
		return -EINVAL;
	errno = 0;
	*ret = strtod(s, ret_end);
	if (errno || *ret_end != s + len)
		return -EINVAL;
	return 0;
}

static const char *parse_id(const char *p, unsigned long *ret)
{
	char *end;

	if (!isdigit((unsigned char) *p))
		return NULL;
	errno = 0;
	*ret = strtoul(p, &end, 10);
	if (errno || *ret > 1u << 20)
		return NULL;
	return end;
}

bool cgroup_id_list_valid(const char *s)
{
	const char *p = s;

	if (!*p)
		return true;
	for (;;) {
		unsigned long a, b;

		if (!(p = parse_id(p, &a)))
			return false;
		if (*p == '-') {
			if (!(p = parse_id(p + 1, &b)) || b < a)
				return false;
		}
		if (*p == '\0')
			return true;
		if (*p != ',')
			return false;
		p++;
	}
}

/* 1024^n for a unit letter k, m, g, t, p (any case); 0 for anything else. */
static uint64_t unit_of(char c)
{
	static const char units[] = "kmgtp";
	const char *u = strchr(units, tolower((unsigned char) c));

	if (!c || !u)
		return 0;
	return 1ULL << (10 * (u - units + 1));
}

int cgroup_page_size_parse(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long n;
	uint64_t unit;

	if (!isdigit((unsigned char) s[0]))
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || n == 0 || strlen(end) != 2 || end[1] != 'B' ||
	    !isupper((unsigned char) end[0]))
		return -EINVAL;
	unit = unit_of(end[0]);
	if (!unit || n > UINT64_MAX / unit)
		return -EINVAL;
	*ret = n * unit;
	return 0;
}

int cgroup_parse_bytes(const char *s, int64_t *ret)
{
	char *end;
	double v;
	uint64_t unit = 1;

	if (strcmp(s, "-1") == 0) {
		*ret = -1;
		return 0;
	}
	if (parse_decimal(s, &v, &end) < 0)
		return -EINVAL;
	if (*end == ' ')
		end++;
	if (*end && unit_of(*end)) {
		unit = unit_of(*end);
		end++;
		if (*end == 'i' || *end == 'I')
			end++;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end)
		return -EINVAL;
	v *= (double) unit;
	if (v >= 9.2e18)
		return -ERANGE;
	*ret = (int64_t) v;
	return 0;
}

/* Nanoseconds per unit of a Go duration, or 0. */
static uint64_t duration_unit(const char *u, size_t len)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = {{"ns", 1},
		     {"us", 1000},
		     {"\xc2\xb5s", 1000},
		     {"ms", 1000000ULL},
		     {"s", 1000000000ULL},
		     {"m", 60000000000ULL},
		     {"h", 3600000000000ULL}};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].name) == len && strncmp(u, units[i].name, len) == 0)
			return units[i].ns;
	return 0;
}

int cgroup_parse_duration(const char *s, uint64_t *ret_ns)
{
	double total = 0;
	const char *p = s;

	if (strcmp(s, "0") == 0) {
		*ret_ns = 0;
		return 0;
	}
	if (!*p)
		return -EINVAL;
	while (*p) {
		char *end;
		double v;
		size_t ulen;
		uint64_t unit;

		if (parse_decimal(p, &v, &end) < 0)
			return -EINVAL;
		ulen = strcspn(end, "0123456789.");
		unit = duration_unit(end, ulen);
		if (!unit)
			return -EINVAL;
		total += v * (double) unit;
		p = end + ulen;
	}
	if (total >= 9.2e18)
		return -ERANGE;
	*ret_ns = (uint64_t) total;
	return 0;
}
