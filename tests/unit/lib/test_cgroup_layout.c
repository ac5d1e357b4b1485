/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "lib/strv.h"
#include "lib/test.h"
#include "lib/cgroup_layout.h"

static const char hybrid[] =
	"22 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
	"30 22 0:26 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"31 30 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
	"32 30 0:28 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"33 30 0:29 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
	"34 30 0:30 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
	"35 22 0:31 / /mnt/with\\040space rw - cgroup cgroup rw,pids\n";

static void test_hybrid(void)
{
	struct cgroup_layout *l = NULL;
	struct berr *err = NULL;
	const struct cgroup_hier *h;

	ASSERT_OK(cgroup_layout_parse(hybrid, &l, &err));
	ASSERT_EQ(l->mode, CGROUP_MODE_HYBRID);
	ASSERT_EQ(l->n, 5);
	h = cgroup_layout_find_v1(l, "cpuacct");
	ASSERT_NOT_NULL(h);
	ASSERT_STREQ(h->mountpoint, "/sys/fs/cgroup/cpu,cpuacct");
	ASSERT_STREQ(h->options, "cpu,cpuacct");
	ASSERT_STREQ(l->v[2].options, "name=systemd");
	ASSERT_EQ(strv_length(l->v[2].controllers), 0);
	ASSERT_STREQ(l->unified->mountpoint, "/sys/fs/cgroup/unified");
	ASSERT_STREQ(cgroup_layout_find_v1(l, "pids")->mountpoint, "/mnt/with space");
	ASSERT_NULL(cgroup_layout_find_v1(l, "blkio"));
	cgroup_layout_free(l);
}

static void test_v2_and_v1_and_none(void)
{
	struct cgroup_layout *l = NULL;
	struct berr *err = NULL;

	ASSERT_OK(cgroup_layout_parse(
		"30 22 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n", &l, &err));
	ASSERT_EQ(l->mode, CGROUP_MODE_V2);
	l = cgroup_layout_free(l);
	ASSERT_OK(cgroup_layout_parse(
		"32 30 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n", &l, &err));
	ASSERT_EQ(l->mode, CGROUP_MODE_V1);
	l = cgroup_layout_free(l);
	ASSERT_OK(cgroup_layout_parse("garbage line\n\n", &l, &err));
	ASSERT_EQ(l->mode, CGROUP_MODE_NONE);
	cgroup_layout_free(l);
}

/* A container's rbind of /sys shows the same hierarchies again: the first mount counts. */
static void test_bind_copies_are_skipped(void)
{
	struct cgroup_layout *l = NULL;
	struct berr *err = NULL;

	ASSERT_OK(cgroup_layout_parse(
		"32 30 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
		"34 30 0:30 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
		"90 80 0:28 / /b/rootfs/sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
		"91 80 0:30 / /b/rootfs/sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n",
		&l, &err));
	ASSERT_EQ(l->n, 2);
	ASSERT_STREQ(l->v[0].mountpoint, "/sys/fs/cgroup/memory");
	ASSERT_STREQ(l->unified->mountpoint, "/sys/fs/cgroup/unified");
	cgroup_layout_free(l);
}

static const struct test tests[] = {
	TEST(test_hybrid),
	TEST(test_bind_copies_are_skipped),
	TEST(test_v2_and_v1_and_none),
	{NULL, NULL},
};

int main(void)
{
	return test_main(tests);
}
