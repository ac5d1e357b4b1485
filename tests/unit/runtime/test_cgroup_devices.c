/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "lib/test.h"
#include "runtime/cgroup/cgroup_devices.h"

static void test_defaults_follow_the_config(void)
{
	const struct spec_device_rule user[] = {{false, 'a', -1, -1, "rwm"},
						{true, 'c', 10, 229, "rw"}};
	struct spec_device_rule *r = NULL;
	size_t n = 0;
	char *line;

	ASSERT_OK(cgroup_devices_rules(user, 2, &r, &n));
	ASSERT_EQ(n, 2 + 11);
	ASSERT_EQ(r[1].minor, 229);
	/* runc 1.1's list: mknod of anything, then the usual nodes, ptys last. */
	line = cgroup_devices_rule_line(&r[2]);
	ASSERT_STREQ(line, "c *:* m");
	free(line);
	line = cgroup_devices_rule_line(&r[n - 1]);
	ASSERT_STREQ(line, "c 136:* rwm");
	free(line);
	free(r);
}

static void test_a_rules(void)
{
	const struct spec_device_rule user[] = {
		{true, 'a', -1, -1, "rwm"}, {false, 'a', 7, -1, "rwm"}, {false, 'a', -1, -1, "w"}};
	struct spec_device_rule *r = NULL;
	size_t n = 0;
	char *line;

	ASSERT_OK(cgroup_devices_rules(user, 3, &r, &n));
	ASSERT_EQ(n, 1 + 2 + 2 + 11);
	line = cgroup_devices_rule_line(&r[0]);
	ASSERT_STREQ(line, "a"); /* a reset of the default */
	free(line);
	/* "a" naming a device or part of the access is a c rule and a b rule. */
	line = cgroup_devices_rule_line(&r[1]);
	ASSERT_STREQ(line, "c 7:* rwm");
	free(line);
	line = cgroup_devices_rule_line(&r[2]);
	ASSERT_STREQ(line, "b 7:* rwm");
	free(line);
	line = cgroup_devices_rule_line(&r[4]);
	ASSERT_STREQ(line, "b *:* w");
	ASSERT_FALSE(r[4].allow);
	free(line);
	free(r);
}

static const struct test tests[] = {
	TEST(test_defaults_follow_the_config),
	TEST(test_a_rules),
	{NULL, NULL},
};

int main(void)
{
	return test_main(tests);
}
