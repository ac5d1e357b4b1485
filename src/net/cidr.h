/* SPDX-License-Identifier: Apache-2.0 */
/* IPv4 addresses and prefixes: parsing, printing, containment, overlap. Pure. */
#ifndef BERTH_NET_CIDR_H
#define BERTH_NET_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* An IPv4 prefix; addr in host byte order, its host bits zero once normalized. */
struct cidr {
	uint32_t addr;
	uint8_t len; /* 0..32 */
};

#define CIDR_STR_MAX 19 /* "255.255.255.255/32" + NUL */
#define IP_STR_MAX 16

/* The netmask of a prefix length, host order. */
static inline uint32_t cidr_mask(uint8_t len)
{
	return len == 0 ? 0 : ~(uint32_t) 0 << (32 - len);
}

/* Parse a dotted quad (exactly four decimal parts, no leading '+', each <= 255). */
int ip_parse(const char *s, uint32_t *ret);
/* Format ip into buf (IP_STR_MAX bytes); returns buf. */
char *ip_format(uint32_t ip, char *buf);

/*
 * Parse "A.B.C.D/N". strict: the host bits must be zero (docker's --subnet refuses
 * "10.1.2.3/16": "invalid subnet ... : it should be 10.1.0.0/16"); else they are cleared.
 */
int cidr_parse(const char *s, bool strict, struct cidr *ret, struct berr **err);
/* Format c into buf (CIDR_STR_MAX bytes); returns buf. */
char *cidr_format(const struct cidr *c, char *buf);

/* ip is inside c. */
bool cidr_contains(const struct cidr *c, uint32_t ip);
/* a and b share an address (one contains the other). */
bool cidr_overlaps(const struct cidr *a, const struct cidr *b);
/* inner lies wholly inside outer. */
bool cidr_within(const struct cidr *outer, const struct cidr *inner);

#endif
