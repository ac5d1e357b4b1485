/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "lib/test.h"
#include "runtime/config/oci_config.h"

/* A config with the given namespaces, hostname member and sysctl object. */
static int parse(const char *namespaces, const char *hostname, const char *sysctl,
		 struct spec **ret, struct berr **err)
{
	char buf[4096];

	snprintf(buf, sizeof(buf),
		 "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"r\"}%s,"
		 " \"linux\": {\"namespaces\": [%s], \"sysctl\": %s}}",
		 hostname, namespaces, sysctl);
	return oci_config_parse(buf, strlen(buf), ret, err);
}

#define ALL "{\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"network\"}"

#define EXPECT_OK(ns, host, sysctl)                                                                \
	do {                                                                                       \
		struct spec *_s = NULL;                                                            \
		struct berr *_e = NULL;                                                            \
		ASSERT_OK(parse(ns, host, sysctl, &_s, &_e));                                      \
		spec_free(_s);                                                                     \
	} while (0)

#define EXPECT_ERR(ns, host, sysctl, want)                                                         \
	do {                                                                                       \
		struct spec *_s = NULL;                                                            \
		struct berr *_e = NULL;                                                            \
		ASSERT_TRUE(parse(ns, host, sysctl, &_s, &_e) < 0);                                \
		ASSERT_NULL(_s);                                                                   \
		ASSERT_CONTAINS(_e->msg, want);                                                    \
		berr_clear(&_e);                                                                   \
	} while (0)

static void test_namespaced_keys_are_accepted(void)
{
	EXPECT_OK(ALL, "",
		  "{\"net.ipv4.ip_forward\": \"1\", \"kernel.shmmax\": \"1\","
		  " \"kernel.msgmni\": \"1\", \"kernel.sem\": \"1 2 3 4\","
		  " \"fs.mqueue.msg_max\": \"10\", \"kernel.domainname\": \"x\","
		  " \"net/ipv4/conf/eth0.1/forwarding\": \"1\"}");
	/* A joined namespace counts: the path is checked against the host's later. */
	EXPECT_OK("{\"type\": \"network\", \"path\": \"/run/netns/x\"}", "",
		  "{\"net.core.somaxconn\": \"1\"}");
}

static void test_host_keys_are_refused(void)
{
	EXPECT_ERR(ALL, "", "{\"vm.swappiness\": \"1\"}",
		   "config.json: linux.sysctl[\"vm.swappiness\"]: not in a namespace of the "
		   "container");
	EXPECT_ERR(ALL, "", "{\"kernel.pid_max\": \"1\"}", "linux.sysctl[\"kernel.pid_max\"]");
	EXPECT_ERR(ALL, "", "{\"network.x\": \"1\"}", "not in a namespace");
	EXPECT_ERR("{\"type\": \"ipc\"}", "", "{\"net.ipv4.ip_forward\": \"1\"}",
		   "needs a network namespace");
	EXPECT_ERR("{\"type\": \"network\"}", "", "{\"kernel.shmall\": \"1\"}",
		   "needs an ipc namespace");
	EXPECT_ERR("{\"type\": \"network\"}", "", "{\"fs.mqueue.queues_max\": \"1\"}",
		   "needs an ipc namespace");
	EXPECT_ERR("{\"type\": \"ipc\"}", "", "{\"kernel.domainname\": \"1\"}",
		   "needs a uts namespace");
	EXPECT_ERR(ALL, ", \"hostname\": \"h\"", "{\"kernel.hostname\": \"x\"}",
		   "conflicts with the config's hostname");
	/* refused without the field too, as runc: the field is the way to set it */
	EXPECT_ERR(ALL, "", "{\"kernel.hostname\": \"x\"}", "conflicts with the config's hostname");
	EXPECT_ERR(ALL, ", \"hostname\": \"h\"", "{\"kernel/hostname\": \"x\"}",
		   "conflicts with the config's hostname");
	EXPECT_ERR(ALL, ", \"domainname\": \"d\"", "{\"kernel.domainname\": \"x\"}",
		   "conflicts with the config's domainname");
}

static void test_malformed_keys_are_refused(void)
{
	EXPECT_ERR(ALL, "", "{\"net/../../kernel/pid_max\": \"1\"}", "not a valid sysctl name");
	EXPECT_ERR(ALL, "", "{\"net..ipv4\": \"1\"}", "not a valid sysctl name");
	EXPECT_ERR(ALL, "", "{\"\": \"1\"}", "not a valid sysctl name");
	EXPECT_ERR(ALL, "", "{\"net.ipv4.x\": \"1\\n\"}", "the value has a newline");
}

static const struct test tests[] = {
	TEST(test_namespaced_keys_are_accepted),
	TEST(test_host_keys_are_refused),
	TEST(test_malformed_keys_are_refused),
	{NULL, NULL},
};

int main(void)
{
	return test_main(tests);
}
