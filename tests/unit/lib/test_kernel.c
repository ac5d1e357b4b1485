/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The supported-kernel check: this host passes; a feature faked missing is refused with
 * one sentence naming it, the Linux version that brought it and berth's minimum.
 */
#include <string.h>
#include <sys/utsname.h>

#include "lib/kernel.h"
#include "lib/test.h"

static void test_this_kernel_passes(void)
{
	struct berr *err = NULL;

	ASSERT_OK(kernel_check(NULL, &err));
	ASSERT_OK(kernel_check("", &err));
	ASSERT_OK(kernel_check("no_such_feature,other", &err));
}

static void test_missing_feature_is_named(void)
{
	struct berr *err = NULL;
	struct utsname u;
	char want[256 + sizeof(u.release)];

	ASSERT_OK(uname(&u));
	ASSERT_EQ(kernel_check("mount_setattr", &err), -ENOSYS);
	snprintf(want, sizeof(want),
		 "this kernel (%s) lacks mount_setattr (Linux 5.12): berth needs Linux 5.12 or "
		 "later",
		 u.release);
	ASSERT_STREQ(err->msg, want);
	berr_clear(&err);
}

static void test_oldest_missing_comes_first(void)
{
	struct berr *err = NULL;

	ASSERT_EQ(kernel_check("mount_setattr,fsopen", &err), -ENOSYS);
	ASSERT_CONTAINS(err->msg, "lacks fsopen (Linux 5.2)");
	berr_clear(&err);
	/* a list entry matches a whole name only */
	ASSERT_OK(kernel_check("mount,fsopen2,open_tre", &err));
}

static const struct test tests[] = {TEST(test_this_kernel_passes),
				    TEST(test_missing_feature_is_named),
				    TEST(test_oldest_missing_comes_first),
				    {}};

int main(void)
{
	return test_main(tests);
}
