/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "lib/test.h"
#include "runtime/config/oci_config.h"
#include "runtime/process/process_attrs.h"

static void test_bitmask_lists(void)
{
	unsigned long m[4];

	ASSERT_OK(bitmask_parse_list("0-3,7", m, 256));
	ASSERT_EQ_U64(m[0], 0x8f);
	ASSERT_OK(bitmask_parse_list("", m, 256));
	ASSERT_EQ_U64(m[0], 0);
	ASSERT_OK(bitmask_parse_list("64,65", m, 256));
	ASSERT_EQ_U64(m[1], 3);
	ASSERT_EQ(bitmask_parse_list("3-1", m, 256), -EINVAL);
	ASSERT_EQ(bitmask_parse_list("256", m, 256), -EINVAL);
	ASSERT_EQ(bitmask_parse_list("1,,2", m, 256), -EINVAL);
	ASSERT_EQ(bitmask_parse_list("a", m, 256), -EINVAL);
	ASSERT_EQ(bitmask_parse_list("1-", m, 256), -EINVAL);
	ASSERT_EQ(bitmask_parse_list("-1", m, 256), -EINVAL);
}

/* A config whose process has the members proc, and whose linux has lnx. */
static int parse(const char *proc, const char *lnx, struct spec **ret, struct berr **err)
{
	char buf[4096];

	snprintf(buf, sizeof(buf),
		 "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"r\"}, \"process\":"
		 " {\"cwd\": \"/\", \"args\": [\"sh\"]%s}, \"linux\": {\"namespaces\": []%s}}",
		 proc, lnx);
	return oci_config_parse(buf, strlen(buf), ret, err);
}

#define EXPECT(proc, lnx, want)                                                                    \
	do {                                                                                       \
		struct spec *_s = NULL;                                                            \
		struct berr *_e = NULL;                                                            \
		int _rc = parse(proc, lnx, &_s, &_e);                                              \
		if (!(want)) {                                                                     \
			ASSERT_OK(_rc);                                                            \
		} else {                                                                           \
			ASSERT_TRUE(_rc < 0);                                                      \
			ASSERT_CONTAINS(_e->msg, (const char *) (want));                           \
		}                                                                                  \
		berr_clear(&_e);                                                                   \
		spec_free(_s);                                                                     \
	} while (0)

static void test_scheduler_rules(void)
{
	EXPECT(", \"scheduler\": {\"policy\": \"SCHED_FIFO\", \"priority\": 10}", "", NULL);
	EXPECT(", \"scheduler\": {\"policy\": \"SCHED_BATCH\", \"nice\": -5, \"flags\":"
	       " [\"SCHED_FLAG_RESET_ON_FORK\"]}",
	       "", NULL);
	EXPECT(", \"scheduler\": {\"policy\": \"SCHED_DEADLINE\", \"runtime\": 1000000,"
	       " \"deadline\": 2000000, \"period\": 3000000}",
	       "", NULL);
	EXPECT(", \"scheduler\": {\"policy\": \"SCHED_FIFO\"}", "", "need a priority between 1");
	EXPECT(", \"scheduler\": {\"policy\": \"SCHED_RR\", \"priority\": 100}", "",
	       "need a priority between 1");
	EXPECT(", \"scheduler\": {\"policy\": \"SCHED_OTHER\", \"priority\": 3}", "",
	       "process.scheduler.priority: only for SCHED_FIFO or SCHED_RR");
	EXPECT(", \"scheduler\": {\"policy\": \"SCHED_OTHER\", \"runtime\": 3}", "",
	       "only for SCHED_DEADLINE");
	EXPECT(", \"scheduler\": {\"policy\": \"SCHED_DEADLINE\", \"runtime\": 3,"
	       " \"deadline\": 2}",
	       "", "0 < runtime <= deadline");
	EXPECT(", \"scheduler\": {\"policy\": \"SCHED_ISO\"}", "", "SCHED_ISO");
	EXPECT(", \"scheduler\": {\"policy\": \"SCHED_OTHER\", \"nice\": 20}", "",
	       "process.scheduler: nice: must be between -20 and 19");
	EXPECT(", \"scheduler\": {\"policy\": \"SCHED_OTHER\", \"flags\": [\"SCHED_FLAG_X\"]}", "",
	       "process.scheduler.flags[0]: unknown flag 'SCHED_FLAG_X'");
	EXPECT(", \"ioPriority\": {\"class\": \"IOPRIO_CLASS_BE\", \"priority\": 8}", "",
	       "process.ioPriority: priority: must be between 0 and 7");
	EXPECT(", \"ioPriority\": {\"class\": \"IOPRIO_CLASS_X\", \"priority\": 1}", "",
	       "process.ioPriority.class: unknown value 'IOPRIO_CLASS_X'");
}

