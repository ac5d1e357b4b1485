/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Address management, the pure part: a network's allocations (one line "IP CONTAINER-ID"
 * each, with " MAC" after it for a container made with --mac-address: the text of
 * <root>/networks/<name>.ipam), picking a container's address, and
 * picking a new network's subnet from docker's default pools. No I/O: network_store.c
 * reads and writes the files under the lock.
 */
#ifndef BERTH_NET_IPAM_H
#define BERTH_NET_IPAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "net/cidr.h"
#include "net/mac.h"

#define IPAM_ID_LEN 64
#define IPAM_MAX 65536 /* lines in a .ipam file */

struct ipam_entry {
	uint32_t ip;
	char id[IPAM_ID_LEN + 1];
	bool has_mac;		    /* --mac-address; else docker's (mac_from_ip) */
	unsigned char mac[MAC_LEN]; /* with has_mac */
};

struct ipam {
	struct ipam_entry *v;
	size_t n;
};

void ipam_done(struct ipam *a);

/* Parse a .ipam file's text (len bytes) into *ret (the caller owns it; ipam_done). */
int ipam_parse(const char *text, size_t len, struct ipam *ret, struct berr **err);
/* The text of a; malloc'd, NULL on OOM. */
char *ipam_format(const struct ipam *a);

/* The entry of container id, or NULL. */
const struct ipam_entry *ipam_find(const struct ipam *a, const char *id);
/* Add (ip, id); -ENOMEM. */
int ipam_add(struct ipam *a, uint32_t ip, const char *id);
/* Add (ip, id) with the MAC given (NULL: docker's, from ip); -ENOMEM. */
int ipam_add_mac(struct ipam *a, uint32_t ip, const char *id, const unsigned char *mac);
/* The MAC of e's container: the one given at create, else docker's from its address. */
void ipam_entry_mac(const struct ipam_entry *e, unsigned char ret[MAC_LEN]);
/* The entry whose MAC (ipam_entry_mac) is mac, other than container except_id's; or NULL. */
const struct ipam_entry *ipam_find_mac(const struct ipam *a, const unsigned char mac[MAC_LEN],
				       const char *except_id);
/* Remove id's entry; true when there was one. */
bool ipam_remove(struct ipam *a, const char *id);

/*
 * A container's address in subnet, from range (the network's --ip-range, else the
 * subnet): want when nonzero (it must be in the subnet and free), else the lowest free
 * one. Never the subnet's own address, its broadcast address or the gateway.
 */
int ipam_pick(const struct cidr *subnet, const struct cidr *range, uint32_t gateway,
	      const struct ipam *a, uint32_t want, uint32_t *ret, struct berr **err);

/*
 * A subnet for a new network from docker's default pools (172.17.0.0/16 ... 172.31.0.0/16,
 * then 192.168.0.0/20 ... 192.168.240.0/20), the first that overlaps none of taken[n]
 * (existing networks and the routes of the engine's namespace). -ENOSPC with docker's
 * message when all do.
 */
int ipam_pool_pick(const struct cidr *taken, size_t n, struct cidr *ret, struct berr **err);

#endif
