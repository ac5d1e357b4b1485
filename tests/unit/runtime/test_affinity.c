/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "lib/test.h"
#include "runtime/process/affinity.h"

static void test_parse(void)
{
	struct berr *err = NULL;
	cpu_set_t set;

	ASSERT_OK(affinity_parse("0-2,5", "process.execCPUAffinity.initial", &set, &err));
	ASSERT_EQ(CPU_COUNT(&set), 4);
	ASSERT_TRUE(CPU_ISSET(5, &set));
	ASSERT_FALSE(CPU_ISSET(3, &set));
	ASSERT_EQ(affinity_parse("1-x", "process.execCPUAffinity.final", &set, &err), -EINVAL);
	ASSERT_STREQ(err->msg,
		     "process.execCPUAffinity.final: '1-x' is not a CPU list like '0-3,7'");
	berr_clear(&err);
	ASSERT_EQ(affinity_parse("99999", "f", &set, NULL), -EINVAL);
}

static void test_apply_to_self(void)
{
	struct berr *err = NULL;
	cpu_set_t before, after;

	ASSERT_OK(sched_getaffinity(0, sizeof(before), &before));
	ASSERT_OK(affinity_apply(0, "", "f", &err));
	ASSERT_OK(affinity_apply(0, NULL, "f", &err));
	ASSERT_OK(affinity_apply(0, "0", "f", &err));
	ASSERT_OK(sched_getaffinity(0, sizeof(after), &after));
	ASSERT_EQ(CPU_COUNT(&after), 1);
	ASSERT_TRUE(CPU_ISSET(0, &after));
	ASSERT_EQ(affinity_apply(0, "1000", "process.execCPUAffinity.final", &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "none of them is online");
	berr_clear(&err);
	ASSERT_OK(sched_setaffinity(0, sizeof(before), &before));
}

static const struct test tests[] = {
	TEST(test_parse),
	TEST(test_apply_to_self),
	{NULL, NULL},
};

int main(void)
{
	return test_main(tests);
}
