/* SPDX-License-Identifier: Apache-2.0 */
/* src/net/mac.c: --mac-address's forms (Go's net.ParseMAC, six octets), docker's MAC. Pure. */
#include <errno.h>
#include <string.h>

#include "lib/test.h"
#include "net/mac.h"

static const char *parsed(const char *s)
{
	static char buf[MAC_STR_MAX];
	unsigned char m[MAC_LEN];

	if (mac_parse(s, m) < 0)
		return "refused";
	return mac_format(m, buf);
}

static void test_forms(void)
{
	ASSERT_STREQ(parsed("92:d0:c6:0a:29:33"), "92:d0:c6:0a:29:33");
	ASSERT_STREQ(parsed("92:D0:C6:0A:29:33"), "92:d0:c6:0a:29:33");
	ASSERT_STREQ(parsed("92-d0-c6-0a-29-33"), "92:d0:c6:0a:29:33");
	ASSERT_STREQ(parsed("92d0.c60a.2933"), "92:d0:c6:0a:29:33");
	/* docker's CLI trims the value before Go parses it */
	ASSERT_STREQ(parsed(" 92:d0:c6:0a:29:33\n"), "92:d0:c6:0a:29:33");
}

static void test_refused(void)
{
	static const char *const bad[] = {
		"",
		"92:d0:c6:0a:29",	   /* five octets */
		"92:d0:c6:0a:29:3",	   /* a short group */
		"92:d0:c6:0a:29:33:",	   /* a trailing separator */
		"92:d0-c6:0a:29:33",	   /* two separators */
		"92.d0.c6.0a.29.33",	   /* dots between octets */
		"92:d0:c6:0a:29:zz",	   /* not hex */
		"92d0:c60a:2933",	   /* groups of four with colons */
		"92d0.c60a.293",	   /* a short group */
		"92:d0:c6:0a:29:33:44:55", /* EUI-64: Go takes it, no Ethernet does */
		"0000.0000.fe80.0000.0000.0000.0200.5e10.0000.0001", /* IPoIB's 20 octets */
		"92 d0 c6 0a 29 33",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned char m[MAC_LEN];

		if (mac_parse(bad[i], m) != -EINVAL)
			TEST_FAIL("'%s' was taken", bad[i]);
	}
}

static void test_docker_mac_and_unicast(void)
{
	unsigned char m[MAC_LEN];
	char buf[MAC_STR_MAX];

	mac_from_ip(0x0a580002u, m);
	ASSERT_STREQ(mac_format(m, buf), "02:42:0a:58:00:02");
	ASSERT_TRUE(mac_unicast(m));
	ASSERT_OK(mac_parse("01:00:5e:00:00:01", m));
	ASSERT_FALSE(mac_unicast(m)); /* multicast */
	ASSERT_OK(mac_parse("ff:ff:ff:ff:ff:ff", m));
	ASSERT_FALSE(mac_unicast(m));
	ASSERT_OK(mac_parse("00:00:00:00:00:00", m));
	ASSERT_FALSE(mac_unicast(m));
	ASSERT_OK(mac_parse("92:d0:c6:0a:29:33", m));
	ASSERT_TRUE(mac_unicast(m));
}

static const struct test tests[] = {
	TEST(test_forms),
	TEST(test_refused),
	TEST(test_docker_mac_and_unicast),
	{},
};

int main(void)
{
	return test_main(tests);
}
