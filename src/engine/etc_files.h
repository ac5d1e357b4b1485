/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /etc/hostname, /etc/hosts and /etc/resolv.conf of a container, written in its
 * directory and bound into it read-write (as docker does): its hostname, localhost,
 * and the host's resolvers (without loopback ones, which would not answer inside a
 * network namespace of its own).
 */
#ifndef BERTH_ENGINE_ETC_FILES_H
#define BERTH_ENGINE_ETC_FILES_H

#include <stdbool.h>

#include "lib/err.h"

/*
 * The hosts file's text for hostname (malloc'd). host_network: the host's own file. ip:
 * the container's address on its network (docker's "IP<TAB>hostname" line), NULL: the
 * hostname on 127.0.1.1.
 */
char *etc_hosts_text(const char *hostname, const char *host_hosts, bool host_network,
		     const char *ip);

/* resolv.conf's text from the host's: loopback nameservers dropped unless host_network. */
char *etc_resolv_text(const char *host_resolv, bool host_network);

/* Write hostname, hosts and resolv.conf into dirfd (replacing them). */
int etc_files_write(int dirfd, const char *hostname, bool host_network, const char *ip,
		    struct berr **err);

#endif
