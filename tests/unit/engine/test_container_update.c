/* SPDX-License-Identifier: Apache-2.0 */
/* berth update's parse, merge (docker's update conflicts) and the runtime's resources JSON. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/container_update.h"
#include "lib/cleanup.h"
#include "lib/test.h"

static int parse(const struct container_flags *f, struct container_update *u, const char *want)
{
	struct berr *err = NULL;
	int r = container_update_parse(f, u, &err);

	if (want) {
		ASSERT_EQ(r, -EINVAL);
		ASSERT_CONTAINS(err->msg, want);
	}
	berr_free(err);
	return r;
}

static void test_parse(void)
{
	struct container_update u;

	parse(&(struct container_flags){0}, &u,
	      "you must provide one or more flags when using this command");
	parse(&(struct container_flags){.memory = "1k"}, &u, "Minimum memory limit allowed is 6MB");
	parse(&(struct container_flags){.memory = "x"}, &u,
	      "invalid argument \"x\" for \"--memory\" flag");
	parse(&(struct container_flags){.blkio_weight = "5"}, &u,
	      "Range of blkio weight is from 10 to 1000");
	parse(&(struct container_flags){.memory = "100m", .memory_swap = "50m"}, &u,
	      "Minimum memoryswap limit should be larger than memory limit, see usage");
	parse(&(struct container_flags){.memory = "100m", .memory_reservation = "200m"}, &u,
	      "Minimum memory limit can not be less than memory reservation limit");
	parse(&(struct container_flags){.cpus = "1", .cpu_quota = "5000"}, &u,
	      "Conflicting options: Nano CPUs and CPU Period/Quota cannot both be set");
	ASSERT_OK(
		parse(&(struct container_flags){.memory_swap = "-1", .pids_limit = "0"}, &u, NULL));
	ASSERT_EQ(u.memory_swap, -1);
	ASSERT_TRUE(update_has(&u, UPD_PIDS_LIMIT));
	ASSERT_FALSE(update_has(&u, UPD_MEMORY));
	ASSERT_OK(parse(&(struct container_flags){.restart = "on-failure:3", .cpuset_cpus = "0"},
			&u, NULL));
	ASSERT_EQ(u.restart.kind, RESTART_ON_FAILURE);
	ASSERT_EQ(u.restart.max_retries, 3);
	ASSERT_STREQ(u.cpuset_cpus, "0");
}

static int merge(struct container_config *c, const struct container_flags *f, const char *want)
{
	struct container_update u;
	struct berr *err = NULL;
	int r;

	ASSERT_OK(container_update_parse(f, &u, NULL));
	r = container_update_merge(c, &u, &err);
	if (want) {
		ASSERT_EQ(r, -EINVAL);
		ASSERT_CONTAINS(err->msg, want);
	}
	berr_free(err);
	return r;
}

static void test_merge(void)
{
	struct container_config c = {.id = (char *) "abc",
				     .memory = 64 << 20,
				     .memory_swap = 128 << 20,
				     .nano_cpus = 500000000};

	merge(&c, &(struct container_flags){.memory = "200m"},
	      "Cannot update container abc: Memory limit should be smaller than already set "
	      "memoryswap limit, update the memoryswap at the same time");
	ASSERT_EQ(c.memory, 64 << 20);
	ASSERT_OK(merge(&c, &(struct container_flags){.memory = "100m"}, NULL));
	ASSERT_EQ(c.memory, 100 << 20);
	ASSERT_EQ(c.memory_swap, 128 << 20);
	ASSERT_OK(
		merge(&c, &(struct container_flags){.memory = "200m", .memory_swap = "-1"}, NULL));
	ASSERT_EQ(c.memory_swap, -1);
	merge(&c, &(struct container_flags){.cpu_period = "50000"},
	      "Cannot update container abc: Conflicting options: CPU Period cannot be updated as "
	      "NanoCPUs has already been set");
	c.nano_cpus = 0;
	c.cpu_quota = 20000;
	merge(&c, &(struct container_flags){.cpus = "1"},
	      "Nano CPUs cannot be updated as CPU Quota has already been set");
	c.auto_remove = true;
	merge(&c, &(struct container_flags){.restart = "always"},
	      "Restart policy cannot be updated because AutoRemove is enabled for the container");
	ASSERT_OK(merge(&c, &(struct container_flags){.restart = "no"}, NULL));
	c.pids_limit = 30;
	ASSERT_OK(merge(&c, &(struct container_flags){.pids_limit = "-1", .cpuset_cpus = "0-1"},
			NULL));
	ASSERT_EQ(c.pids_limit, 0);
	ASSERT_STREQ(c.cpuset_cpus, "0-1");
	ASSERT_OK(merge(&c, &(struct container_flags){.cpuset_cpus = ""}, NULL));
	ASSERT_NULL(c.cpuset_cpus);
}

static void test_resources_json(void)
{
	struct container_config c = {.memory = 64 << 20,
				     .memory_swap = 128 << 20,
				     .nano_cpus = 250000000,
				     .pids_limit = 0,
				     .cpu_shares = 512};
	struct container_update u = {0};
	_cleanup_free_ char *all = NULL, *none = NULL, *noswap = NULL;

	u.set = 1u << UPD_MEMORY | 1u << UPD_CPUS | 1u << UPD_PIDS_LIMIT;
	all = container_update_resources_json(&c, &u, true);
	ASSERT_CONTAINS(all, "\"memory\":{\"limit\":67108864,\"swap\":134217728}");
	ASSERT_CONTAINS(all, "\"cpu\":{\"period\":100000,\"quota\":25000}");
	ASSERT_CONTAINS(all, "\"pids\":{\"limit\":-1}");
	ASSERT_TRUE(!strstr(all, "shares"));
	noswap = container_update_resources_json(&c, &u, false);
	ASSERT_TRUE(!strstr(noswap, "swap"));
	u.set = 1u << UPD_RESTART;
	none = container_update_resources_json(&c, &u, true);
	ASSERT_STREQ(none, "{}");
}

static const struct test tests[] = {
	TEST(test_parse),
	TEST(test_merge),
	TEST(test_resources_json),
	{},
};

int main(void)
{
	return test_main(tests);
}
