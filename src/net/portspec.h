/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Published ports (issue 14), pure: docker's -p/--publish [IP:][HOSTPORT:]CTRPORT[/PROTO]
 * and --expose PORT[-PORT][/PROTO] with docker's (go-connections nat.ParsePortSpec) error
 * messages, and the line format of a published port in berth's state ("tcp 0.0.0.0 8080
 * 10.1.0.2 80"). IPv4 only: berth's networks are.
 */
#ifndef BERTH_NET_PORTSPEC_H
#define BERTH_NET_PORTSPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

enum port_proto {
	PORT_TCP,
	PORT_UDP,
	_PORT_PROTO_MAX,
};

/* One -p value. host_lo == 0: a random host port (the kernel's pick). */
struct port_spec {
	uint32_t host_ip; /* host order; 0: every address (0.0.0.0) */
	uint16_t host_lo, host_hi;
	uint16_t ctr_lo, ctr_hi;
	enum port_proto proto;
};

/*
 * One container port to publish: on a host port in [host_lo, host_hi] (the first that is
 * free), or a random one when host_lo == 0.
 */
struct port_req {
	uint32_t host_ip;
	uint16_t host_lo, host_hi;
	uint16_t ctr_port;
	enum port_proto proto;
};

/* A port as published: host_ip:host_port forwards to ctr_ip:ctr_port. */
struct port_map {
	enum port_proto proto;
	uint32_t host_ip;
	uint16_t host_port;
	uint32_t ctr_ip;
	uint16_t ctr_port;
};

#define PORT_MAP_LINE_MAX 64
#define PORT_SPEC_MAX_RANGE 65536

const char *port_proto_name(enum port_proto p);

/* Parse one -p value (docker's messages: "invalid containerPort: abc", ...). */
int portspec_parse(const char *s, struct port_spec *ret, struct berr **err);

/* Parse "80", "80-82", "80/udp" (--expose, the image's "80/tcp"). */
int portspec_parse_expose(const char *s, uint16_t *ret_lo, uint16_t *ret_hi,
			  enum port_proto *ret_proto, struct berr **err);

/*
 * Append spec's container ports to *v (*n of them; realloc'd, the caller frees): a host
 * range as long as the container range maps one to one, a host range for one container
 * port is where to look for a free one.
 */
int portspec_expand(const struct port_spec *spec, struct port_req **v, size_t *n);

/* "tcp 0.0.0.0 8080 10.1.0.2 80" into buf (PORT_MAP_LINE_MAX bytes); returns buf. */
char *port_map_format(const struct port_map *m, char *buf);
/* Parse a port_map_format() line; -EINVAL if it is not one. */
int port_map_parse(const char *line, struct port_map *ret);

#endif
