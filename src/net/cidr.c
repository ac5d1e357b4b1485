/* SPDX-License-Identifier: Apache-2.0 */
#include "net/cidr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int ip_parse(const char *s, uint32_t *ret)
{
	uint32_t ip = 0;

	for (int part = 0; part < 4; part++) {
		unsigned v = 0;
		int digits = 0;

		for (; *s >= '0' && *s <= '9' && digits < 4; s++, digits++)
			v = v * 10 + (unsigned) (*s - '0');
		if (digits == 0 || digits > 3 || v > 255)
			return -EINVAL;
		ip = ip << 8 | v;
		if (part < 3 && *s++ != '.')
			return -EINVAL;
	}
	if (*s)
		return -EINVAL;
	*ret = ip;
	return 0;
}

char *ip_format(uint32_t ip, char *buf)
{
	snprintf(buf, IP_STR_MAX, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
		 ip & 255);
	return buf;
}

int cidr_parse(const char *s, bool strict, struct cidr *ret, struct berr **err)
{
	const char *slash = strchr(s, '/');
	char ipbuf[IP_STR_MAX], canon[CIDR_STR_MAX];
	struct cidr c;
	unsigned len = 0;
	uint32_t ip;
	size_t n;

	if (!slash || (n = (size_t) (slash - s)) >= sizeof(ipbuf))
		return berr_set(err, EINVAL, "invalid CIDR address: %s", s);
	memcpy(ipbuf, s, n);
	ipbuf[n] = 0;
	if (ip_parse(ipbuf, &ip) < 0 || !slash[1] || strlen(slash + 1) > 2)
		return berr_set(err, EINVAL, "invalid CIDR address: %s", s);
	for (const char *p = slash + 1; *p; p++) {
		if (*p < '0' || *p > '9')
			return berr_set(err, EINVAL, "invalid CIDR address: %s", s);
		len = len * 10 + (unsigned) (*p - '0');
	}
	if (len > 32)
		return berr_set(err, EINVAL, "invalid CIDR address: %s", s);
	c.len = (uint8_t) len;
	c.addr = ip & cidr_mask(c.len);
	if (strict && c.addr != ip)
		return berr_set(err, EINVAL, "invalid subnet %s: it should be %s", s,
				cidr_format(&c, canon));
	*ret = c;
	return 0;
}

char *cidr_format(const struct cidr *c, char *buf)
{
	char ip[IP_STR_MAX];

	snprintf(buf, CIDR_STR_MAX, "%s/%u", ip_format(c->addr, ip), c->len);
	return buf;
}

bool cidr_contains(const struct cidr *c, uint32_t ip)
{
	return (ip & cidr_mask(c->len)) == c->addr;
}

bool cidr_overlaps(const struct cidr *a, const struct cidr *b)
{
	uint8_t len = a->len < b->len ? a->len : b->len;

	return (a->addr & cidr_mask(len)) == (b->addr & cidr_mask(len));
}

bool cidr_within(const struct cidr *outer, const struct cidr *inner)
{
	return inner->len >= outer->len && cidr_contains(outer, inner->addr);
}
