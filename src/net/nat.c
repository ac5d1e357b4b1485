/* SPDX-License-Identifier: Apache-2.0 */
#include "net/nat.h"

#include <errno.h>
#include <fcntl.h>
#include <nftables/libnftables.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "net/portspec.h"

struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (b->len + (size_t) n + 1 > b->cap) {
		size_t cap = (b->len + (size_t) n + 1) * 2;
		char *s = realloc(b->s, cap);

		if (!s) {
			b->oom = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t) n;
}

static bool is_bridge(const struct network *n)
{
	return n->has_subnet && n->bridge && strcmp(n->driver, "bridge") == 0;
}

/* { "br-a", "br-b" }: every berth bridge. */
static void add_bridge_set(struct sbuf *b, const struct network *v, size_t n)
{
	bool first = true;

	add(b, "{ ");
	for (size_t i = 0; i < n; i++)
		if (is_bridge(&v[i])) {
			add(b, "%s\"%s\"", first ? "" : ", ", v[i].bridge);
			first = false;
		}
	add(b, " }");
}

/* The network has a published port (a DNAT target in its subnet). */
static bool has_ports(const struct network *net, const struct nat_ports *p)
{
	for (size_t i = 0; p && i < p->n; i++)
		if (is_bridge(net) && !net->internal && cidr_contains(&net->subnet, p->v[i].ctr_ip))
			return true;
	return false;
}

static void add_forward(struct sbuf *b, const struct network *v, size_t n,
			const struct nat_ports *p)
{
	add(b, "\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n");
	/* published ports: from anywhere (another network too), before the isolation drops */
	for (size_t i = 0; i < n; i++)
		if (has_ports(&v[i], p))
			add(b, "\t\toifname \"%s\" ct status dnat accept\n", v[i].bridge);
	for (size_t i = 0; i < n; i++) {
		const char *br = v[i].bridge;

		if (!is_bridge(&v[i]))
			continue;
		add(b, "\t\tiifname \"%s\" oifname \"%s\" accept\n", br, br);
		add(b, "\t\tiifname \"%s\" oifname ", br);
		add_bridge_set(b, v, n);
		add(b, " drop\n");
		add(b, "\t\tiifname \"%s\" %s\n", br, v[i].internal ? "drop" : "accept");
		if (!v[i].internal)
			add(b, "\t\toifname \"%s\" ct state established,related accept\n", br);
		add(b, "\t\toifname \"%s\" drop\n", br);
	}
	add(b, "\t}\n");
}

/*
 * aardvark-dns listens on every bridge's gateway, port 53, in the engine's namespace: a
 * container would reach another network's gateway through its own bridge (the host
 * routes to its own addresses) and learn that network's names. DNS to a gateway is
 * accepted from its bridge (and from the host itself, lo) only; every other input is
 * left as it was (policy accept, as docker's).
 */
static void add_input(struct sbuf *b, const struct network *v, size_t n)
{
	char ip[IP_STR_MAX];

	add(b, "\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n");
	for (size_t i = 0; i < n; i++)
		if (is_bridge(&v[i]))
			add(b,
			    "\t\tip daddr %s meta l4proto { tcp, udp } th dport 53 "
			    "iifname != { \"%s\", \"lo\" } drop\n",
			    ip_format(v[i].gateway, ip), v[i].bridge);
	add(b, "\t}\n");
}

static void add_postrouting(struct sbuf *b, const struct network *v, size_t n,
			    const struct nat_ports *p)
{
	char cidr[CIDR_STR_MAX];

	add(b, "\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy "
	       "accept;\n");
	for (size_t i = 0; i < n; i++)
		if (is_bridge(&v[i]) && !v[i].internal)
			add(b, "\t\tip saddr %s oifname != \"%s\" masquerade\n",
			    cidr_format(&v[i].subnet, cidr), v[i].bridge);
	/*
	 * a published port reached from 127.0.0.1 (route_localnet on the bridge) or from its
	 * own network through the host's address: the reply must come back through the host
	 */
	for (size_t i = 0; i < n; i++)
		if (has_ports(&v[i], p))
			add(b,
			    "\t\toifname \"%s\" ct status dnat ip saddr { 127.0.0.0/8, %s } "
			    "masquerade\n",
			    v[i].bridge, cidr_format(&v[i].subnet, cidr));
	add(b, "\t}\n");
}

/* tcp dport 8080 dnat ip to 10.1.0.2:80 */
static void add_dnat_target(struct sbuf *b, const struct port_map *m)
{
	char ip[IP_STR_MAX];

	add(b, "%s dport %u dnat ip to %s:%u\n", port_proto_name(m->proto), m->host_port,
	    ip_format(m->ctr_ip, ip), m->ctr_port);
}

static bool is_loopback(uint32_t ip)
{
	return (ip >> 24) == 127;
}

