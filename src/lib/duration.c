/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/duration.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

size_t duration_read_decimal(const char *s, double *ret)
{
	size_t i = 0;
	char buf[64];

	while (isdigit((unsigned char) s[i]))
		i++;
	if (i == 0)
		return 0;
	if (s[i] == '.') {
		size_t j = i + 1;

		while (isdigit((unsigned char) s[j]))
			j++;
		if (j == i + 1)
			return 0;
		i = j;
	}
	if (i >= sizeof(buf))
		return 0;
	memcpy(buf, s, i);
	buf[i] = '\0';
	*ret = strtod(buf, NULL);
	return i;
}

int duration_parse(const char *s, int64_t *ret, struct berr **err)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = {
		{"ns", 1},  {"us", 1e3}, {"µs", 1e3},	{"ms", 1e6},
		{"s", 1e9}, {"m", 60e9}, {"h", 3600e9},
	};
	const char *p = s;
	double total = 0;

	if (strcmp(s, "0") == 0) {
		*ret = 0;
		return 0;
	}
	while (*p) {
		double v;
		size_t n = duration_read_decimal(p, &v), best = 0;
		double mult = 0;

		if (n == 0)
			return berr_set(err, EINVAL, "invalid duration '%s'", s);
		p += n;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t len = strlen(units[i].unit);

			if (strncmp(p, units[i].unit, len) == 0 && len > best) {
				best = len;
				mult = units[i].ns;
			}
		}
		if (!best)
			return berr_set(err, EINVAL, "invalid duration '%s': missing unit", s);
		p += best;
		total += v * mult;
	}
	if (total > 9.2e18)
		return berr_set(err, ERANGE, "invalid duration '%s': too large", s);
	*ret = (int64_t) total;
	return 0;
}
