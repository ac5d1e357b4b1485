/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Name resolution on user-defined networks with Debian's aardvark-dns (Podman's server).
 * berth keeps one aardvark per engine root: its configuration directory is <root>/dns/,
 * one file per network named after the network's id:
 *   GATEWAY                                  (first line: the address it listens on, :53)
 *   ID IPV4 IPV6 NAME,SHORT-ID,ALIAS...[ SERVER,...]   (a running container each)
 * SERVER: the container's --dns, the upstreams for the names it does not know (else the
 * engine's /etc/resolv.conf). aardvark writes its pid to <root>/dns/aardvark.pid and
 * rereads the directory on SIGHUP. dns.c is the pure part (the text), dns_server.c the
 * files and the process.
 */
#ifndef BERTH_NET_DNS_H
#define BERTH_NET_DNS_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"
#include "net/network.h"

#define DNS_SHORT_ID_LEN 12
#define DNS_NAME_MAX 255

/* A name aardvark can carry: [A-Za-z0-9_.-], 1..DNS_NAME_MAX bytes. */
bool dns_name_valid(const char *name);

/*
 * The line of container id (64 hex) at ip: its name, its short id and aliases, and its
 * upstream servers (may be NULL). malloc'd, newline-terminated; NULL on OOM.
 */
char *dns_entry_line(const char *id, uint32_t ip, const char *name, char *const *aliases,
		     char *const *servers);

/*
 * A network file's new text: old (NULL: no file) with id's line replaced by line (NULL:
 * removed) and the lines of containers keep() refuses dropped (keep may be NULL), under
 * the first line "GATEWAY" (0: the old file's first line). *ret is NULL when no container is left (the file goes).
 * 0 or -ENOMEM.
 */
int dns_file_update(const char *old, uint32_t gateway, const char *id, const char *line,
		    bool (*keep)(const char *id, void *userdata), void *userdata, char **ret);

/*
 * Put container id's line (from dns_entry_line) into network n's file, or remove it
 * (line NULL), then bring aardvark in line: started when a file exists and it does not
 * run (a dead one too), reloaded (SIGHUP) when it runs, stopped when no file is left.
 * Takes <root>/dns.lock.
 */
int dns_server_update(const struct net_root *nr, const struct network *n, const char *id,
		      const char *line, struct berr **err);

/* Remove container id from every network file (a stopped container); best effort. */
void dns_server_forget(const struct net_root *nr, const char *id);

#endif
