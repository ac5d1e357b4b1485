/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources (oci_config_resources*.c): every field read, bad input named by path. */
#include <errno.h>
#include <string.h>

#include "lib/test.h"
#include "runtime/config/oci_config.h"

static const char full[] =
	"{\"devices\": [{\"allow\": false, \"access\": \"rwm\"},"
	"  {\"allow\": true, \"type\": \"c\", \"major\": 10, \"minor\": 229, \"access\": \"wr\"},"
	"  {\"allow\": true, \"type\": \"b\", \"major\": 8, \"access\": \"\"}],"
	" \"memory\": {\"limit\": 536870912, \"reservation\": 1024, \"swap\": -1, \"kernel\": -1,"
	"  \"kernelTCP\": 5, \"swappiness\": 0, \"disableOOMKiller\": true,"
	"  \"useHierarchy\": true, \"checkBeforeUpdate\": false},"
	" \"cpu\": {\"shares\": 1024, \"quota\": 1000000, \"burst\": 1000000, \"period\": 500000,"
	"  \"realtimeRuntime\": 950000, \"realtimePeriod\": 1000000, \"cpus\": \"2-3\","
	"  \"mems\": \"0-7\", \"idle\": 1},"
	" \"pids\": {\"limit\": 0},"
	" \"blockIO\": {\"weight\": 10, \"leafWeight\": 1000,"
	"  \"weightDevice\": [{\"major\": 8, \"minor\": 0, \"weight\": 500, \"leafWeight\": 300},"
	"   {\"major\": 8, \"minor\": 16, \"weight\": 500}],"
	"  \"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 600}],"
	"  \"throttleWriteBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 0}],"
	"  \"throttleReadIOPSDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 7}],"
	"  \"throttleWriteIOPSDevice\": [{\"major\": 8, \"minor\": 16, \"rate\": 300}]},"
	" \"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 209715200},"
	"  {\"pageSize\": \"64KB\", \"limit\": 1000000}],"
	" \"network\": {\"classID\": 1048577, \"priorities\": [{\"name\": \"eth0\","
	"  \"priority\": 500}]},"
	" \"rdma\": {\"mlx5_1\": {\"hcaHandles\": 3, \"hcaObjects\": 10000},"
	"  \"rxe3\": {\"hcaObjects\": 10}},"
	" \"unified\": {\"io.max\": \"259:0 rbps=2097152\", \"memory.high\": \"max\"}}";

static void test_every_field(void)
{
	struct spec_resources r;
	struct berr *err = NULL;

	ASSERT_OK(oci_resources_parse(full, strlen(full), "resources.json", &r, &err));
	ASSERT_TRUE(r.set && r.devices_set);
	ASSERT_EQ(r.n_devices, 3);
	ASSERT_EQ(r.devices[0].type, 'a');
	ASSERT_EQ(r.devices[0].major, -1);
	ASSERT_STREQ(r.devices[1].access, "rw");
	ASSERT_EQ(r.devices[1].minor, 229);
	ASSERT_STREQ(r.devices[2].access, "rwm");
	ASSERT_EQ(r.devices[2].minor, -1);
	ASSERT_EQ(r.memory.limit.v, 536870912);
	ASSERT_TRUE(r.memory.swap.set && r.memory.swap.v == -1);
	ASSERT_TRUE(r.memory.swappiness.set && r.memory.swappiness.v == 0);
	ASSERT_TRUE(r.memory.disable_oom_killer.v && r.memory.check_before_update.set);
	ASSERT_EQ_U64(r.cpu.shares.v, 1024);
	ASSERT_EQ(r.cpu.quota.v, 1000000);
	ASSERT_EQ(r.cpu.realtime_runtime.v, 950000);
	ASSERT_STREQ(r.cpu.cpus, "2-3");
	ASSERT_EQ(r.cpu.idle.v, 1);
	ASSERT_TRUE(r.pids_limit.set && r.pids_limit.v == 0);
	ASSERT_EQ(r.block_io.weight.v, 10);
	ASSERT_EQ(r.block_io.weight_device.n, 2);
	ASSERT_EQ(r.block_io.weight_device.v[0].leaf_weight.v, 300);
	ASSERT_FALSE(r.block_io.weight_device.v[1].leaf_weight.set);
	ASSERT_EQ_U64(r.block_io.throttle_write_iops.v[0].rate, 300);
	ASSERT_EQ(r.n_hugepage_limits, 2);
	ASSERT_STREQ(r.hugepage_limits[1].page_size, "64KB");
	ASSERT_EQ(r.network.class_id.v, 1048577);
	ASSERT_STREQ(r.network.priorities[0].name, "eth0");
	ASSERT_EQ(r.n_rdma, 2);
	ASSERT_STREQ(r.rdma[1].device, "rxe3");
	ASSERT_FALSE(r.rdma[1].hca_handles.set);
	ASSERT_EQ(r.n_unified, 2);
	ASSERT_STREQ(r.unified[0].key, "io.max");
	spec_resources_done(&r);
}

