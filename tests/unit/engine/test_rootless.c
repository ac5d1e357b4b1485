/* SPDX-License-Identifier: Apache-2.0 */
/* Rootless berth's pure parts: the initial user namespace's uid_map, the user's subids. */
#include <stdlib.h>

#include "engine/rootless.h"
#include "lib/test.h"
#include "lib/userns_detect.h"

static void test_initial_uid_map(void)
{
	ASSERT_TRUE(uid_map_is_initial("         0          0 4294967295\n"));
	ASSERT_FALSE(uid_map_is_initial("         0       1001          1\n"));
	ASSERT_FALSE(uid_map_is_initial("0 1001 1\n1 100000 65536\n"));
	ASSERT_FALSE(uid_map_is_initial("0 0 4294967295\n1 2 3\n"));
	ASSERT_FALSE(uid_map_is_initial("0 0 4294967294\n"));
	ASSERT_FALSE(uid_map_is_initial(""));
}

static void test_subids(void)
{
	const char *text = "other:100000:65536\n"
			   "bad:line\n"
			   "alice:x:65536\n"
			   "alice:200000:0\n"
			   "alice:300000:65536\n"
			   "alice:400000:1000\n"
			   "1001:500000:10\n";
	unsigned long start = 0, count = 0;

	ASSERT_EQ(rootless_subid_parse(text, "alice", 1000, &start, &count), 1);
	ASSERT_EQ(start, 300000);
	ASSERT_EQ(count, 65536);
	/* by uid, as newuidmap also reads them */
	ASSERT_EQ(rootless_subid_parse(text, "bob", 1001, &start, &count), 1);
	ASSERT_EQ(start, 500000);
	ASSERT_EQ(count, 10);
	ASSERT_EQ(rootless_subid_parse(text, "carol", 1002, &start, &count), 0);
	ASSERT_EQ(rootless_subid_parse(text, NULL, 1002, &start, &count), 0);
	ASSERT_EQ(rootless_subid_parse("", "alice", 1, &start, &count), 0);
}

static const struct test tests[] = {
	TEST(test_initial_uid_map),
	TEST(test_subids),
	{},
};

int main(void)
{
	return test_main(tests);
}
