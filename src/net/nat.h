/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NAT and isolation of the bridge networks with nftables, in berth's own table `inet
 * berth` and nowhere else. The whole table is derived from the list of networks and
 * replaced in one transaction (add, delete, define: atomic in the kernel), so a berth
 * killed at any point leaves either the old rules or the new ones, and the next change
 * (or start) writes them again. For each bridge network:
 *   - input: DNS (tcp/udp 53) to its gateway, where aardvark-dns listens, is dropped
 *     unless it comes in through its bridge (or lo, the host itself): a container cannot
 *     ask another network's gateway for that network's names;
 *   - forward: between two containers of the network, accept; from its bridge to another
 *     berth bridge, drop; from its bridge out, accept (drop when --internal); to its
 *     bridge, accept replies (ct established,related) and published ports (ct status
 *     dnat, first: from another network too), drop the rest;
 *   - prerouting and output: DNAT of each published port (portspec.h) to its container;
 *     the host's own addresses (fib daddr type local) for 0.0.0.0, else the one given;
 *     loopback addresses only in output (moby#45610);
 *   - postrouting: masquerade its subnet leaving through anything but its bridge (not for
 *     --internal); masquerade what is DNATed into a bridge from 127.0.0.0/8 or from the
 *     bridge's own subnet (the reply must come back through the host).
 * And in table bridge berth (chain prerouting, bridge family: frames between two ports of
 * one bridge never reach the inet hooks), per container address: what enters the bridge
 * from its veth (vb<id>) is dropped unless its source MAC is the container's
 * (ipam_entry_mac: its --mac-address, else docker's), its IPv4 source and its ARP sender
 * are the container's: a container
 * cannot send as another.
 * Routing between the bridges and out also needs net.ipv4.ip_forward=1 in the engine's
 * network namespace: nat_enable_forwarding() sets it there (as dockerd does at start).
 */
#ifndef BERTH_NET_NAT_H
#define BERTH_NET_NAT_H

#include <stddef.h>

#include "lib/err.h"
#include "net/ipam.h"
#include "net/network.h"

/* The published ports of the running containers (portspec.h); NULL: none. */
struct nat_ports {
	const struct port_map *v;
	size_t n;
};

/*
 * The nft script that replaces table inet berth for networks v[n] and published ports p,
 * and table bridge berth for the containers' addresses eps (the allocations of the bridge
 * networks; NULL: none) (malloc'd; NULL: OOM).
 */
char *nat_ruleset(const struct network *v, size_t n, const struct nat_ports *p,
		  const struct ipam *eps);

/* Run nat_ruleset(v, n, p, eps) through libnftables. */
int nat_apply(const struct network *v, size_t n, const struct nat_ports *p, const struct ipam *eps,
	      struct berr **err);

/* net.ipv4.ip_forward=1 in the caller's network namespace. */
int nat_enable_forwarding(struct berr **err);

#endif
