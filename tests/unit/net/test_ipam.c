/* SPDX-License-Identifier: Apache-2.0 */
/* src/net/cidr.c and ipam.c: prefixes, allocations, the default pools. Pure. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/test.h"
#include "net/cidr.h"
#include "net/ipam.h"

#define ID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define ID_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

static uint32_t ip(const char *s)
{
	uint32_t v = 0;

	ASSERT_OK(ip_parse(s, &v));
	return v;
}

static struct cidr cidr(const char *s)
{
	struct cidr c = {0};

	ASSERT_OK(cidr_parse(s, false, &c, NULL));
	return c;
}

static void test_ip_parse(void)
{
	char buf[IP_STR_MAX];
	uint32_t v;

	ASSERT_EQ_U64(ip("10.1.2.3"), 0x0a010203u);
	ASSERT_STREQ(ip_format(0xc0a80001u, buf), "192.168.0.1");
	ASSERT_EQ(ip_parse("256.1.1.1", &v), -EINVAL);
	ASSERT_EQ(ip_parse("1.2.3", &v), -EINVAL);
	ASSERT_EQ(ip_parse("1.2.3.4.5", &v), -EINVAL);
	ASSERT_EQ(ip_parse("1..3.4", &v), -EINVAL);
	ASSERT_EQ(ip_parse("1.2.3.4 ", &v), -EINVAL);
	ASSERT_EQ(ip_parse("0001.2.3.4", &v), -EINVAL);
	ASSERT_EQ(ip_parse("", &v), -EINVAL);
}

static void test_cidr_parse(void)
{
	struct berr *err = NULL;
	char buf[CIDR_STR_MAX];
	struct cidr c;

	c = cidr("10.1.2.3/16");
	ASSERT_STREQ(cidr_format(&c, buf), "10.1.0.0/16");
	ASSERT_EQ(cidr_parse("10.1.2.3/16", true, &c, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "it should be 10.1.0.0/16");
	berr_free(err);
	err = NULL;
	ASSERT_EQ(cidr_parse("10.1.0.0/33", false, &c, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "invalid CIDR address: 10.1.0.0/33");
	berr_free(err);
	ASSERT_EQ(cidr_parse("10.1.0.0", false, &c, NULL), -EINVAL);
	ASSERT_EQ(cidr_parse("10.1.0.0/", false, &c, NULL), -EINVAL);
	ASSERT_EQ(cidr_parse("10.1.0.0/1x", false, &c, NULL), -EINVAL);
	ASSERT_OK(cidr_parse("0.0.0.0/0", true, &c, NULL));
	ASSERT_EQ(c.len, 0);
}

static void test_overlap(void)
{
	struct cidr a = cidr("10.0.0.0/8"), b = cidr("10.5.0.0/16"), c = cidr("11.0.0.0/16");

	ASSERT_TRUE(cidr_overlaps(&a, &b));
	ASSERT_TRUE(cidr_overlaps(&b, &a));
	ASSERT_FALSE(cidr_overlaps(&a, &c));
	ASSERT_TRUE(cidr_within(&a, &b));
	ASSERT_FALSE(cidr_within(&b, &a));
	ASSERT_TRUE(cidr_contains(&b, ip("10.5.255.255")));
	ASSERT_FALSE(cidr_contains(&b, ip("10.6.0.0")));
}

static void test_pick(void)
{
	struct cidr s = cidr("10.9.0.0/29");
	struct ipam a = {0};
	struct berr *err = NULL;
	uint32_t got;

	/* .0 is the network, .1 the gateway: the first container gets .2 */
	ASSERT_OK(ipam_pick(&s, &s, ip("10.9.0.1"), &a, 0, &got, NULL));
	ASSERT_EQ_U64(got, ip("10.9.0.2"));
	ASSERT_OK(ipam_add(&a, got, ID_A));
	ASSERT_OK(ipam_add(&a, ip("10.9.0.3"), ID_B));
	ASSERT_OK(ipam_pick(&s, &s, ip("10.9.0.1"), &a, 0, &got, NULL));
	ASSERT_EQ_U64(got, ip("10.9.0.4"));
	/* a freed address is the next one given */
	ASSERT_TRUE(ipam_remove(&a, ID_A));
	ASSERT_FALSE(ipam_remove(&a, ID_A));
	ASSERT_OK(ipam_pick(&s, &s, ip("10.9.0.1"), &a, 0, &got, NULL));
	ASSERT_EQ_U64(got, ip("10.9.0.2"));
	/* --ip: in the subnet, free, not the gateway nor the broadcast address */
	ASSERT_OK(ipam_pick(&s, &s, ip("10.9.0.1"), &a, ip("10.9.0.6"), &got, NULL));
	ASSERT_EQ_U64(got, ip("10.9.0.6"));
	ASSERT_EQ(ipam_pick(&s, &s, ip("10.9.0.1"), &a, ip("10.9.0.3"), &got, &err), -EADDRINUSE);
	ASSERT_CONTAINS(err->msg, "Address already in use");
	berr_free(err);
	err = NULL;
	ASSERT_EQ(ipam_pick(&s, &s, ip("10.9.0.1"), &a, ip("10.9.1.3"), &got, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "Invalid address 10.9.1.3");
	berr_free(err);
	ASSERT_EQ(ipam_pick(&s, &s, ip("10.9.0.1"), &a, ip("10.9.0.7"), &got, NULL), -EINVAL);
	ASSERT_EQ(ipam_pick(&s, &s, ip("10.9.0.1"), &a, ip("10.9.0.1"), &got, NULL), -EINVAL);
	ipam_done(&a);
}

