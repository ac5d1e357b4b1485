/* SPDX-License-Identifier: Apache-2.0 */
/* src/net/nat.c: the nftables table derived from the networks. Pure. */
#include <stdlib.h>
#include <string.h>

#include "lib/test.h"
#include "net/nat.h"

static struct network net(const char *name, const char *subnet, const char *bridge, bool internal)
{
	struct network n = {.name = (char *) name,
			    .driver = (char *) "bridge",
			    .bridge = (char *) bridge,
			    .internal = internal,
			    .has_subnet = true};

	ASSERT_OK(cidr_parse(subnet, true, &n.subnet, NULL));
	return n;
}

static void test_empty(void)
{
	struct network none = {.name = (char *) "none", .driver = (char *) "null"};
	char *s = nat_ruleset(&none, 1);

	/* no bridge network: the table goes */
	ASSERT_STREQ(s, "add table inet berth\ndelete table inet berth\n");
	free(s);
}

static void test_two_networks(void)
{
	struct network v[2] = {net("a", "10.1.0.0/16", "br-a", false),
			       net("b", "10.2.0.0/24", "br-b", true)};
	char *s = nat_ruleset(v, 2);

	ASSERT_CONTAINS(s, "add table inet berth\ndelete table inet berth\ntable inet berth {\n");
	ASSERT_CONTAINS(s, "iifname \"br-a\" oifname \"br-a\" accept\n");
	ASSERT_CONTAINS(s, "iifname \"br-a\" oifname { \"br-a\", \"br-b\" } drop\n");
	ASSERT_CONTAINS(s, "iifname \"br-a\" accept\n");
	ASSERT_CONTAINS(s, "oifname \"br-a\" ct state established,related accept\n");
	ASSERT_CONTAINS(s, "iifname \"br-b\" drop\n");
	ASSERT_CONTAINS(s, "ip saddr 10.1.0.0/16 oifname != \"br-a\" masquerade\n");
	/* --internal: no way out, no masquerade */
	ASSERT_NULL(strstr(s, "10.2.0.0/24"));
	ASSERT_NULL(strstr(s, "oifname \"br-b\" ct state"));
	free(s);
}

static const struct test tests[] = {TEST(test_empty), TEST(test_two_networks), {}};

int main(void)
{
	return test_main(tests);
}
