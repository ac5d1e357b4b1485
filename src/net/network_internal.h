/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the files of the network store; not for callers outside src/net. */
#ifndef BERTH_NET_NETWORK_INTERNAL_H
#define BERTH_NET_NETWORK_INTERNAL_H

#include "net/network.h"

/* <root>/networks (made if missing), an fd the caller closes. */
int network_dir(const struct net_root *nr, struct berr **err);
/* Write dirfd/<name>.json atomically. */
int network_save(int dirfd, const struct network *n, struct berr **err);
/* Read dirfd/file; -ENOENT without a message when it is missing. */
int network_read(int dirfd, const char *file, struct network *ret, struct berr **err);
int network_list_at(int dirfd, struct network **ret, size_t *ret_n, struct berr **err);
/* By name, id or id prefix; -ENOENT with docker's "network X not found". */
int network_find(int dirfd, const char *ref, struct network *ret, struct berr **err);
/* none.json, host.json and bridge.json, made when missing (with the lock held). */
int network_predefined_ensure(int dirfd, struct berr **err);
/* network_firewall_sync with the lock held. */
int network_firewall_sync_at(int dirfd, struct berr **err);
/* docker's network names: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most NETWORK_NAME_MAX bytes. */
bool network_name_valid(const char *name);
/* The allocations of name in dirfd, and the stale ones dropped when rootfd >= 0. */
int network_ipam_read(int dirfd, const char *name, int rootfd, struct ipam *ret, struct berr **err);

#endif
