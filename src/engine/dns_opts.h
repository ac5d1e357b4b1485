/* SPDX-License-Identifier: Apache-2.0 */
/*
 * --dns, --dns-search, --dns-option, --add-host and --network-alias of create/run,
 * checked with docker's words and copied into the config (etc_files.c and src/net/dns.h
 * use them).
 */
#ifndef BERTH_ENGINE_DNS_OPTS_H
#define BERTH_ENGINE_DNS_OPTS_H

#include "engine/container_opts.h"

/* After the network mode is known (aliases need a user-defined network). */
int dns_from_flags(const struct container_flags *f, struct container_config *c, struct berr **err);

/*
 * The host's default address, for host-gateway off user-defined networks: the source
 * address of the route to a TEST-NET address (a UDP connect, which sends nothing).
 * buf: IP_STR_MAX bytes.
 */
int dns_host_address(char *buf, struct berr **err);

#endif