static void test_absent_is_unset(void)
{
	struct spec_resources r;
	struct berr *err = NULL;

	ASSERT_OK(oci_resources_parse("{\"memory\": {}}", 14, "r", &r, &err));
	ASSERT_FALSE(r.memory.limit.set);
	ASSERT_FALSE(r.devices_set);
	ASSERT_FALSE(r.pids_limit.set);
	spec_resources_done(&r);
}

/*
 * What runc skips when 0, and what Docker sends for "not set" (cpu.shares and
 * blockIO.weight in every container): unset, so that nothing is written.
 */
static void test_zero_is_unset_where_runc_skips_it(void)
{
	static const char doc[] =
		"{\"memory\": {\"limit\": 0, \"reservation\": 0, \"swap\": 0, \"kernel\": 0,"
		"  \"kernelTCP\": 0, \"swappiness\": 0},"
		" \"cpu\": {\"shares\": 0, \"quota\": 0, \"period\": 0, \"realtimeRuntime\": 0,"
		"  \"realtimePeriod\": 0, \"burst\": 0, \"idle\": 0},"
		" \"pids\": {\"limit\": 0},"
		" \"blockIO\": {\"weight\": 0, \"leafWeight\": 0,"
		"  \"weightDevice\": [{\"major\": 8, \"minor\": 0, \"weight\": 0}]},"
		" \"network\": {\"classID\": 0}}";
	static const char swap0[] = "{\"memory\": {\"limit\": 100, \"swap\": 0}}";
	struct spec_resources r;
	struct berr *err = NULL;

	ASSERT_OK(oci_resources_parse(doc, strlen(doc), "r", &r, &err));
	ASSERT_FALSE(r.memory.limit.set || r.memory.reservation.set || r.memory.swap.set ||
		     r.memory.kernel.set || r.memory.kernel_tcp.set);
	ASSERT_FALSE(r.cpu.shares.set || r.cpu.quota.set || r.cpu.period.set ||
		     r.cpu.realtime_runtime.set || r.cpu.realtime_period.set);
	ASSERT_FALSE(r.block_io.weight.set || r.block_io.leaf_weight.set);
	ASSERT_EQ(r.block_io.weight_device.n, 1);
	ASSERT_FALSE(r.block_io.weight_device.v[0].weight.set);
	ASSERT_FALSE(r.network.class_id.set);
	/* 0 means something there: no swapping, no burst, not idle, no new task. */
	ASSERT_TRUE(r.memory.swappiness.set && r.cpu.burst.set && r.cpu.idle.set);
	ASSERT_TRUE(r.pids_limit.set && r.pids_limit.v == 0);
	spec_resources_done(&r);
	/* A swap of 0 is no swap setting, not a memory+swap below the limit. */
	ASSERT_OK(oci_resources_parse(swap0, strlen(swap0), "r", &r, &err));
	ASSERT_TRUE(r.memory.limit.set && !r.memory.swap.set);
	spec_resources_done(&r);
}

/* Parse one bad document and expect exactly want. */
#define EXPECT_BAD(doc, want)                                                                      \
	do {                                                                                       \
		struct spec_resources _r;                                                          \
		struct berr *_e = NULL;                                                            \
		ASSERT_TRUE(oci_resources_parse(doc, strlen(doc), "r.json", &_r, &_e) < 0);        \
		ASSERT_STREQ(_e->msg, want);                                                       \
		berr_clear(&_e);                                                                   \
	} while (0)

static void test_bad_memory_and_cpu(void)
{
	EXPECT_BAD("[]", "r.json: must be an object");
	EXPECT_BAD("{\"memory\": 1}", "r.json: memory: must be an object");
	EXPECT_BAD("{\"memory\": {\"limit\": \"1g\"}}", "r.json: memory.limit: must be an integer");
	EXPECT_BAD("{\"memory\": {\"limit\": -2}}",
		   "r.json: memory.limit: must be an integer between -1 and 9223372036854775807");
	EXPECT_BAD("{\"memory\": {\"swappiness\": 101}}",
		   "r.json: memory.swappiness: must be at most 100");
	EXPECT_BAD("{\"memory\": {\"limit\": 100, \"swap\": 50}}",
		   "r.json: memory: swap: memory+swap (50) must not be below limit (100)");
	EXPECT_BAD("{\"memory\": {\"disableOOMKiller\": 1}}",
		   "r.json: memory.disableOOMKiller: must be a boolean");
	EXPECT_BAD("{\"cpu\": {\"cpus\": \"0-\"}}",
		   "r.json: cpu.cpus: '0-' is not a list such as '0-3,7'");
	EXPECT_BAD("{\"cpu\": {\"mems\": 0}}", "r.json: cpu.mems: must be a string");
	EXPECT_BAD("{\"cpu\": {\"shares\": -1}}",
		   "r.json: cpu.shares: must be an integer between 0 and 18446744073709551615");
	EXPECT_BAD("{\"cpu\": {\"idle\": 2}}", "r.json: cpu: idle: must be 0 or 1");
	EXPECT_BAD("{\"cpu\": {\"quota\": 1000, \"burst\": 2000}}",
		   "r.json: cpu: burst: 2000 must not be above quota (1000)");
	EXPECT_BAD("{\"pids\": {\"limit\": -5}}",
		   "r.json: pids.limit: must be an integer between -1 and 9223372036854775807");
}

