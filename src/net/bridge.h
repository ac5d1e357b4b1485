/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A network's Linux bridge in the engine's network namespace (rtnetlink): made on the
 * first container's start, with the gateway's address, up; removed with the network.
 */
#ifndef BERTH_NET_BRIDGE_H
#define BERTH_NET_BRIDGE_H

#include <stdbool.h>

#include "lib/err.h"
#include "net/network.h"

/*
 * The MAC address of a network's bridge (its gateway's): 02:43: and the first 4 bytes of
 * the network's id, fixed for the network's life.
 */
void bridge_mac(const char *network_id, unsigned char mac[6]);

/* A bridge name: 1 to 15 bytes of [a-zA-Z0-9_.-], not "." or "..". */
bool bridge_name_valid(const char *name);

/*
 * The bridge of n, made if missing (its MTU, the gateway's address, up); an existing one
 * gets the address if it lacks it and is set up. fd: an rtnetlink socket in the engine's
 * namespace. Returns the bridge's ifindex or -errno.
 */
int bridge_ensure(int fd, const struct network *n, struct berr **err);

/* Delete the bridge called name if there is one. */
int bridge_delete(const char *name, struct berr **err);

#endif
