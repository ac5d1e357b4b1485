/* SPDX-License-Identifier: Apache-2.0 */
/* mounts_check_fs_type: the check behind CVE-2019-16884 (a fake /proc). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/test.h"
#include "runtime/rootfs/mounts.h"

static void test_check_fs_type(void)
{
	_cleanup_close_ int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int sys = open("/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int tmp = open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct berr *err = NULL;

	ASSERT_TRUE(proc >= 0 && sys >= 0 && tmp >= 0);
	ASSERT_OK(mounts_check_fs_type(proc, "proc", &err));
	ASSERT_OK(mounts_check_fs_type(sys, "sysfs", &err));
	ASSERT_EQ(mounts_check_fs_type(tmp, "proc", &err), -EPERM);
	ASSERT_STREQ(err->msg, "the proc mount is not a proc filesystem");
	berr_clear(&err);
	ASSERT_EQ(mounts_check_fs_type(proc, "sysfs", &err), -EPERM);
	ASSERT_STREQ(err->msg, "the sysfs mount is not a sysfs filesystem");
	berr_clear(&err);
	ASSERT_OK(mounts_check_fs_type(tmp, "tmpfs", &err)); /* other types are not checked */
}

static const struct test tests[] = {
	TEST(test_check_fs_type),
	{0},
};

int main(void)
{
	return test_main(tests);
}
