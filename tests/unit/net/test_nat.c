/* SPDX-License-Identifier: Apache-2.0 */
/* src/net/nat.c: the nftables table derived from the networks. Pure. */
#include <stdlib.h>
#include <string.h>

#include "lib/test.h"
#include "net/nat.h"
#include "net/portspec.h"

static struct network net(const char *name, const char *subnet, const char *bridge, bool internal)
{
	struct network n = {.name = (char *) name,
			    .driver = (char *) "bridge",
			    .bridge = (char *) bridge,
			    .internal = internal,
			    .has_subnet = true};

	ASSERT_OK(cidr_parse(subnet, true, &n.subnet, NULL));
	n.gateway = n.subnet.addr + 1;
	return n;
}

static void test_empty(void)
{
	struct network none = {.name = (char *) "none", .driver = (char *) "null"};
	char *s = nat_ruleset(&none, 1, NULL, NULL);

	/* no bridge network: the tables go */
	ASSERT_STREQ(s, "add table inet berth\ndelete table inet berth\n"
			"add table bridge berth\ndelete table bridge berth\n");
	free(s);
}

static void test_two_networks(void)
{
	struct network v[2] = {net("a", "10.1.0.0/16", "br-a", false),
			       net("b", "10.2.0.0/24", "br-b", true)};
	char *s = nat_ruleset(v, 2, NULL, NULL);

	ASSERT_CONTAINS(s, "add table inet berth\ndelete table inet berth\ntable inet berth {\n");
	ASSERT_CONTAINS(s, "iifname \"br-a\" oifname \"br-a\" accept\n");
	/* DNS to a gateway only from its own bridge (or the host itself) */
	ASSERT_CONTAINS(s, "chain input {\n\t\ttype filter hook input priority filter; "
			   "policy accept;\n");
	ASSERT_CONTAINS(s, "ip daddr 10.1.0.1 meta l4proto { tcp, udp } th dport 53 iifname != "
			   "{ \"br-a\", \"lo\" } drop\n");
	ASSERT_CONTAINS(s, "ip daddr 10.2.0.1 meta l4proto { tcp, udp } th dport 53 iifname != "
			   "{ \"br-b\", \"lo\" } drop\n");
	ASSERT_CONTAINS(s, "iifname \"br-a\" oifname { \"br-a\", \"br-b\" } drop\n");
	ASSERT_CONTAINS(s, "iifname \"br-a\" accept\n");
	ASSERT_CONTAINS(s, "oifname \"br-a\" ct state established,related accept\n");
	ASSERT_CONTAINS(s, "iifname \"br-b\" drop\n");
	ASSERT_CONTAINS(s, "ip saddr 10.1.0.0/16 oifname != \"br-a\" masquerade\n");
	/* --internal: no way out, no masquerade */
	ASSERT_NULL(strstr(s, "10.2.0.0/24"));
	ASSERT_NULL(strstr(s, "oifname \"br-b\" ct state"));
	/* no published port: no DNAT chains */
	ASSERT_NULL(strstr(s, "dnat"));
	free(s);
}

