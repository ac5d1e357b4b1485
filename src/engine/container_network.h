/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container on a user-defined network (NETWORK_BRIDGE): its network checked at create,
 * its address allocated once its directory exists and freed at rm, its veth made at each
 * start in the network namespace the engine made, its names on the network's name server
 * (aardvark-dns, src/net/dns.h) from start to stop (src/net does the work).
 */
#ifndef BERTH_ENGINE_CONTAINER_NETWORK_H
#define BERTH_ENGINE_CONTAINER_NETWORK_H

#include <stdint.h>

#include "engine/container_store.h"
#include "net/network.h"

/* The engine's root as src/net wants it. */
static inline struct net_root engine_net_root(const struct engine *e)
{
	return (struct net_root){.root = e->root, .rootfd = e->rootfd};
}

/*
 * Before anything is written: the network exists and is a bridge network, --ip lies in
 * its subnet; cfg->network_name becomes the network's name (it may have been an id).
 */
int container_network_check(struct engine *e, struct container_config *cfg, struct berr **err);

/*
 * With the container's directory made: its address (--ip or the next free one), recorded
 * with its --mac-address if it has one (the veth and the anti-spoofing rules use it).
 */
int container_network_allocate(struct engine *e, const struct container_config *cfg,
			       struct berr **err);

/* Free the container's address (rm, or a create that failed). Best effort. */
void container_network_release(struct engine *e, const struct container_config *cfg);

/*
 * At start: the veth into netns_path, with the container's address; its published ports
 * (container_ports.h), whose fds c then holds for the monitor.
 */
int container_network_attach(struct engine *e, struct container *c, const char *netns_path,
			     struct berr **err);

/*
 * After a rename (c->cfg has the new name): a running container's line on its network's
 * name server is replaced, so the old name stops resolving and the new one resolves.
 */
int container_network_rename(struct engine *e, const struct container *c, struct berr **err);

/* The gateway of the container's network (0 and *ret_gateway) or -ENOENT. */
int container_network_gateway(struct engine *e, const struct container_config *cfg,
			      uint32_t *ret_gateway);

/* The container's address on its network (0 and *ret_ip) or -ENOENT. */
int container_network_address(struct engine *e, const struct container_config *cfg,
			      uint32_t *ret_ip);

/* Its allocation on its network (address and MAC: ipam_entry_mac) or -ENOENT. */
int container_network_endpoint(struct engine *e, const struct container_config *cfg,
			       struct ipam_entry *ret);

#endif
