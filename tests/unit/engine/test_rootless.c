/* SPDX-License-Identifier: Apache-2.0 */
/* Rootless berth's pure parts: the initial user namespace's uid_map, the user's subids. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/rootless.h"
#include "engine/subids.h"
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

/* The user's first range, as rootless.c reads it for newuidmap: by name, else by uid. */
static int first(const char *path, const char *name, const char *uid, unsigned long *start,
		 unsigned long *count)
{
	struct subid_ranges r;

	ASSERT_OK(subids_read(path, name, uid, &r));
	if (r.n == 0)
		return 0;
	*start = r.v[0].start;
	*count = r.v[0].count;
	return 1;
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
	char path[] = "/tmp/berth-test-subid-XXXXXX", empty[] = "/tmp/berth-test-subid-XXXXXX";
	unsigned long start = 0, count = 0;
	int fd = mkstemp(path), fd2 = mkstemp(empty);

	ASSERT_TRUE(fd >= 0 && fd2 >= 0);
	ASSERT_EQ(write(fd, text, strlen(text)), (ssize_t) strlen(text));
	close(fd);
	close(fd2);
	ASSERT_EQ(first(path, "alice", "1000", &start, &count), 1);
	ASSERT_EQ(start, 300000);
	ASSERT_EQ(count, 65536);
	/* by uid, as newuidmap also reads them */
	ASSERT_EQ(first(path, "bob", "1001", &start, &count), 1);
	ASSERT_EQ(start, 500000);
	ASSERT_EQ(count, 10);
	ASSERT_EQ(first(path, "carol", "1002", &start, &count), 0);
	ASSERT_EQ(first(path, NULL, "1002", &start, &count), 0);
	ASSERT_EQ(first(empty, "alice", "1", &start, &count), 0);
	unlink(path);
	unlink(empty);
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