static void test_ports(void)
{
	struct network v[2] = {net("a", "10.1.0.0/16", "br-a", false),
			       net("b", "10.2.0.0/24", "br-b", false)};
	struct port_map m[3] = {
		{.proto = PORT_TCP, .host_port = 8080, .ctr_port = 80},
		{.proto = PORT_UDP, .host_port = 5353, .ctr_port = 53},
		{.proto = PORT_TCP, .host_port = 9090, .ctr_port = 90},
	};
	struct nat_ports p = {m, 3};
	char *s, *pre, *out;

	ASSERT_OK(ip_parse("10.1.0.2", &m[0].ctr_ip));
	ASSERT_OK(ip_parse("10.1.0.3", &m[1].ctr_ip));
	ASSERT_OK(ip_parse("10.1.0.4", &m[2].ctr_ip));
	ASSERT_OK(ip_parse("127.0.0.1", &m[1].host_ip));
	ASSERT_OK(ip_parse("192.0.2.1", &m[2].host_ip));
	s = nat_ruleset(v, 2, &p, NULL);
	pre = strstr(s, "chain prerouting {");
	out = strstr(s, "chain output {");
	ASSERT_TRUE(pre && out && pre < out);
	/* 0.0.0.0: every local address, from outside never a loopback one */
	ASSERT_CONTAINS(pre,
			"fib daddr type local ip daddr != 127.0.0.0/8 tcp dport 8080 dnat ip to "
			"10.1.0.2:80\n");
	ASSERT_CONTAINS(pre, "ip daddr 192.0.2.1 tcp dport 9090 dnat ip to 10.1.0.4:90\n");
	ASSERT_CONTAINS(out, "fib daddr type local tcp dport 8080 dnat ip to 10.1.0.2:80\n");
	ASSERT_CONTAINS(out, "ip daddr 127.0.0.1 udp dport 5353 dnat ip to 10.1.0.3:53\n");
	/* 127.0.0.1: only what the host itself sends (moby#45610) */
	ASSERT_TRUE(strstr(pre, "5353") == NULL || strstr(pre, "5353") > out);
	/* forwarded before the isolation drops; hairpin and loopback masqueraded */
	ASSERT_TRUE(strstr(s, "oifname \"br-a\" ct status dnat accept\n") <
		    strstr(s, "iifname \"br-a\" oifname { "));
	ASSERT_CONTAINS(s, "oifname \"br-a\" ct status dnat ip saddr { 127.0.0.0/8, 10.1.0.0/16 } "
			   "masquerade\n");
	/* br-b has no published port */
	ASSERT_NULL(strstr(s, "oifname \"br-b\" ct status dnat"));
	free(s);
}

static void test_antispoof(void)
{
	struct network v[1] = {net("a", "10.1.0.0/16", "br-a", false)};
	static const unsigned char mac[MAC_LEN] = {0x92, 0xd0, 0xc6, 0x0a, 0x29, 0x33};
	struct ipam eps = {0};
	char *s, *br;

	ASSERT_OK(ipam_add(&eps, 0x0a010002, "0123456789abcdef"));
	ASSERT_OK(ipam_add(&eps, 0x0a0100ff, "fedcba9876543210"));
	s = nat_ruleset(v, 1, NULL, &eps);
	br = strstr(s, "add table bridge berth\ndelete table bridge berth\ntable bridge berth {\n"
		       "\tchain prerouting {\n\t\ttype filter hook prerouting priority filter; "
		       "policy accept;\n");
	ASSERT_TRUE(br != NULL);
	/* each container's veth may send its own MAC and address only, ARP included */
	ASSERT_CONTAINS(br, "iifname \"vb0123456789ab\" ether saddr != 02:42:0a:01:00:02 drop\n");
	ASSERT_CONTAINS(br, "iifname \"vb0123456789ab\" ip saddr != 10.1.0.2 drop\n");
	ASSERT_CONTAINS(br, "iifname \"vb0123456789ab\" arp saddr ip != 10.1.0.2 drop\n");
	ASSERT_CONTAINS(br,
			"iifname \"vb0123456789ab\" arp saddr ether != 02:42:0a:01:00:02 drop\n");
	ASSERT_CONTAINS(br, "iifname \"vbfedcba987654\" ip saddr != 10.1.0.255 drop\n");
	free(s);
	/* a container made with --mac-address: its own MAC, not docker's */
	ASSERT_OK(ipam_add_mac(&eps, 0x0a010003, "00112233445566", mac));
	s = nat_ruleset(v, 1, NULL, &eps);
	ASSERT_CONTAINS(s, "iifname \"vb001122334455\" ether saddr != 92:d0:c6:0a:29:33 drop\n");
	ASSERT_CONTAINS(s,
			"iifname \"vb001122334455\" arp saddr ether != 92:d0:c6:0a:29:33 drop\n");
	ASSERT_NULL(strstr(s, "02:42:0a:01:00:03"));
	free(s);
	/* no container: the bridge table goes */
	s = nat_ruleset(v, 1, NULL, NULL);
	ASSERT_TRUE(strstr(s, "add table bridge berth\ndelete table bridge berth\n") != NULL);
	ASSERT_NULL(strstr(s, "table bridge berth {"));
	free(s);
	ipam_done(&eps);
}

static const struct test tests[] = {
	TEST(test_empty), TEST(test_two_networks), TEST(test_ports), TEST(test_antispoof), {}};

int main(void)
{
	return test_main(tests);
}
