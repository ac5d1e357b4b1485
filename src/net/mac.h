/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ethernet (EUI-48) addresses: --mac-address as docker's CLI reads it (Go's
 * net.ParseMAC forms), their text, and docker's MAC derived from a container's address
 * (02:42 and the four bytes of the IPv4 address). Pure.
 */
#ifndef BERTH_NET_MAC_H
#define BERTH_NET_MAC_H

#include <stdbool.h>
#include <stdint.h>

#define MAC_LEN 6
#define MAC_STR_MAX 18 /* "aa:bb:cc:dd:ee:ff" + NUL */

/*
 * Parse s, leading and trailing blanks ignored, in one of Go's forms for six octets:
 * 92:d0:c6:0a:29:33, 92-d0-c6-0a-29-33 or 92d0.c60a.2933 (either case). 0, or -EINVAL
 * (also for Go's 8- and 20-octet forms, which no Ethernet interface takes).
 */
int mac_parse(const char *s, unsigned char ret[MAC_LEN]);

/* Format m into buf (MAC_STR_MAX bytes) as the kernel prints it (lower case); returns buf. */
char *mac_format(const unsigned char m[MAC_LEN], char *buf);

/* Docker's MAC for address ip: 02:42 and its four bytes. */
void mac_from_ip(uint32_t ip, unsigned char ret[MAC_LEN]);

/* m can be an interface's (the kernel's is_valid_ether_addr: not multicast, not zero). */
bool mac_unicast(const unsigned char m[MAC_LEN]);

#endif
