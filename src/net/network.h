/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The network store, <root>/networks/:
 *   <name>.json   the network, docker's fields (Name, Id, Created, Driver, Subnet, Gateway,
 *                 IPRange, Internal, Labels, Options); written atomically, last at create
 *   <name>.ipam   its allocations, "IP CONTAINER-ID[ MAC]" a line (ipam.h); absent: none
 * and <root>/networks.lock, held (flock) by every change and by every allocation. The
 * predefined networks "none" and "host" are files too (Driver "null", "host"), made on
 * first use, so that their ids are stable as docker's are; so is docker's default
 * network "bridge" (Linux bridge berth0, the first subnet of the pool free then), which
 * has no name server: its containers get the host's resolvers, as on docker's.
 * An allocation whose container directory (<root>/containers/<id>) is gone is stale (a
 * berth killed between the allocation and the container's creation, or during rm): the
 * next allocation on that network drops it.
 */
#ifndef BERTH_NET_NETWORK_H
#define BERTH_NET_NETWORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "net/cidr.h"
#include "net/ipam.h"

#define NETWORK_ID_LEN 64
#define NETWORK_NAME_MAX 128
#define NETWORK_MTU_DEFAULT 1500
/* docker's default network, "bridge", and its Linux bridge (docker's is docker0) */
#define NETWORK_DEFAULT "bridge"
#define NETWORK_DEFAULT_BRIDGE "berth0"

/* Where the engine keeps its state: root (absolute) and an O_PATH fd of it. */
struct net_root {
	const char *root;
	int rootfd;
};

struct network {
	char *name, *id, *created, *driver; /* driver: "bridge", "null", "host" */
	bool has_subnet;		    /* false for the predefined ones */
	struct cidr subnet, range;	    /* range: --ip-range, else the subnet */
	bool has_range;
	uint32_t gateway;
	bool internal;
	char **labels, **options; /* "key=value" */
	char *bridge;		  /* the Linux bridge's name */
	uint32_t mtu;
};

void network_done(struct network *n);

/* What `network create` asks for (strings as the user gave them; NULL: not given). */
struct network_create_opts {
	const char *name, *driver, *subnet, *gateway, *ip_range;
	bool internal;
	char *const *labels, *const *options;
};

/* The network lock (networks.lock, LOCK_EX); the caller closes the fd it returns. */
int network_lock(const struct net_root *nr, struct berr **err);

/* Check and make a network; *ret gets it (the caller owns it). Takes the lock. */
int network_create(const struct net_root *nr, const struct network_create_opts *o,
		   struct network *ret, struct berr **err);
/*
 * Load network ref: a name, a full id or a unique id prefix (docker's lookup); -ENOENT
 * says "network REF not found".
 */
int network_load(const struct net_root *nr, const char *ref, struct network *ret,
		 struct berr **err);
/* Every network, sorted by name (the predefined ones included); *ret_n of them. */
int network_list(const struct net_root *nr, struct network **ret, size_t *ret_n, struct berr **err);
void network_list_free(struct network *v, size_t n);
/* The network is predefined ("none", "host", "bridge"): it cannot be removed. */
bool network_predefined(const struct network *n);

/* The allocations of the network (stale ones included). */
int network_allocations(const struct net_root *nr, const char *name, struct ipam *ret,
			struct berr **err);

/*
 * Remove network ref and its bridge: refused (-EBUSY, docker's "has active endpoints")
 * while a container (one whose directory exists) has an address on it.
 */
int network_remove(const struct net_root *nr, const char *ref, struct berr **err);

/*
 * Give container id an address on network name (want: --ip, or 0) and its MAC (mac:
 * --mac-address, recorded with the address; NULL: docker's, derived from the address);
 * the stale allocations are dropped on the way. A MAC another container of the network
 * has is refused (-EADDRINUSE). *ret_ip gets the address. Takes the lock.
 */
int network_allocate(const struct net_root *nr, const char *name, const char *id, uint32_t want,
		     const unsigned char *mac, uint32_t *ret_ip, struct berr **err);
/* Free container id's address on network name (none is success). Takes the lock. */
int network_release(const struct net_root *nr, const char *name, const char *id, struct berr **err);
/* The address of container id on network name: 0 with *ret_ip, or -ENOENT. */
int network_address(const struct net_root *nr, const char *name, const char *id, uint32_t *ret_ip);
/* Its allocation (address and MAC, ipam_entry_mac): 0 with *ret, or -ENOENT. */
int network_endpoint(const struct net_root *nr, const char *name, const char *id,
		     struct ipam_entry *ret);

/*
 * Rewrite berth's nftables table from the list of networks (nat.h), with the lock taken;
 * and, when n is a network that routes out (not --internal), net.ipv4.ip_forward=1 in
 * the engine's network namespace. At each start of a container on a network, so that a
 * flushed ruleset is repaired.
 */
int network_firewall_sync(const struct net_root *nr, const struct network *n, struct berr **err);

/*
 * network ls's --filter K=V (docker's: driver, id, label, name, scope, type): an unknown
 * key or one without a value is -EINVAL "Invalid filter 'K'".
 */
int network_filter_check(char *const *filters, struct berr **err);
/* n passes filters (checked): values of one key OR'd, different keys AND'd. */
bool network_filter_match(const struct network *n, char *const *filters);

/*
 * Remove every network that passes filters (NULL: all) and no container has an address
 * on, but the predefined ones; the names of the removed ones are appended to *ret_names.
 */
int network_prune(const struct net_root *nr, char *const *filters, char ***ret_names,
		  struct berr **err);

#endif
