/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/passwd.h"
#include "lib/test.h"

static const char text[] = "root:x:0:0:root:/root:/bin/sh\n"
			   "broken line without colons\n"
			   "short:x:7\n"
			   "noname:x:10:10::/home/noname:/bin/sh\n"
			   "nohome:x:11:11:gecos::/bin/sh\n"
			   "neg:x:-1:0::/neg:/bin/sh\n"
			   "junk:x:12abc:0::/junk:/bin/sh\n"
			   "u:x:1000:1000::/home/u:/bin/sh"; /* no final newline */

static void test_fields(void)
{
	_cleanup_free_ char *name = passwd_field(text, 0, PASSWD_NAME);
	_cleanup_free_ char *home = passwd_field(text, 0, PASSWD_HOME);
	_cleanup_free_ char *last = passwd_field(text, 1000, PASSWD_HOME);
	_cleanup_free_ char *empty_name = passwd_field(text, 10, PASSWD_NAME);

	ASSERT_STREQ(name, "root");
	ASSERT_STREQ(home, "/root");
	ASSERT_STREQ(last, "/home/u");
	ASSERT_STREQ(empty_name, "noname");
}

static void test_missing(void)
{
	ASSERT_NULL(passwd_field(text, 11, PASSWD_HOME));	   /* empty home */
	ASSERT_NULL(passwd_field(text, 7, PASSWD_HOME));	   /* too few fields */
	ASSERT_NULL(passwd_field(text, 12, PASSWD_HOME));	   /* "12abc" is not 12 */
	ASSERT_NULL(passwd_field(text, 4294967295u, PASSWD_HOME)); /* "-1" */
	ASSERT_NULL(passwd_field(text, 54321, PASSWD_NAME));
	ASSERT_NULL(passwd_field("", 0, PASSWD_NAME));
}

static void test_host_name_fallback(void)
{
	_cleanup_free_ char *n = passwd_host_name(4000000000u);

	ASSERT_STREQ(n, "#4000000000");
}

/* A FIFO or a symlink out of the root is not read; a regular file is. */
static void test_read_in_root(void)
{
	char dir[] = "/tmp/berth-passwd-XXXXXX";
	char path[256];
	_cleanup_close_ int root = -1;
	_cleanup_free_ char *out = NULL;

	ASSERT_NOT_NULL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/etc", dir);
	ASSERT_OK(mkdir(path, 0755));
	root = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ASSERT_TRUE(root >= 0);
	snprintf(path, sizeof(path), "%s/etc/passwd", dir);
	ASSERT_OK(mkfifo(path, 0644));
	ASSERT_EQ(passwd_read_in_root(root, &out), -EINVAL);
	ASSERT_OK(unlink(path));
	ASSERT_OK(write_file_at(AT_FDCWD, path, "a:x:5:5::/a:/bin/sh\n",
				O_WRONLY | O_CREAT | O_TRUNC));
	ASSERT_OK(passwd_read_in_root(root, &out));
	ASSERT_STREQ(out, "a:x:5:5::/a:/bin/sh\n");
	ASSERT_OK(unlink(path));
	snprintf(path, sizeof(path), "%s/etc", dir);
	ASSERT_OK(rmdir(path));
	ASSERT_OK(rmdir(dir));
}

static const struct test tests[] = {
	TEST(test_fields),	 TEST(test_missing), TEST(test_host_name_fallback),
	TEST(test_read_in_root), {NULL, NULL},
};

int main(void)
{
	return test_main(tests);
}
