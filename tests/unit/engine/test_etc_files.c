/* SPDX-License-Identifier: Apache-2.0 */
/* src/engine/etc_files.c: /etc/hosts and /etc/resolv.conf as docker writes them. Pure. */
#include <stdlib.h>
#include <string.h>

#include "engine/etc_files.h"
#include "lib/test.h"

#define HOST_RESOLV                                                                                \
	"# comment\nnameserver 127.0.0.53\nnameserver 10.0.0.53\nsearch corp.test\n"               \
	"options edns0\n"

static void test_hosts(void)
{
	char *extra[] = {"db:10.1.2.3", "gw:host-gateway", "v6=fd00::1", NULL};
	struct etc_opts o = {
		.hostname = "abc", .ip = "10.88.0.2", .gateway = "10.88.0.1", .extra_hosts = extra};
	char *t = etc_hosts_text(&o, NULL);

	ASSERT_TRUE(strncmp(t, "127.0.0.1\tlocalhost\n", 20) == 0);
	ASSERT_CONTAINS(t, "ff02::2\tip6-allrouters\n10.1.2.3\tdb\n10.88.0.1\tgw\nfd00::1\tv6\n"
			   "10.88.0.2\tabc\n");
	free(t);
	o = (struct etc_opts){.hostname = "abc"};
	t = etc_hosts_text(&o, NULL);
	ASSERT_CONTAINS(t, "127.0.1.1\tabc\n");
	free(t);
	/* the host's network: the host's file, and --add-host after it */
	o = (struct etc_opts){.hostname = "h", .host_network = true, .extra_hosts = extra};
	t = etc_hosts_text(&o, "1.2.3.4\thost\n");
	ASSERT_TRUE(strncmp(t, "1.2.3.4\thost\n10.1.2.3\tdb\n", 25) == 0);
	free(t);
}

static void test_resolv(void)
{
	char *dns[] = {"10.9.9.9", NULL}, *search[] = {"a.test", "b.test", NULL};
	char *opts[] = {"ndots:3", NULL}, *dot[] = {".", NULL};
	struct etc_opts o = {.hostname = "h"};
	char *t = etc_resolv_text(&o, HOST_RESOLV);

	/* loopback resolvers dropped, search and options kept */
	ASSERT_STREQ(t, "nameserver 10.0.0.53\nsearch corp.test\noptions edns0\n");
	free(t);
	t = etc_resolv_text(&o, "nameserver 127.0.0.1\n");
	ASSERT_STREQ(t, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
	free(t);
	o.dns = dns;
	o.dns_search = search;
	o.dns_options = opts;
	t = etc_resolv_text(&o, HOST_RESOLV);
	ASSERT_STREQ(t, "nameserver 10.9.9.9\nsearch a.test b.test\noptions ndots:3\n");
	free(t);
	/* on a network: its name server, ndots:0 unless given; "." means no search */
	o = (struct etc_opts){
		.hostname = "h", .name_server = "10.88.0.1", .dns = dns, .dns_search = dot};
	t = etc_resolv_text(&o, HOST_RESOLV);
	ASSERT_STREQ(t, "nameserver 10.88.0.1\noptions edns0\noptions ndots:0\n");
	free(t);
	/* the host's network without flags: the host's file as it is */
	o = (struct etc_opts){.hostname = "h", .host_network = true};
	t = etc_resolv_text(&o, HOST_RESOLV);
	ASSERT_STREQ(t, HOST_RESOLV);
	free(t);
}

static const struct test tests[] = {TEST(test_hosts), TEST(test_resolv), {}};

int main(void)
{
	return test_main(tests);
}
