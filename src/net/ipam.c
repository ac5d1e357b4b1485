/* SPDX-License-Identifier: Apache-2.0 */
#include "net/ipam.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"

void ipam_done(struct ipam *a)
{
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

static bool valid_id(const char *s, size_t len)
{
	if (len != IPAM_ID_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* The optional third field of a line: " MAC" (--mac-address). */
static int parse_mac(const char *s, size_t len, struct ipam_entry *e, unsigned lineno,
		     struct berr **err)
{
	char buf[MAC_STR_MAX];

	if (len == 0)
		return 0;
	if (s[0] != ' ' || len - 1 >= sizeof(buf))
		return berr_set(err, EINVAL, "line %u: not 'ADDRESS CONTAINER-ID [MAC]'", lineno);
	memcpy(buf, s + 1, len - 1);
	buf[len - 1] = 0;
	if (mac_parse(buf, e->mac) < 0)
		return berr_set(err, EINVAL, "line %u: bad MAC address '%s'", lineno, buf);
	e->has_mac = true;
	return 0;
}

/* One line "IP ID [MAC]" (without its newline). */
static int parse_line(const char *l, size_t len, struct ipam *a, unsigned lineno, struct berr **err)
{
	const char *sp = memchr(l, ' ', len);
	struct ipam_entry e = {0};
	char ip[IP_STR_MAX];
	size_t n = sp ? (size_t) (sp - l) : 0;
	int r;

	if (!sp || n >= sizeof(ip) || len - n - 1 < IPAM_ID_LEN || !valid_id(sp + 1, IPAM_ID_LEN))
		return berr_set(err, EINVAL, "line %u: not 'ADDRESS CONTAINER-ID'", lineno);
	memcpy(ip, l, n);
	ip[n] = 0;
	if (ip_parse(ip, &e.ip) < 0)
		return berr_set(err, EINVAL, "line %u: bad address '%s'", lineno, ip);
	if ((r = parse_mac(sp + 1 + IPAM_ID_LEN, len - n - 1 - IPAM_ID_LEN, &e, lineno, err)) < 0)
		return r;
	if (a->n >= IPAM_MAX)
		return berr_set(err, E2BIG, "more than %d allocations", IPAM_MAX);
	memcpy(e.id, sp + 1, IPAM_ID_LEN);
	return ipam_add_mac(a, e.ip, e.id, e.has_mac ? e.mac : NULL) < 0
		       ? berr_set(err, ENOMEM, "out of memory")
		       : 0;
}

int ipam_parse(const char *text, size_t len, struct ipam *ret, struct berr **err)
{
	struct ipam a = {0};
	unsigned lineno = 0;

	for (size_t at = 0; at < len;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = nl ? (size_t) (nl - text - at) : len - at;
		int r;

		lineno++;
		if (n && (r = parse_line(text + at, n, &a, lineno, err)) < 0) {
			ipam_done(&a);
			return r;
		}
		at += n + 1;
	}
	*ret = a;
	return 0;
}

char *ipam_format(const struct ipam *a)
{
	size_t size = a->n * (IP_STR_MAX + IPAM_ID_LEN + MAC_STR_MAX + 3) + 1, at = 0;
	char *s = malloc(size), ip[IP_STR_MAX], mac[MAC_STR_MAX];

	if (!s)
		return NULL;
	s[0] = 0;
	for (size_t i = 0; i < a->n; i++)
		at += (size_t) snprintf(s + at, size - at, "%s %s%s%s\n", ip_format(a->v[i].ip, ip),
					a->v[i].id, a->v[i].has_mac ? " " : "",
					a->v[i].has_mac ? mac_format(a->v[i].mac, mac) : "");
	return s;
}

const struct ipam_entry *ipam_find(const struct ipam *a, const char *id)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].id, id) == 0)
			return &a->v[i];
	return NULL;
}

