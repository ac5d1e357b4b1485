/* SPDX-License-Identifier: Apache-2.0 */
/* --user and --group-add against a container's /etc/passwd and /etc/group text. */
#include <errno.h>
#include <stdlib.h>

#include "engine/user_lookup.h"
#include "lib/test.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
			     "app:x:1000:1000::/home/app:/bin/sh\n";
static const char group[] = "root:x:0:\n"
			    "# a comment\n"
			    "wheel:x:10:app\n"
			    "video:x:44:\n"
			    "broken:x:notanumber:\n";

static void test_group_add(void)
{
	struct exec_user u = {0};
	struct berr *err = NULL;

	ASSERT_OK(user_lookup_text("app", passwd, group, &u, NULL));
	ASSERT_EQ(u.n_groups, 1); /* wheel lists app */
	ASSERT_OK(user_add_groups_text(group, (char *[]){"video", "4321", NULL}, &u, NULL));
	ASSERT_EQ(u.n_groups, 3);
	ASSERT_EQ(u.groups[0], 10);
	ASSERT_EQ(u.groups[1], 44);
	ASSERT_EQ(u.groups[2], 4321);
	ASSERT_EQ(user_add_groups_text(group, (char *[]){"nosuch", NULL}, &u, &err), -ENOENT);
	ASSERT_STREQ(err->msg, "Unable to find group nosuch");
	err = berr_free(err);
	ASSERT_EQ(user_add_groups_text(group, (char *[]){"broken", NULL}, &u, &err), -ENOENT);
	err = berr_free(err);
	/* no group file: numbers only */
	ASSERT_OK(user_add_groups_text(NULL, (char *[]){"7", NULL}, &u, NULL));
	ASSERT_EQ(user_add_groups_text(NULL, (char *[]){"wheel", NULL}, &u, &err), -ENOENT);
	err = berr_free(err);
	ASSERT_OK(user_add_groups_text(group, NULL, &u, NULL));
	ASSERT_EQ(u.n_groups, 4);
	exec_user_done(&u);
}

static const struct test tests[] = {
	TEST(test_group_add),
	{},
};

int main(void)
{
	return test_main(tests);
}
