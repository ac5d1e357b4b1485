/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Files others control are read only when they are regular files: a FIFO neither blocks
 * nor opens, a device node is not opened, a symlink is not followed; the engine root is
 * made private.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/private_dir.h"
#include "lib/regfile.h"
#include "lib/rmtree.h"
#include "lib/test.h"

static char base[PATH_MAX];

static int make_dir(void)
{
	int fd;

	snprintf(base, sizeof(base), "/tmp/berth-unit-regfile-XXXXXX");
	if (!mkdtemp(base))
		TEST_FAIL("mkdtemp: %s", strerror(errno));
	fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		TEST_FAIL("open: %s", strerror(errno));
	return fd;
}

static void test_only_regular_files_open(void)
{
	int dfd = make_dir(), fd;
	char buf[8] = {0};

	ASSERT_EQ(mkfifoat(dfd, "fifo", 0644), 0);
	ASSERT_EQ(symlinkat("file", dfd, "link"), 0);
	fd = openat(dfd, "file", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ASSERT_EQ(write(fd, "abc", 3), 3);
	close(fd);
	alarm(10); /* a FIFO opened for reading would block here forever */
	ASSERT_EQ(open_regular_at(dfd, "fifo", O_RDONLY), -EINVAL);
	ASSERT_EQ(open_regular_at(dfd, "link", O_RDONLY), -EINVAL);
	ASSERT_EQ(open_regular_at(dfd, ".", O_RDONLY), -EINVAL);
	ASSERT_EQ(open_regular_at(dfd, "missing", O_RDONLY), -ENOENT);
	if (geteuid() == 0) {
		ASSERT_EQ(mknodat(dfd, "zero", S_IFCHR | 0644, makedev(1, 5)), 0);
		ASSERT_EQ(open_regular_at(dfd, "zero", O_RDONLY), -EINVAL);
	}
	alarm(0);
	fd = open_regular_at(dfd, "file", O_RDONLY);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(read(fd, buf, sizeof(buf)), 3);
	ASSERT_STREQ(buf, "abc");
	ASSERT_FALSE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	ASSERT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	(void) rm_rf_at(AT_FDCWD, base);
	close(dfd);
}

static void test_private_dir(void)
{
	int dfd = make_dir();
	char path[PATH_MAX + 32];
	struct stat st;

	close(dfd);
	snprintf(path, sizeof(path), "%s/a/root", base);
	ASSERT_EQ(private_dir_prepare(path), 0);
	ASSERT_EQ(stat(path, &st), 0);
	ASSERT_EQ(st.st_mode & 07777, 0700);
	ASSERT_EQ(chmod(path, 04755), 0);
	ASSERT_EQ(private_dir_prepare(path), 0);
	ASSERT_EQ(stat(path, &st), 0);
	ASSERT_EQ(st.st_mode & 07777, 04700);
	(void) rm_rf_at(AT_FDCWD, base);
}

static const struct test tests[] = {
	TEST(test_only_regular_files_open),
	TEST(test_private_dir),
	{NULL, NULL},
};

int main(void)
{
	return test_main(tests);
}
