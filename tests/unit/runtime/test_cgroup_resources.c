/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The resource writers against fake cgroup trees in a temp dir (plain files stand for the
 * kernel's): each value lands in the right file of the right hierarchy, converted for
 * v2, and unavailable controllers fail with a message naming the field.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fd.h"
#include "lib/cleanup.h"
#include "lib/test.h"
#include "runtime/cgroup/cgroup.h"
#include "lib/cgroup_layout.h"

static char top[64];

static void put(const char *rel, const char *content)
{
	char path[512], *slash;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	for (slash = strchr(path + strlen(top) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		(void) mkdir(path, 0755);
		*slash = '/';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ASSERT_TRUE(fd >= 0);
	ASSERT_OK(write_all(fd, content, strlen(content)));
	close(fd);
}

/* The content of a fake file, without a trailing newline. */
static const char *get(const char *rel)
{
	static char buf[4096];
	char path[512], *text = NULL;

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	if (read_file_at(AT_FDCWD, path, sizeof(buf), &text, NULL) < 0)
		return "(missing)";
	snprintf(buf, sizeof(buf), "%s", text);
	free(text);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static void fresh_top(void)
{
	char cmd[128];

	if (top[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
		ASSERT_EQ(system(cmd), 0);
	}
	snprintf(top, sizeof(top), "/tmp/berth-test-cg-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(top));
}

/* A manager for /berth/x over mountinfo lines in which "@" stands for the temp dir. */
static struct cgroup_manager *manager(const char *mountinfo)
{
	struct cgroup_manager *m = NULL;
	struct cgroup_layout *l = NULL;
	struct berr *err = NULL;
	char text[4096] = "";

	for (const char *p = mountinfo; *p; p++)
		if (*p == '@')
			strcat(text, top);
		else
			strncat(text, p, 1);
	ASSERT_OK(cgroup_layout_parse(text, &l, &err));
	ASSERT_OK(cgroup_manager_new_layout("/berth/x", l, &m, &err));
	return m;
}

static void parse(const char *json, struct spec_resources *r)
{
	struct berr *err = NULL;

	if (oci_resources_parse(json, strlen(json), "r", r, &err) < 0)
		TEST_FAIL("%s", err->msg);
}

#define V2_MOUNT "30 22 0:26 / @/v2 rw - cgroup2 cgroup2 rw\n"

static void v2_tree(const char *controllers)
{
	static const char *const files[] = {
		"memory.max", "memory.swap.max", "memory.low",	"cpu.weight",  "cpu.max.burst",
		"cpu.idle",   "cpuset.cpus",	 "cpuset.mems", "pids.max",    "io.weight",
		"io.max",     "hugetlb.2MB.max", "rdma.max",	"memory.high", "cgroup.max.depth"};

	put("v2/cgroup.controllers", controllers);
	put("v2/cgroup.subtree_control", "");
	put("v2/berth/cgroup.subtree_control", "");
	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		char rel[128];

		snprintf(rel, sizeof(rel), "v2/berth/x/%s", files[i]);
		put(rel, "");
	}
	put("v2/berth/x/cpu.max", "max 100000\n");
	put("v2/berth/x/memory.current", "4096\n");
}

static void test_v2_conversions(void)
{
	struct cgroup_manager *m;
	struct spec_resources r;
	struct berr *err = NULL;

	fresh_top();
	v2_tree("cpuset cpu io memory hugetlb pids rdma\n");
	m = manager(V2_MOUNT);
	parse("{\"memory\": {\"limit\": 1048576, \"swap\": 3145728, \"reservation\": 4096},"
	      " \"cpu\": {\"shares\": 1024, \"quota\": 50000, \"burst\": 1000, \"idle\": 1,"
	      "  \"cpus\": \"0-1\", \"mems\": \"0\"},"
	      " \"pids\": {\"limit\": -1},"
	      " \"blockIO\": {\"weight\": 500, \"throttleReadBpsDevice\": [{\"major\": 8,"
	      "  \"minor\": 0, \"rate\": 0}, {\"major\": 8, \"minor\": 16, \"rate\": 1024}]},"
	      " \"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 4194304}],"
	      " \"rdma\": {\"mlx5_1\": {\"hcaHandles\": 3}},"
	      " \"unified\": {\"memory.high\": \"65536\", \"cgroup.max.depth\": \"4\"}}",
	      &r);
	if (cgroup_update(m, &r, &err) < 0)
		TEST_FAIL("%s", err->msg);
	ASSERT_STREQ(get("v2/berth/x/memory.max"), "1048576");
	ASSERT_STREQ(get("v2/berth/x/memory.swap.max"), "2097152"); /* swap only */
	ASSERT_STREQ(get("v2/berth/x/memory.low"), "4096");
	ASSERT_STREQ(get("v2/berth/x/cpu.weight"), "100");
	ASSERT_STREQ(get("v2/berth/x/cpu.max"), "50000 100000"); /* period kept */
	ASSERT_STREQ(get("v2/berth/x/cpu.max.burst"), "1000");
	ASSERT_STREQ(get("v2/berth/x/cpu.idle"), "1");
	ASSERT_STREQ(get("v2/berth/x/cpuset.cpus"), "0-1");
	ASSERT_STREQ(get("v2/berth/x/pids.max"), "max");
	ASSERT_STREQ(get("v2/berth/x/io.weight"), "default 4950");
	ASSERT_STREQ(get("v2/berth/x/io.max"), "8:16 rbps=1024"); /* the last write */
	ASSERT_STREQ(get("v2/berth/x/hugetlb.2MB.max"), "4194304");
	ASSERT_STREQ(get("v2/berth/x/rdma.max"), "mlx5_1 hca_handle=3");
	ASSERT_STREQ(get("v2/berth/x/memory.high"), "65536");
	ASSERT_STREQ(get("v2/berth/x/cgroup.max.depth"), "4");
	/* Controllers are enabled from the root down to the parent. */
	ASSERT_TRUE(get("v2/cgroup.subtree_control")[0] == '+');
	ASSERT_TRUE(get("v2/berth/cgroup.subtree_control")[0] == '+');
	spec_resources_done(&r);
	cgroup_manager_free(m);
}

/* Expect update with json to fail with exactly want. */
static void expect_fail(struct cgroup_manager *m, const char *json, const char *want)
{
	struct spec_resources r;
	struct berr *err = NULL;

	parse(json, &r);
	ASSERT_TRUE(cgroup_update(m, &r, &err) < 0);
	ASSERT_STREQ(err->msg, want);
	berr_clear(&err);
	spec_resources_done(&r);
}

static void test_v2_refusals(void)
{
	struct cgroup_manager *m;

	fresh_top();
	v2_tree("cpu memory pids\n");
	m = manager(V2_MOUNT);
	expect_fail(m, "{\"cpu\": {\"realtimeRuntime\": 1000}}",
		    "cpu.realtimeRuntime, cpu.realtimePeriod: cgroup v2 has no realtime bandwidth "
		    "limits (they need cgroup v1's cpu.rt_*)");
	expect_fail(m, "{\"network\": {\"classID\": 1}}",
		    "network.classID: the net_cls controller is not mounted on this host, and "
		    "cgroup v2 has no equivalent");
	expect_fail(m, "{\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 1}]}",
		    "hugepageLimits: the hugetlb controller is not available in cgroup2 "
		    "(cgroup.controllers: 'cpu memory pids')");
	expect_fail(m, "{\"unified\": {\"foo.bar\": \"1\"}}",
		    "unified.foo.bar: the foo controller is not available in cgroup2 "
		    "(cgroup.controllers: 'cpu memory pids')");
	put("v2/berth/x/memory.max", "max\n");
	expect_fail(m, "{\"memory\": {\"swap\": 1024}}",
		    "memory.swap: 1024 cannot be converted to cgroup v2: memory+swap needs a "
		    "memory limit no larger than it");
	expect_fail(m, "{\"memory\": {\"limit\": 1024, \"checkBeforeUpdate\": true}}",
		    "memory.limit: 1024 is below what the container uses (4096 bytes; "
		    "memory.checkBeforeUpdate is set)");
	cgroup_manager_free(m);
}

#define V1_MOUNTS                                                                                  \
	"31 30 0:27 / @/v1/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"                        \
	"32 30 0:28 / @/v1/memory rw - cgroup cgroup rw,memory\n"                                  \
	"33 30 0:29 / @/v1/pids rw - cgroup cgroup rw,pids\n"                                      \
	"34 30 0:30 / @/v1/blkio rw - cgroup cgroup rw,blkio\n"                                    \
	"35 30 0:31 / @/v1/devices rw - cgroup cgroup rw,devices\n"

static void v1_tree(void)
{
	static const char *const files[] = {
		"memory/berth/x/memory.memsw.limit_in_bytes",
		"memory/berth/x/memory.soft_limit_in_bytes",
		"memory/berth/x/memory.swappiness",
		"memory/berth/x/memory.oom_control",
		"cpu,cpuacct/berth/x/cpu.shares",
		"cpu,cpuacct/berth/x/cpu.cfs_period_us",
		"cpu,cpuacct/berth/x/cpu.cfs_quota_us",
		"cpu,cpuacct/berth/x/cpu.rt_period_us",
		"pids/berth/x/pids.max",
		"blkio/berth/x/blkio.bfq.weight",
		"blkio/berth/x/blkio.throttle.write_iops_device",
		"devices/berth/x/devices.allow",
		"devices/berth/x/devices.deny",
	};

	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		char rel[128];

		snprintf(rel, sizeof(rel), "v1/%s", files[i]);
		put(rel, "");
	}
	put("v1/memory/berth/x/memory.limit_in_bytes", "1\n");
}

static void test_v1_files(void)
{
	char path[512];
	struct cgroup_manager *m;
	struct spec_resources r;
	struct berr *err = NULL;

	fresh_top();
	v1_tree();
	m = manager(V1_MOUNTS);
	parse("{\"memory\": {\"limit\": 1048576, \"swap\": 2097152, \"reservation\": 4096,"
	      "  \"swappiness\": 10, \"disableOOMKiller\": true},"
	      " \"cpu\": {\"shares\": 512, \"quota\": -1, \"period\": 50000,"
	      "  \"realtimePeriod\": 900000},"
	      " \"pids\": {\"limit\": 0},"
	      " \"blockIO\": {\"weight\": 500, \"throttleWriteIOPSDevice\": [{\"major\": 8,"
	      "  \"minor\": 0, \"rate\": 100}]},"
	      " \"devices\": [{\"allow\": false, \"access\": \"rwm\"},"
	      "  {\"allow\": true, \"type\": \"c\", \"major\": 4, \"access\": \"rw\"}]}",
	      &r);
	if (cgroup_apply_resources(m, &r, &err) < 0)
		TEST_FAIL("%s", err->msg);
	ASSERT_STREQ(get("v1/memory/berth/x/memory.limit_in_bytes"), "1048576");
	ASSERT_STREQ(get("v1/memory/berth/x/memory.memsw.limit_in_bytes"), "2097152");
	ASSERT_STREQ(get("v1/memory/berth/x/memory.soft_limit_in_bytes"), "4096");
	ASSERT_STREQ(get("v1/memory/berth/x/memory.swappiness"), "10");
	ASSERT_STREQ(get("v1/memory/berth/x/memory.oom_control"), "1");
	ASSERT_STREQ(get("v1/cpu,cpuacct/berth/x/cpu.shares"), "512");
	ASSERT_STREQ(get("v1/cpu,cpuacct/berth/x/cpu.cfs_quota_us"), "-1");
	ASSERT_STREQ(get("v1/cpu,cpuacct/berth/x/cpu.cfs_period_us"), "50000");
	ASSERT_STREQ(get("v1/cpu,cpuacct/berth/x/cpu.rt_period_us"), "900000");
	ASSERT_STREQ(get("v1/pids/berth/x/pids.max"), "0");
	ASSERT_STREQ(get("v1/blkio/berth/x/blkio.bfq.weight"), "500");
	ASSERT_STREQ(get("v1/blkio/berth/x/blkio.throttle.write_iops_device"), "8:0 100");
	/* The last allow is runc's last default rule; the first deny resets everything. */
	ASSERT_TRUE(strncmp(get("v1/devices/berth/x/devices.allow"), "c 136:* rwm", 11) == 0);
	spec_resources_done(&r);
	expect_fail(m, "{\"unified\": {\"memory.high\": \"1\"}}",
		    "unified: this host has no cgroup v2 tree (it is cgroup v1 only)");
	expect_fail(m, "{\"network\": {\"classID\": 1}}",
		    "network.classID: the net_cls controller is not mounted on this host");
	expect_fail(m, "{\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 1}]}",
		    "hugepageLimits: the hugetlb controller is not mounted on this host");
	ASSERT_OK(unlink(
		strcat(strcpy(path, top), "/v1/memory/berth/x/memory.memsw.limit_in_bytes")));
	expect_fail(m, "{\"memory\": {\"swap\": 2097152}}",
		    "memory.swap: this kernel does not account swap (no "
		    "memory.memsw.limit_in_bytes: boot with swapaccount=1)");
	cgroup_manager_free(m);
}

/* Hybrid: v1 hierarchies do the limiting; what only cgroup2 has goes there. */
static void test_hybrid_split(void)
{
	char path[512];
	struct cgroup_manager *m;
	struct spec_resources r;
	struct berr *err = NULL;

	fresh_top();
	v1_tree();
	v2_tree("hugetlb\n");
	m = manager(V1_MOUNTS V2_MOUNT);
	ASSERT_EQ(m->layout->mode, CGROUP_MODE_HYBRID);
	parse("{\"memory\": {\"limit\": 65536},"
	      " \"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 2097152}]}",
	      &r);
	if (cgroup_update(m, &r, &err) < 0)
		TEST_FAIL("%s", err->msg);
	ASSERT_STREQ(get("v1/memory/berth/x/memory.limit_in_bytes"), "65536");
	ASSERT_STREQ(get("v2/berth/x/memory.max"), "");
	ASSERT_STREQ(get("v2/berth/x/hugetlb.2MB.max"), "2097152");
	ASSERT_STREQ(get("v2/berth/cgroup.subtree_control"), "+hugetlb");
	spec_resources_done(&r);
	/* A file of a controller that is not there is not there either. */
	ASSERT_OK(unlink(strcat(strcpy(path, top), "/v2/berth/x/memory.high")));
	expect_fail(m, "{\"unified\": {\"memory.high\": \"1\"}}",
		    "unified.memory.high: the memory controller is not available in cgroup2 on "
		    "this hybrid host (cgroup.controllers: 'hugetlb')");
	cgroup_manager_free(m);
}

static void cleanup(void)
{
	char cmd[128];

	if (top[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
		(void) system(cmd);
	}
}

static const struct test tests[] = {
	TEST(test_v2_conversions), TEST(test_v2_refusals), TEST(test_v1_files),
	TEST(test_hybrid_split),   {NULL, NULL},
};

int main(void)
{
	int r = test_main(tests);

	cleanup();
	return r;
}
