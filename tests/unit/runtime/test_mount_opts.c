/* SPDX-License-Identifier: Apache-2.0 */
#include <linux/mount.h>
#include <stdlib.h>
#include <sys/mount.h>

#include "lib/test.h"
#include "runtime/config/mount_opts.h"

static void test_flags_and_data(void)
{
	char *opts[] = {"nosuid",   "ro",	"rw",	       "noexec",
			"size=64k", "mode=755", "strictatime", NULL};
	struct mount_opts o = {0};

	ASSERT_OK(mount_opts_parse(opts, &o));
	ASSERT_EQ(o.flags, MS_NOSUID | MS_NOEXEC | MS_STRICTATIME);
	ASSERT_EQ(o.clear & MS_RDONLY, MS_RDONLY); /* rw after ro wins */
	ASSERT_STREQ(o.data, "size=64k,mode=755");
	ASSERT_FALSE(o.bind);
	free(o.data);
}

static void test_bind_propagation_recursive(void)
{
	char *opts[] = {"rbind", "rslave", "rro", "rnosuid", "rnoatime", "idmap", NULL};
	struct mount_opts o = {0};

	ASSERT_OK(mount_opts_parse(opts, &o));
	ASSERT_TRUE(o.bind && o.recursive);
	ASSERT_EQ(o.propagation, MS_SLAVE | MS_REC);
	ASSERT_EQ(o.attr_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOATIME);
	ASSERT_EQ(o.attr_clr, MOUNT_ATTR__ATIME);
	ASSERT_TRUE(o.idmap && !o.ridmap);
	ASSERT_NULL(o.data);
}

/* As runc's flags, "bind" after "rbind" (or before it) leaves the bind recursive. */
static void test_rbind_then_bind_stays_recursive(void)
{
	char *opts[] = {"rbind", "ro", "bind", "ridmap", "idmap", NULL};
	char *rev[] = {"bind", "rbind", NULL};
	struct mount_opts o = {0}, r = {0};

	ASSERT_OK(mount_opts_parse(opts, &o));
	ASSERT_TRUE(o.bind && o.recursive);
	ASSERT_TRUE(o.idmap && o.ridmap);
	ASSERT_OK(mount_opts_parse(rev, &r));
	ASSERT_TRUE(r.bind && r.recursive);
}

static void test_propagation_names(void)
{
	ASSERT_EQ(mount_propagation_from_string("shared"), MS_SHARED);
	ASSERT_EQ(mount_propagation_from_string("runbindable"), MS_UNBINDABLE | MS_REC);
	ASSERT_EQ(mount_propagation_from_string("sideways"), 0);
}

static const struct test tests[] = {
	TEST(test_flags_and_data),
	TEST(test_bind_propagation_recursive),
	TEST(test_propagation_names),
	TEST(test_rbind_then_bind_stays_recursive),
	{NULL, NULL},
};

int main(void)
{
	return test_main(tests);
}