static void test_bad_devices_and_blkio(void)
{
	EXPECT_BAD("{\"devices\": {}}", "r.json: devices: must be an array");
	EXPECT_BAD("{\"devices\": [{\"access\": \"r\"}]}",
		   "r.json: devices[0].allow: must be given");
	EXPECT_BAD("{\"devices\": [{\"allow\": true, \"type\": \"x\"}]}",
		   "r.json: devices[0].type: must be 'a', 'c' or 'b', not 'x'");
	EXPECT_BAD("{\"devices\": [{\"allow\": true, \"access\": \"rwx\"}]}",
		   "r.json: devices[0].access: must be made of 'r', 'w' and 'm', not 'rwx'");
	EXPECT_BAD("{\"devices\": [{\"allow\": true, \"major\": -2}]}",
		   "r.json: devices[0].major: must be an integer between -1 and 1048575");
	EXPECT_BAD("{\"blockIO\": {\"weight\": 5}}",
		   "r.json: blockIO.weight: must be 0 (not set) or between 10 and 1000");
	EXPECT_BAD("{\"blockIO\": {\"weight\": 1001}}",
		   "r.json: blockIO.weight: must be an integer between 0 and 1000");
	EXPECT_BAD("{\"blockIO\": {\"weightDevice\": [{\"major\": 8, \"minor\": 0}]}}",
		   "r.json: blockIO.weightDevice[0]: needs weight or leafWeight");
	EXPECT_BAD("{\"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": 8, \"rate\": 1}]}}",
		   "r.json: blockIO.throttleReadBpsDevice[0].minor: must be given");
	EXPECT_BAD("{\"blockIO\": {\"throttleWriteIOPSDevice\": [{\"major\": 8, \"minor\": 0}]}}",
		   "r.json: blockIO.throttleWriteIOPSDevice[0].rate: must be given");
}

static void test_bad_other_groups(void)
{
	EXPECT_BAD("{\"hugepageLimits\": [{\"pageSize\": \"2M\", \"limit\": 1}]}",
		   "r.json: hugepageLimits[0].pageSize: '2M' is not a size such as '2MB' or '1GB'");
	EXPECT_BAD("{\"hugepageLimits\": [{\"pageSize\": \"2MB\"}]}",
		   "r.json: hugepageLimits[0].limit: must be given");
	EXPECT_BAD("{\"network\": {\"priorities\": [{\"name\": \"eth0 1\", \"priority\": 1}]}}",
		   "r.json: network.priorities[0].name: 'eth0 1' is not an interface name");
	EXPECT_BAD("{\"network\": {\"priorities\": [{\"name\": \"eth0\"}]}}",
		   "r.json: network.priorities[0].priority: must be given");
	EXPECT_BAD("{\"network\": {\"classID\": -1}}",
		   "r.json: network.classID: must be an integer between 0 and 4294967295");
	EXPECT_BAD("{\"rdma\": {\"mlx\": {}}}", "r.json: rdma.mlx: needs hcaHandles or hcaObjects");
	EXPECT_BAD("{\"rdma\": {\"a b\": {\"hcaHandles\": 1}}}",
		   "r.json: rdma[\"a b\"]: 'a b' is not an RDMA device name");
	EXPECT_BAD("{\"unified\": {\"../../memory.max\": \"1\"}}",
		   "r.json: unified: '../../memory.max' is not a cgroup file name such as "
		   "'memory.high'");
	EXPECT_BAD("{\"unified\": {\"memory\": \"1\"}}",
		   "r.json: unified: 'memory' is not a cgroup file name such as 'memory.high'");
	EXPECT_BAD("{\"unified\": {\"memory.max\": 1}}",
		   "r.json: unified[\"memory.max\"]: must be a string");
}

/* In config.json the path starts at linux.resources. */
static void test_path_in_config(void)
{
	static const char cfg[] = "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"},"
				  " \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"]},"
				  " \"linux\": {\"resources\": {\"memory\": {\"limit\": true}}}}";
	struct spec *s = NULL;
	struct berr *err = NULL;

	ASSERT_TRUE(oci_config_parse(cfg, strlen(cfg), &s, &err) < 0);
	ASSERT_STREQ(err->msg, "config.json: linux.resources.memory.limit: must be an integer");
	berr_clear(&err);
}

static const struct test tests[] = {
	TEST(test_every_field),
	TEST(test_absent_is_unset),
	TEST(test_zero_is_unset_where_runc_skips_it),
	TEST(test_bad_memory_and_cpu),
	TEST(test_bad_devices_and_blkio),
	TEST(test_bad_other_groups),
	TEST(test_path_in_config),
	{NULL, NULL},
};

int main(void)
{
	return test_main(tests);
}
