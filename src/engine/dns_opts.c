/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/dns_opts.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/cleanup.h"
#include "lib/strv.h"
#include "net/cidr.h"
#include "net/dns.h"

#define DNS_FLAG_MAX 64 /* values of each flag */

static bool ip_any_valid(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* a value with no blank or control character (one word of resolv.conf) */
static bool word_valid(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if ((unsigned char) *s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

static int check_count(char *const *v, const char *flag, struct berr **err)
{
	if (strv_length(v) > DNS_FLAG_MAX)
		return berr_set(err, EINVAL, "too many %s values (at most %d)", flag, DNS_FLAG_MAX);
	return 0;
}

static int check_dns(const struct container_flags *f, struct berr **err)
{
	int r;

	if ((r = check_count(f->dns, "--dns", err)) < 0 ||
	    (r = check_count(f->dns_search, "--dns-search", err)) < 0 ||
	    (r = check_count(f->dns_options, "--dns-option", err)) < 0)
		return r;
	STRV_FOREACH (s, f->dns)
		if (!ip_any_valid(*s))
			return berr_set(err, EINVAL,
					"invalid argument \"%s\" for \"--dns\" flag: %s is not an "
					"ip address",
					*s, *s);
	STRV_FOREACH (s, f->dns_search)
		if (!word_valid(*s) || strlen(*s) > DNS_NAME_MAX)
			return berr_set(err, EINVAL,
					"invalid argument \"%s\" for \"--dns-search\" flag: %s is "
					"not a valid domain",
					*s, *s);
	STRV_FOREACH (s, f->dns_options)
		if (!word_valid(*s))
			return berr_set(err, EINVAL,
					"invalid argument \"%s\" for \"--dns-option\" flag", *s);
	return 0;
}

/* NAME:IP or NAME=IP; IP an address or host-gateway */
static int check_add_hosts(char *const *v, struct berr **err)
{
	int r;

	if ((r = check_count(v, "--add-host", err)) < 0)
		return r;
	STRV_FOREACH (h, v) {
		size_t n = strcspn(*h, ":=");
		_cleanup_free_ char *name = strndup(*h, n);
		const char *ip = *h + n + ((*h)[n] ? 1 : 0);

		if (!name)
			return -ENOMEM;
		if (!(*h)[n] || !dns_name_valid(name))
			return berr_set(
				err, EINVAL,
				"invalid argument \"%s\" for \"--add-host\" flag: bad format "
				"for add-host: \"%s\"",
				*h, *h);
		if (strcmp(ip, "host-gateway") != 0 && !ip_any_valid(ip))
			return berr_set(err, EINVAL, "invalid IP address in add-host: \"%s\"", ip);
	}
	return 0;
}

static int check_aliases(const struct container_flags *f, const struct container_config *c,
			 struct berr **err)
{
	int r;

	if (!f->network_aliases)
		return 0;
	if (c->network != NETWORK_BRIDGE || container_on_default_bridge(c))
		return berr_set(err, EINVAL,
				"network-scoped aliases are only supported for user-defined "
				"networks");
	if ((r = check_count(f->network_aliases, "--network-alias", err)) < 0)
		return r;
	STRV_FOREACH (a, f->network_aliases)
		if (!dns_name_valid(*a))
			return berr_set(err, EINVAL,
					"invalid network alias '%s' (letters, digits, '_', '.' and "
					"'-')",
					*a);
	return 0;
}

int dns_from_flags(const struct container_flags *f, struct container_config *c, struct berr **err)
{
	struct {
		char *const *from;
		char ***to;
	} copies[] = {
		{f->dns, &c->dns},
		{f->dns_search, &c->dns_search},
		{f->dns_options, &c->dns_options},
		{f->add_hosts, &c->extra_hosts},
		{f->network_aliases, &c->aliases},
	};
	int r;

	if ((r = check_dns(f, err)) < 0 || (r = check_add_hosts(f->add_hosts, err)) < 0 ||
	    (r = check_aliases(f, c, err)) < 0)
		return r;
	for (size_t i = 0; i < sizeof(copies) / sizeof(copies[0]); i++)
		if (copies[i].from && !(*copies[i].to = strv_copy(copies[i].from)))
			return -ENOMEM;
	return 0;
}

int dns_host_address(char *buf, struct berr **err)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9)}, me = {0};
	socklen_t len = sizeof(me);
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return berr_sys(err, errno, "host-gateway: cannot make a socket");
	to.sin_addr.s_addr = htonl(0xc0000201); /* 192.0.2.1, TEST-NET-1: never sent to */
	if (connect(fd, (struct sockaddr *) &to, sizeof(to)) < 0 ||
	    getsockname(fd, (struct sockaddr *) &me, &len) < 0)
		return berr_sys(err, errno, "host-gateway: the host has no default address");
	ip_format(ntohl(me.sin_addr.s_addr), buf);
	return 0;
}