/*
 * prerouting: what arrives from outside (or from a container); output: what the host
 * itself sends. A port on 127.0.0.0/8 is only in output, and prerouting never matches a
 * loopback destination: a packet for 127.0.0.1 sent by a neighbour must not reach the
 * container (moby#45610).
 */
static void add_dnat(struct sbuf *b, const struct nat_ports *p, bool output)
{
	char ip[IP_STR_MAX];

	/* "dstnat" (-100) is a name nft accepts for prerouting only */
	add(b, "\tchain %s {\n\t\ttype nat hook %s priority -100; policy accept;\n",
	    output ? "output" : "prerouting", output ? "output" : "prerouting");
	for (size_t i = 0; i < p->n; i++) {
		const struct port_map *m = &p->v[i];

		if (!output && is_loopback(m->host_ip))
			continue;
		if (m->host_ip == 0)
			add(b, "\t\tfib daddr type local%s ",
			    output ? "" : " ip daddr != 127.0.0.0/8");
		else
			add(b, "\t\tip daddr %s ", ip_format(m->host_ip, ip));
		add_dnat_target(b, m);
	}
	add(b, "\t}\n");
}

/*
 * table bridge berth: what enters a bridge from a container's veth (its host end, the
 * bridge port vb<id>) must carry the container's MAC (--mac-address, else docker's from
 * its address: ipam_entry_mac) and IPv4 address, in its frame, its
 * IP header and its ARP sender fields: a container cannot send as another (with
 * CAP_NET_ADMIN it could change eth0's addresses). The inet table cannot do it: frames
 * between two ports of one bridge never reach the inet hooks (no br_netfilter).
 */
static void add_antispoof(struct sbuf *b, const struct ipam *eps)
{
	char ip[IP_STR_MAX], mac[MAC_STR_MAX];
	unsigned char m[MAC_LEN];

	add(b, "add table bridge berth\ndelete table bridge berth\n");
	if (!eps || !eps->n)
		return;
	add(b, "table bridge berth {\n\tchain prerouting {\n\t\ttype filter hook prerouting "
	       "priority filter; policy accept;\n");
	for (size_t i = 0; i < eps->n; i++) {
		const char *id = eps->v[i].id;

		ipam_entry_mac(&eps->v[i], m);
		mac_format(m, mac);
		ip_format(eps->v[i].ip, ip);
		add(b, "\t\tiifname \"vb%.12s\" ether saddr != %s drop\n", id, mac);
		add(b, "\t\tiifname \"vb%.12s\" ip saddr != %s drop\n", id, ip);
		add(b, "\t\tiifname \"vb%.12s\" arp saddr ip != %s drop\n", id, ip);
		add(b, "\t\tiifname \"vb%.12s\" arp saddr ether != %s drop\n", id, mac);
	}
	add(b, "\t}\n}\n");
}

char *nat_ruleset(const struct network *v, size_t n, const struct nat_ports *p,
		  const struct ipam *eps)
{
	struct sbuf b = {0};
	size_t bridges = 0;

	for (size_t i = 0; i < n; i++)
		bridges += is_bridge(&v[i]);
	/* add first: the delete of a missing table would fail the whole transaction */
	add(&b, "add table inet berth\ndelete table inet berth\n");
	if (bridges) {
		add(&b, "table inet berth {\n");
		add_input(&b, v, n);
		add_forward(&b, v, n, p);
		add_postrouting(&b, v, n, p);
		if (p && p->n) {
			add_dnat(&b, p, false);
			add_dnat(&b, p, true);
		}
		add(&b, "}\n");
	}
	add_antispoof(&b, bridges ? eps : NULL);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

int nat_apply(const struct network *v, size_t n, const struct nat_ports *p, const struct ipam *eps,
	      struct berr **err)
{
	_cleanup_free_ char *text = nat_ruleset(v, n, p, eps);
	struct nft_ctx *ctx;
	int r;

	if (!text)
		return berr_set(err, ENOMEM, "out of memory");
	if (!(ctx = nft_ctx_new(NFT_CTX_DEFAULT)))
		return berr_set(err, ENOMEM, "nftables: cannot make a context");
	(void) nft_ctx_buffer_output(ctx);
	(void) nft_ctx_buffer_error(ctx);
	r = nft_run_cmd_from_buffer(ctx, text);
	if (r != 0) {
		const char *msg = nft_ctx_get_error_buffer(ctx);
		size_t len = msg ? strcspn(msg, "\n") : 0;

		r = berr_set(err, EIO,
			     "nftables: cannot write the tables inet berth and bridge berth: %.*s",
			     (int) len, msg ? msg : "");
	}
	nft_ctx_free(ctx);
	return r;
}

int nat_enable_forwarding(struct berr **err)
{
	_cleanup_close_ int fd =
		open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0 || write(fd, "1", 1) != 1)
		return berr_sys(err, errno, "cannot set net.ipv4.ip_forward");
	return 0;
}
