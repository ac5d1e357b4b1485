/* SPDX-License-Identifier: Apache-2.0 */
/* src/net/portspec.c: -p / --expose parsing (docker's messages), expansion, the map line. */
#include <stdlib.h>
#include <string.h>

#include "lib/test.h"
#include "net/cidr.h"
#include "net/portspec.h"

static struct port_spec ok(const char *s)
{
	struct port_spec p;

	ASSERT_OK(portspec_parse(s, &p, NULL));
	return p;
}

static void fails(const char *s, const char *msg)
{
	struct berr *err = NULL;
	struct port_spec p;

	ASSERT_TRUE(portspec_parse(s, &p, &err) < 0);
	ASSERT_STREQ(err->msg, msg);
	berr_free(err);
}

static void test_forms(void)
{
	struct port_spec p = ok("80");
	uint32_t lo;

	ASSERT_EQ(p.ctr_lo, 80);
	ASSERT_EQ(p.host_lo, 0); /* random */
	ASSERT_EQ(p.proto, PORT_TCP);
	p = ok("8080:80/udp");
	ASSERT_EQ(p.host_lo, 8080);
	ASSERT_EQ(p.host_hi, 8080);
	ASSERT_EQ(p.proto, PORT_UDP);
	p = ok("127.0.0.1::80");
	ASSERT_OK(ip_parse("127.0.0.1", &lo));
	ASSERT_EQ(p.host_ip, lo);
	ASSERT_EQ(p.host_lo, 0);
	p = ok("0.0.0.0:8000-8001:80-81/TCP");
	ASSERT_EQ(p.host_ip, 0);
	ASSERT_EQ(p.host_hi, 8001);
	ASSERT_EQ(p.ctr_hi, 81);
	p = ok("8000-8010:80"); /* a host range to pick from */
	ASSERT_EQ(p.host_hi, 8010);
}

static void test_errors(void)
{
	fails("abc", "invalid containerPort: abc");
	fails("8080:", "no port specified: 8080:<empty>");
	fails("99999:80", "invalid hostPort: 99999");
	fails("8080:0", "invalid containerPort: 0");
	fails("81-80", "invalid containerPort: 81-80");
	fails("8000-8002:80-81", "invalid ranges specified for container and host Ports: 80-81 and "
				 "8000-8002");
	fails("80/foo", "invalid proto: foo");
	fails("1.2.3:80:80", "invalid IP address: 1.2.3");
	fails("[::1]:80:80", "invalid IP address: ::1 (berth publishes IPv4 only)");
}

static void test_expand(void)
{
	struct port_req *v = NULL;
	size_t n = 0;
	struct port_spec p = ok("8000-8001:80-81");

	ASSERT_OK(portspec_expand(&p, &v, &n));
	p = ok("9000-9005:90");
	ASSERT_OK(portspec_expand(&p, &v, &n));
	ASSERT_EQ(n, 3);
	ASSERT_EQ(v[0].ctr_port, 80);
	ASSERT_EQ(v[0].host_lo, 8000);
	ASSERT_EQ(v[0].host_hi, 8000);
	ASSERT_EQ(v[1].ctr_port, 81);
	ASSERT_EQ(v[1].host_lo, 8001);
	ASSERT_EQ(v[2].host_lo, 9000);
	ASSERT_EQ(v[2].host_hi, 9005);
	free(v);
}

static void test_expose(void)
{
	enum port_proto proto;
	uint16_t lo, hi;
	struct berr *err = NULL;

	ASSERT_OK(portspec_parse_expose("80-82/udp", &lo, &hi, &proto, NULL));
	ASSERT_EQ(lo, 80);
	ASSERT_EQ(hi, 82);
	ASSERT_EQ(proto, PORT_UDP);
	ASSERT_TRUE(portspec_parse_expose("x", &lo, &hi, &proto, &err) < 0);
	ASSERT_STREQ(err->msg, "invalid range format for --expose: x");
	berr_free(err);
}

static void test_map_line(void)
{
	struct port_map m = {.proto = PORT_UDP, .host_port = 5353, .ctr_port = 53}, back;
	char buf[PORT_MAP_LINE_MAX];

	ASSERT_OK(ip_parse("10.1.0.2", &m.ctr_ip));
	ASSERT_STREQ(port_map_format(&m, buf), "udp 0.0.0.0 5353 10.1.0.2 53");
	ASSERT_OK(port_map_parse("udp 0.0.0.0 5353 10.1.0.2 53\n", &back));
	ASSERT_TRUE(memcmp(&m, &back, sizeof(m)) == 0);
	ASSERT_TRUE(port_map_parse("tcp 0.0.0.0 0 10.1.0.2 53", &back) < 0);
	ASSERT_TRUE(port_map_parse("sctp 0.0.0.0 1 10.1.0.2 53", &back) < 0);
	ASSERT_TRUE(port_map_parse("tcp 0.0.0.0 1 10.1.0.2 53 x", &back) < 0);
}

static const struct test tests[] = {TEST(test_forms),  TEST(test_errors),   TEST(test_expand),
				    TEST(test_expose), TEST(test_map_line), {}};

int main(void)
{
	return test_main(tests);
}
