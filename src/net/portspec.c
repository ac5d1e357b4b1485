/* SPDX-License-Identifier: Apache-2.0 */
#include "net/portspec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/cleanup.h"
#include "net/cidr.h"

static const char *const proto_names[_PORT_PROTO_MAX] = {"tcp", "udp"};

const char *port_proto_name(enum port_proto p)
{
	return p < _PORT_PROTO_MAX ? proto_names[p] : "tcp";
}

/* A decimal port 0..65535 (go's strconv.ParseUint(s, 10, 16)). */
static int parse_port(const char *s, size_t len, uint16_t *ret)
{
	unsigned long v = 0;

	if (len == 0 || len > 5)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long) (s[i] - '0');
	}
	if (v > 65535)
		return -EINVAL;
	*ret = (uint16_t) v;
	return 0;
}

/* "80" or "80-82" (nat.ParsePortRange); lo <= hi. */
static int parse_range(const char *s, uint16_t *lo, uint16_t *hi)
{
	const char *dash = strchr(s, '-');

	if (!dash)
		return parse_port(s, strlen(s), lo) < 0 ? -EINVAL : (*hi = *lo, 0);
	if (parse_port(s, (size_t) (dash - s), lo) < 0 ||
	    parse_port(dash + 1, strlen(dash + 1), hi) < 0 || *hi < *lo)
		return -EINVAL;
	return 0;
}

static int parse_proto(const char *s, enum port_proto *ret, struct berr **err)
{
	if (!*s || strcasecmp(s, "tcp") == 0)
		*ret = PORT_TCP;
	else if (strcasecmp(s, "udp") == 0)
		*ret = PORT_UDP;
	else if (strcasecmp(s, "sctp") == 0)
		return berr_set(err, EINVAL, "invalid proto: %s (berth publishes tcp and udp)", s);
	else
		return berr_set(err, EINVAL, "invalid proto: %s", s);
	return 0;
}

/* IP, or [IP] (docker strips the brackets of an IPv6 address). */
static int parse_host_ip(char *ip, uint32_t *ret, struct berr **err)
{
	size_t len = strlen(ip);

	if (len >= 2 && ip[0] == '[' && ip[len - 1] == ']') {
		ip[len - 1] = '\0';
		ip++;
	}
	if (!*ip) {
		*ret = 0;
		return 0;
	}
	if (ip_parse(ip, ret) == 0)
		return 0;
	if (strchr(ip, ':'))
		return berr_set(err, EINVAL, "invalid IP address: %s (berth publishes IPv4 only)",
				ip);
	return berr_set(err, EINVAL, "invalid IP address: %s", ip);
}

/* IP:HOST:CTR (docker's splitParts: the last two parts are ports, the rest the IP). */
static void split_parts(char *s, char **ip, char **host, char **ctr)
{
	char *last = strrchr(s, ':'), *prev;

	*ip = *host = NULL;
	*ctr = s;
	if (!last)
		return;
	*last = '\0';
	*ctr = last + 1;
	prev = strrchr(s, ':');
	if (!prev) {
		*host = s;
		return;
	}
	*prev = '\0';
	*host = prev + 1;
	*ip = s;
}

