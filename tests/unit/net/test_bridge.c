/* SPDX-License-Identifier: Apache-2.0 */
/* The bridge's fixed MAC address (src/net/bridge.c). */
#include <string.h>

#include "lib/test.h"
#include "net/bridge.h"

static void test_mac_from_the_network_id(void)
{
	unsigned char mac[6];

	bridge_mac("96f09a284b3fe0d3886b232c6ad1399a2939e2ced42aabcfc6cf6f33978a9ff3", mac);
	ASSERT_TRUE(memcmp(mac, "\x02\x43\x96\xf0\x9a\x28", 6) == 0);
	/* locally administered, unicast, never a container's 02:42: */
	ASSERT_EQ(mac[0] & 3, 2);
	ASSERT_TRUE(mac[1] != 0x42);
	bridge_mac(NULL, mac);
	ASSERT_TRUE(memcmp(mac, "\x02\x43\0\0\0\0", 6) == 0);
}

static void test_names(void)
{
	ASSERT_TRUE(bridge_name_valid("br-96f09a284b3f"));
	ASSERT_FALSE(bridge_name_valid("br-96f09a284b3f0"));
	ASSERT_FALSE(bridge_name_valid(".."));
	ASSERT_FALSE(bridge_name_valid("a b"));
}

static const struct test tests[] = {
	TEST(test_mac_from_the_network_id),
	TEST(test_names),
	{},
};

int main(void)
{
	return test_main(tests);
}
