/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's link to a bridge network: a veth pair whose host end ("vb" and the
 * first 12 digits of the container id) is a port of the network's bridge and whose other
 * end is eth0 in the container's network namespace, with the container's address, the
 * network's MTU, its MAC (--mac-address, else docker's: 02:42 and the address) and a
 * default route through the gateway (none on an --internal network, as docker). The
 * kernel destroys the pair with the namespace; the cleanup removes the host end too
 * (veth_remove), for a namespace another container joined (--network container:NAME)
 * outlives the container.
 */
#ifndef BERTH_NET_VETH_H
#define BERTH_NET_VETH_H

#include <stdint.h>

#include "lib/err.h"
#include "net/ipam.h"
#include "net/network.h"

/* The host end's name for container id (buf: IFNAMSIZ bytes); returns buf. */
char *veth_host_name(const char *id, char *buf);

/*
 * Attach the network namespace bound at netns_path to network n as the allocation ep
 * (its container id, address and MAC), the bridge made if missing. A host end left by a
 * killed start is replaced.
 */
int veth_attach(const struct network *n, const struct ipam_entry *ep, const char *netns_path,
		struct berr **err);

/*
 * Delete container id's host end if there is one (and so the pair, wherever its eth0 is):
 * 0 (also when there was none) or -errno.
 */
int veth_remove(const char *id);

#endif
