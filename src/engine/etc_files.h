/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /etc/hostname, /etc/hosts and /etc/resolv.conf of a container, written in its
 * directory and bound into it read-write (as docker does): its hostname, localhost,
 * --add-host's entries, and the resolvers: the network's name server (its gateway, where
 * aardvark-dns listens: src/net/dns.h) on a user-defined network, else --dns or the host's
 * (without loopback ones, which would not answer inside a network namespace of its own).
 */
#ifndef BERTH_ENGINE_ETC_FILES_H
#define BERTH_ENGINE_ETC_FILES_H

#include <stdbool.h>

#include "lib/err.h"

struct etc_opts {
	const char *hostname;
	bool host_network;	 /* the host's own hosts file, the host's resolvers */
	const char *ip;		 /* the container's address on its network; NULL: 127.0.1.1 */
	const char *gateway;	 /* what host-gateway means; NULL: not known */
	const char *name_server; /* the network's name server (embedded DNS); NULL: none */
	char *const *dns, *const *dns_search, *const *dns_options; /* --dns... (NULL: host's) */
	char *const *extra_hosts; /* --add-host NAME:IP (IP may be host-gateway) */
};

/* The hosts file's text (malloc'd; NULL on OOM). */
char *etc_hosts_text(const struct etc_opts *o, const char *host_hosts);

/*
 * resolv.conf's text from the host's, as docker writes it: nameservers (the name server,
 * else --dns, else the host's without loopback ones unless host_network, else docker's
 * fallback 8.8.8.8 and 8.8.4.4), search (--dns-search, "." for none, else the host's) and
 * options (--dns-option, else the host's; ndots:0 added for the name server as docker's).
 */
char *etc_resolv_text(const struct etc_opts *o, const char *host_resolv);

/* Write hostname, hosts and resolv.conf into dirfd (replacing them). */
int etc_files_write(int dirfd, const struct etc_opts *o, struct berr **err);

#endif
