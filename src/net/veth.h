/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's link to a bridge network: a veth pair whose host end ("vb" and the
 * first 12 digits of the container id) is a port of the network's bridge and whose other
 * end is eth0 in the container's network namespace, with the container's address, the
 * network's MTU, docker's MAC (02:42 and the address) and a default route through the
 * gateway (none on an --internal network, as docker). Nothing to undo at stop: the
 * kernel destroys the pair with the namespace.
 */
#ifndef BERTH_NET_VETH_H
#define BERTH_NET_VETH_H

#include <stdint.h>

#include "lib/err.h"
#include "net/network.h"

/* The host end's name for container id (buf: IFNAMSIZ bytes); returns buf. */
char *veth_host_name(const char *id, char *buf);

/*
 * Attach the network namespace bound at netns_path to network n with address ip (the
 * bridge made if missing). A host end left by a killed start is replaced.
 */
int veth_attach(const struct network *n, uint32_t ip, const char *id, const char *netns_path,
		struct berr **err);

#endif
