/* SPDX-License-Identifier: Apache-2.0 */
#include "net/mac.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* n hex digits at s (n even) into octets at out; false on a non-digit. */
static bool octets(const char *s, size_t n, unsigned char *out)
{
	for (size_t i = 0; i < n; i += 2) {
		int hi = hex(s[i]), lo = hex(s[i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		*out++ = (unsigned char) (hi << 4 | lo);
	}
	return true;
}

/* "aa:bb:..." or "aa-bb-...": six groups of two digits, one separator throughout. */
static bool parse_pairs(const char *s, unsigned char m[MAC_LEN])
{
	for (size_t i = 0; i < MAC_LEN; i++) {
		if (i > 0 && s[3 * i - 1] != s[2])
			return false;
		if (!octets(s + 3 * i, 2, m + i))
			return false;
	}
	return true;
}

/* "aabb.ccdd.eeff": three groups of four digits. */
static bool parse_dotted(const char *s, unsigned char m[MAC_LEN])
{
	for (size_t i = 0; i < 3; i++) {
		if (i > 0 && s[5 * i - 1] != '.')
			return false;
		if (!octets(s + 5 * i, 4, m + 2 * i))
			return false;
	}
	return true;
}

int mac_parse(const char *s, unsigned char ret[MAC_LEN])
{
	unsigned char m[MAC_LEN];
	size_t len;
	bool ok;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\v' || *s == '\f')
		s++;
	len = strlen(s);
	while (len && strchr(" \t\n\r\v\f", s[len - 1]))
		len--;
	if (len == 17 && (s[2] == ':' || s[2] == '-'))
		ok = parse_pairs(s, m);
	else if (len == 14 && s[4] == '.')
		ok = parse_dotted(s, m);
	else
		ok = false;
	if (!ok)
		return -EINVAL;
	memcpy(ret, m, MAC_LEN);
	return 0;
}

char *mac_format(const unsigned char m[MAC_LEN], char *buf)
{
	snprintf(buf, MAC_STR_MAX, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
		 m[5]);
	return buf;
}

void mac_from_ip(uint32_t ip, unsigned char ret[MAC_LEN])
{
	ret[0] = 0x02;
	ret[1] = 0x42;
	ret[2] = (unsigned char) (ip >> 24);
	ret[3] = (unsigned char) (ip >> 16);
	ret[4] = (unsigned char) (ip >> 8);
	ret[5] = (unsigned char) ip;
}

bool mac_unicast(const unsigned char m[MAC_LEN])
{
	static const unsigned char zero[MAC_LEN];

	return !(m[0] & 1) && memcmp(m, zero, MAC_LEN) != 0;
}