static void test_memory_policy_and_personality_rules(void)
{
	EXPECT("", ", \"memoryPolicy\": {\"mode\": \"MPOL_BIND\", \"nodes\": \"0-1\"}", NULL);
	EXPECT("", ", \"memoryPolicy\": {\"mode\": \"MPOL_LOCAL\"}", NULL);
	EXPECT("", ", \"memoryPolicy\": {\"mode\": \"MPOL_PREFERRED\"}", NULL);
	EXPECT("", ", \"memoryPolicy\": {\"mode\": \"MPOL_BIND\"}",
	       "linux.memoryPolicy.nodes: this mode needs nodes");
	EXPECT("", ", \"memoryPolicy\": {\"mode\": \"MPOL_DEFAULT\", \"nodes\": \"0\"}",
	       "must be empty for MPOL_DEFAULT");
	EXPECT("", ", \"memoryPolicy\": {\"mode\": \"MPOL_BIND\", \"nodes\": \"x\"}",
	       "linux.memoryPolicy.nodes: 'x' is not a node list");
	EXPECT("",
	       ", \"memoryPolicy\": {\"mode\": \"MPOL_BIND\", \"nodes\": \"0\", \"flags\":"
	       " [\"MPOL_F_STATIC_NODES\", \"MPOL_F_RELATIVE_NODES\"]}",
	       "exclude each other");
	EXPECT("", ", \"memoryPolicy\": {\"mode\": \"MPOL_NOPE\"}",
	       "linux.memoryPolicy.mode: unknown mode 'MPOL_NOPE'");
	EXPECT("", ", \"personality\": {\"domain\": \"LINUX32\"}", NULL);
	EXPECT("", ", \"personality\": {\"domain\": \"LINUX32\", \"flags\": [\"X\"]}",
	       "linux.personality.flags: no flags are supported");
	EXPECT("", ", \"personality\": {\"domain\": \"WINDOWS\"}",
	       "linux.personality.domain: must be 'LINUX' or 'LINUX32'");
}

static void test_net_device_names(void)
{
	EXPECT("", ", \"namespaces\": [{\"type\": \"network\"}], \"netDevices\": {\"eth0\": {}}",
	       NULL);
	EXPECT("",
	       ", \"namespaces\": [{\"type\": \"network\"}], \"netDevices\": {\"eth0\":"
	       " {\"name\": \"ctr%d\"}}",
	       NULL);
	EXPECT("",
	       ", \"namespaces\": [{\"type\": \"network\"}], \"netDevices\": {\"eth0\":"
	       " {\"name\": \"a/b\"}}",
	       "linux.netDevices[\"eth0\"].name: 'a/b' is not a valid interface name");
	EXPECT("",
	       ", \"namespaces\": [{\"type\": \"network\"}], \"netDevices\":"
	       " {\"0123456789abcdef\": {}}",
	       "not a valid interface name");
	EXPECT("", ", \"netDevices\": {\"eth0\": {}}", "linux.netDevices: need a new network");
}

static const struct test tests[] = {
	TEST(test_bitmask_lists),
	TEST(test_scheduler_rules),
	TEST(test_memory_policy_and_personality_rules),
	TEST(test_net_device_names),
	{NULL, NULL},
};

int main(void)
{
	return test_main(tests);
}
