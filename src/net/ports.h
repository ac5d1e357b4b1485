/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Published ports, the stateful half (portspec.h is the pure one). The host ports are
 * held by sockets bound in the engine's network namespace (so that nothing else can take
 * them, and a second `-p 8080:80` fails as docker's does), handed to the container's
 * monitor, which holds them while the container runs (conmon's way). What is published
 * is recorded in <root>/networks/ports/<container id>, one port_map a line, flock'd
 * (LOCK_EX) through the same open file as long as the sockets live: a file nobody holds
 * is stale (its berth or monitor was killed) and the next firewall sync deletes it, so
 * the DNAT rules (nat.h) always follow the live files.
 */
#ifndef BERTH_NET_PORTS_H
#define BERTH_NET_PORTS_H

#include <stddef.h>

#include "lib/err.h"
#include "net/network.h"
#include "net/portspec.h"

/* The sockets and the lock of one container's ports, and what they publish. */
struct ports_held {
	int *fds; /* the bound sockets, then the lock fd once recorded */
	size_t n_fds;
	struct port_map *maps;
	size_t n_maps;
};

/* Close the fds and free the maps. */
void ports_held_done(struct ports_held *h);

/*
 * Bind a socket for each request (its range's first free port, or the kernel's pick),
 * forwarding to ctr_ip. -EADDRINUSE with docker's "Bind for 0.0.0.0:8080 failed: port is
 * already allocated". On failure nothing stays bound.
 */
int ports_bind(const struct port_req *reqs, size_t n, uint32_t ctr_ip, struct ports_held *ret,
	       struct berr **err);

/*
 * With the network lock: record h as container id's ports (h->fds gets the lock fd),
 * route_localnet=1 on n's bridge (loopback DNAT, nat.h), and write the firewall.
 */
int ports_publish(const struct net_root *nr, const struct network *n, const char *id,
		  struct ports_held *h, struct berr **err);

/* Drop container id's record and write the firewall without it (stop, rm, repair). */
int ports_unpublish(const struct net_root *nr, const char *id, struct berr **err);

/* Container id's published ports (*ret_n may be 0); -ENOENT when none are recorded. */
int ports_read(const struct net_root *nr, const char *id, struct port_map **ret, size_t *ret_n);

/* The ports of every live record in dirfd (networks/); stale records are deleted. */
int ports_live_at(int dirfd, struct port_map **ret, size_t *ret_n);

#endif