static void test_pick_range_and_full(void)
{
	struct cidr s = cidr("10.9.0.0/24"), r = cidr("10.9.0.128/30");
	struct ipam a = {0};
	uint32_t got;

	ASSERT_OK(ipam_pick(&s, &r, ip("10.9.0.1"), &a, 0, &got, NULL));
	ASSERT_EQ_U64(got, ip("10.9.0.128"));
	for (int i = 0; i < 4; i++) {
		ASSERT_OK(ipam_pick(&s, &r, ip("10.9.0.1"), &a, 0, &got, NULL));
		ASSERT_OK(ipam_add(&a, got, i % 2 ? ID_A : ID_B));
	}
	ASSERT_EQ_U64(got, ip("10.9.0.131"));
	ASSERT_EQ(ipam_pick(&s, &r, ip("10.9.0.1"), &a, 0, &got, NULL), -ENOSPC);
	ipam_done(&a);
}

static void test_file(void)
{
	const char *text = "10.9.0.2 " ID_A "\n10.9.0.3 " ID_B "\n";
	struct berr *err = NULL;
	struct ipam a = {0};
	char *out;

	ASSERT_OK(ipam_parse(text, strlen(text), &a, NULL));
	ASSERT_EQ(a.n, 2);
	ASSERT_EQ_U64(ipam_find(&a, ID_B)->ip, ip("10.9.0.3"));
	ASSERT_NULL(ipam_find(&a, ID_C));
	out = ipam_format(&a);
	ASSERT_STREQ(out, text);
	free(out);
	ipam_done(&a);
	ASSERT_OK(ipam_parse("", 0, &a, NULL));
	ASSERT_EQ(a.n, 0);
	ASSERT_EQ(ipam_parse("10.9.0.2 xyz\n", 13, &a, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "line 1");
	berr_free(err);
	ASSERT_EQ(ipam_parse("10.9.0.300 " ID_A "\n", 76, &a, NULL), -EINVAL);
}

/* --mac-address's third field: kept, written back, its MAC the one the veth and rules use */
static void test_file_mac(void)
{
	const char *text = "10.9.0.2 " ID_A " 92:d0:c6:0a:29:33\n10.9.0.3 " ID_B "\n";
	unsigned char m[MAC_LEN], want[MAC_LEN];
	struct berr *err = NULL;
	struct ipam a = {0};
	char buf[MAC_STR_MAX], *out;

	ASSERT_OK(ipam_parse(text, strlen(text), &a, NULL));
	ASSERT_EQ(a.n, 2);
	ipam_entry_mac(ipam_find(&a, ID_A), m);
	ASSERT_STREQ(mac_format(m, buf), "92:d0:c6:0a:29:33");
	ipam_entry_mac(ipam_find(&a, ID_B), m);
	ASSERT_STREQ(mac_format(m, buf), "02:42:0a:09:00:03");
	/* a MAC another container has, given or docker's; never the container's own */
	ASSERT_OK(mac_parse("92:d0:c6:0a:29:33", want));
	ASSERT_TRUE(ipam_find_mac(&a, want, ID_C) == ipam_find(&a, ID_A));
	ASSERT_NULL(ipam_find_mac(&a, want, ID_A));
	ASSERT_TRUE(ipam_find_mac(&a, m, ID_C) == ipam_find(&a, ID_B));
	out = ipam_format(&a);
	ASSERT_STREQ(out, text);
	free(out);
	ASSERT_OK(ipam_add_mac(&a, ip("10.9.0.4"), ID_C, want));
	out = ipam_format(&a);
	ASSERT_CONTAINS(out, "10.9.0.4 " ID_C " 92:d0:c6:0a:29:33\n");
	free(out);
	ipam_done(&a);
	text = "10.9.0.2 " ID_A " 92:d0:zz\n";
	ASSERT_EQ(ipam_parse(text, strlen(text), &a, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "line 1: bad MAC address '92:d0:zz'");
	berr_free(err);
	err = NULL;
	text = "10.9.0.2 " ID_A "x\n";
	ASSERT_EQ(ipam_parse(text, strlen(text), &a, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "line 1");
	berr_free(err);
}

static void test_pool(void)
{
	struct cidr taken[40] = {0}, got;
	struct berr *err = NULL;
	char buf[CIDR_STR_MAX];
	size_t n = 0;

	ASSERT_OK(ipam_pool_pick(taken, 0, &got, NULL));
	ASSERT_STREQ(cidr_format(&got, buf), "172.17.0.0/16");
	/* a route inside 172.17/16 and one covering 172.18-19 push it to 172.20 */
	taken[n++] = cidr("172.17.5.0/24");
	taken[n++] = cidr("172.18.0.0/15");
	ASSERT_OK(ipam_pool_pick(taken, n, &got, NULL));
	ASSERT_STREQ(cidr_format(&got, buf), "172.20.0.0/16");
	/* all of 172.16/12 taken: 192.168.0.0/20, then past a /24 in it */
	taken[n++] = cidr("172.16.0.0/12");
	taken[n++] = cidr("192.168.3.0/24");
	ASSERT_OK(ipam_pool_pick(taken, n, &got, NULL));
	ASSERT_STREQ(cidr_format(&got, buf), "192.168.16.0/20");
	taken[n++] = cidr("192.168.0.0/16");
	ASSERT_EQ(ipam_pool_pick(taken, n, &got, &err), -ENOSPC);
	ASSERT_CONTAINS(err->msg, "non-overlapping IPv4 address pool");
	berr_free(err);
}

static const struct test tests[] = {
	TEST(test_ip_parse),
	TEST(test_cidr_parse),
	TEST(test_overlap),
	TEST(test_pick),
	TEST(test_file),
	TEST(test_file_mac),
	TEST(test_pick_range_and_full),
	TEST(test_pool),
	{},
};

int main(void)
{
	return test_main(tests);
}