int ipam_add_mac(struct ipam *a, uint32_t ip, const char *id, const unsigned char *mac)
{
	struct ipam_entry *v = realloc(a->v, (a->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	a->v = v;
	v[a->n] = (struct ipam_entry){.ip = ip, .has_mac = mac != NULL};
	snprintf(v[a->n].id, sizeof(v[a->n].id), "%s", id);
	if (mac)
		memcpy(v[a->n].mac, mac, MAC_LEN);
	a->n++;
	return 0;
}

int ipam_add(struct ipam *a, uint32_t ip, const char *id)
{
	return ipam_add_mac(a, ip, id, NULL);
}

void ipam_entry_mac(const struct ipam_entry *e, unsigned char ret[MAC_LEN])
{
	if (e->has_mac)
		memcpy(ret, e->mac, MAC_LEN);
	else
		mac_from_ip(e->ip, ret);
}

const struct ipam_entry *ipam_find_mac(const struct ipam *a, const unsigned char mac[MAC_LEN],
				       const char *except_id)
{
	unsigned char m[MAC_LEN];

	for (size_t i = 0; i < a->n; i++) {
		ipam_entry_mac(&a->v[i], m);
		if (memcmp(m, mac, MAC_LEN) == 0 && strcmp(a->v[i].id, except_id) != 0)
			return &a->v[i];
	}
	return NULL;
}

bool ipam_remove(struct ipam *a, const char *id)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].id, id) == 0) {
			a->v[i] = a->v[--a->n];
			return true;
		}
	return false;
}

static bool taken(const struct ipam *a, uint32_t ip)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].ip == ip)
			return true;
	return false;
}

/* An address a container may have in subnet: not its network, broadcast or gateway. */
static bool usable(const struct cidr *subnet, uint32_t gateway, uint32_t ip)
{
	uint32_t bcast = subnet->addr | ~cidr_mask(subnet->len);

	if (subnet->len >= 31)
		return ip != gateway;
	return ip != subnet->addr && ip != bcast && ip != gateway;
}

int ipam_pick(const struct cidr *subnet, const struct cidr *range, uint32_t gateway,
	      const struct ipam *a, uint32_t want, uint32_t *ret, struct berr **err)
{
	char buf[IP_STR_MAX];
	uint64_t first = range->addr, last = (uint64_t) range->addr + (~cidr_mask(range->len));

	if (want) {
		if (!cidr_contains(subnet, want) || !usable(subnet, gateway, want))
			return berr_set(err, EINVAL,
					"Invalid address %s: It does not belong to any of this "
					"network's subnets",
					ip_format(want, buf));
		if (taken(a, want))
			return berr_set(err, EADDRINUSE, "Address already in use");
		*ret = want;
		return 0;
	}
	for (uint64_t ip = first; ip <= last; ip++)
		if (usable(subnet, gateway, (uint32_t) ip) && !taken(a, (uint32_t) ip)) {
			*ret = (uint32_t) ip;
			return 0;
		}
	return berr_set(err, ENOSPC, "no available IPv4 addresses on this network's address pools");
}

static bool free_of(const struct cidr *c, const struct cidr *taken_v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cidr_overlaps(c, &taken_v[i]))
			return false;
	return true;
}

int ipam_pool_pick(const struct cidr *taken_v, size_t n, struct cidr *ret, struct berr **err)
{
	struct cidr c;

	for (uint32_t b = 17; b <= 31; b++) {
		c = (struct cidr){.addr = 172u << 24 | b << 16, .len = 16};
		if (free_of(&c, taken_v, n)) {
			*ret = c;
			return 0;
		}
	}
	for (uint32_t k = 0; k < 16; k++) {
		c = (struct cidr){.addr = 192u << 24 | 168u << 16 | (k << 4) << 8, .len = 20};
		if (free_of(&c, taken_v, n)) {
			*ret = c;
			return 0;
		}
	}
	return berr_set(err, ENOSPC,
			"could not find an available, non-overlapping IPv4 address pool among "
			"the defaults to assign to the network");
}