int portspec_parse(const char *s, struct port_spec *ret, struct berr **err)
{
	_cleanup_free_ char *copy = strdup(s);
	struct port_spec p = {0};
	char *ip, *host, *ctr, *slash;
	int r;

	if (!copy)
		return berr_set(err, ENOMEM, "out of memory");
	split_parts(copy, &ip, &host, &ctr);
	if ((slash = strchr(ctr, '/')))
		*slash++ = '\0';
	if (ip && (r = parse_host_ip(ip, &p.host_ip, err)) < 0)
		return r;
	if (!*ctr)
		return berr_set(err, EINVAL, "no port specified: %s<empty>", s);
	if (parse_range(ctr, &p.ctr_lo, &p.ctr_hi) < 0 || p.ctr_lo == 0)
		return berr_set(err, EINVAL, "invalid containerPort: %s", ctr);
	if (host && *host && parse_range(host, &p.host_lo, &p.host_hi) < 0)
		return berr_set(err, EINVAL, "invalid hostPort: %s", host);
	if (host && *host && p.host_hi - p.host_lo != p.ctr_hi - p.ctr_lo && p.ctr_lo != p.ctr_hi)
		return berr_set(err, EINVAL,
				"invalid ranges specified for container and host Ports: %s and %s",
				ctr, host);
	if (host && *host && p.host_lo == 0 && p.host_hi != 0)
		return berr_set(err, EINVAL, "invalid hostPort: %s", host);
	if ((r = parse_proto(slash ? slash : "", &p.proto, err)) < 0)
		return r;
	*ret = p;
	return 0;
}

int portspec_parse_expose(const char *s, uint16_t *ret_lo, uint16_t *ret_hi,
			  enum port_proto *ret_proto, struct berr **err)
{
	_cleanup_free_ char *copy = strdup(s);
	char *slash;
	uint16_t lo, hi;
	int r;

	if (!copy)
		return berr_set(err, ENOMEM, "out of memory");
	if ((slash = strchr(copy, '/')))
		*slash++ = '\0';
	if (parse_range(copy, &lo, &hi) < 0 || lo == 0)
		return berr_set(err, EINVAL, "invalid range format for --expose: %s", s);
	if ((r = parse_proto(slash ? slash : "", ret_proto, err)) < 0)
		return r;
	*ret_lo = lo;
	*ret_hi = hi;
	return 0;
}

int portspec_expand(const struct port_spec *spec, struct port_req **v, size_t *n)
{
	size_t count = (size_t) spec->ctr_hi - spec->ctr_lo + 1;
	struct port_req *nv = realloc(*v, (*n + count) * sizeof(**v));
	bool one_to_one = spec->host_lo != 0 && spec->ctr_lo != spec->ctr_hi;

	if (!nv)
		return -ENOMEM;
	*v = nv;
	for (size_t i = 0; i < count; i++) {
		struct port_req *q = &nv[(*n)++];

		q->host_ip = spec->host_ip;
		q->proto = spec->proto;
		q->ctr_port = (uint16_t) (spec->ctr_lo + i);
		q->host_lo = one_to_one ? (uint16_t) (spec->host_lo + i) : spec->host_lo;
		q->host_hi = one_to_one ? q->host_lo : spec->host_hi;
	}
	return 0;
}

char *port_map_format(const struct port_map *m, char *buf)
{
	char hip[IP_STR_MAX], cip[IP_STR_MAX];

	snprintf(buf, PORT_MAP_LINE_MAX, "%s %s %u %s %u", port_proto_name(m->proto),
		 ip_format(m->host_ip, hip), m->host_port, ip_format(m->ctr_ip, cip), m->ctr_port);
	return buf;
}

int port_map_parse(const char *line, struct port_map *ret)
{
	char proto[8], hip[IP_STR_MAX], cip[IP_STR_MAX];
	unsigned hport, cport;
	struct port_map m = {0};
	int end = 0;

	if (sscanf(line, "%7s %15s %u %15s %u%n", proto, hip, &hport, cip, &cport, &end) != 5 ||
	    (line[end] && line[end] != '\n') || hport == 0 || hport > 65535 || cport == 0 ||
	    cport > 65535 || ip_parse(hip, &m.host_ip) < 0 || ip_parse(cip, &m.ctr_ip) < 0)
		return -EINVAL;
	if (strcmp(proto, "tcp") == 0)
		m.proto = PORT_TCP;
	else if (strcmp(proto, "udp") == 0)
		m.proto = PORT_UDP;
	else
		return -EINVAL;
	m.host_port = (uint16_t) hport;
	m.ctr_port = (uint16_t) cport;
	*ret = m;
	return 0;
}
