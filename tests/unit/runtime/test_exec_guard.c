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
#include "lib/test.h"
#include "runtime/security/exec_guard.h"

static void test_interpreter_parsing(void)
{
	char buf[64];

	ASSERT_TRUE(exec_guard_interpreter("#!/bin/sh\n", 10, buf, sizeof(buf)));
	ASSERT_STREQ(buf, "/bin/sh");
	ASSERT_TRUE(exec_guard_interpreter("#! \t/proc/self/exe -x\n", 22, buf, sizeof(buf)));
	ASSERT_STREQ(buf, "/proc/self/exe");
	ASSERT_TRUE(exec_guard_interpreter("#!rel", 5, buf, sizeof(buf)));
	ASSERT_STREQ(buf, "rel");
	ASSERT_FALSE(exec_guard_interpreter("#!\n", 3, buf, sizeof(buf)));
	ASSERT_FALSE(exec_guard_interpreter("\x7f"
					    "ELF",
					    4, buf, sizeof(buf)));
	ASSERT_FALSE(exec_guard_interpreter("#", 1, buf, sizeof(buf)));
	ASSERT_FALSE(exec_guard_interpreter("#!/a/very/long/name", 19, buf, 8));
}

static char dir[] = "/tmp/berth-test-guard-XXXXXX";

static void put(const char *name, const char *text, mode_t mode)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ASSERT_OK(write_file_at(AT_FDCWD, path, text, O_WRONLY | O_CREAT | O_TRUNC));
	ASSERT_OK(chmod(path, mode));
}

static void test_guard(void)
{
	struct file_id self;
	struct berr *err = NULL;
	char path[256], cmd[300];

	ASSERT_NOT_NULL(mkdtemp(dir));
	/* "self" stands for the runtime's binary: any file can play it. */
	put("self", "not really a runtime", 0755);
	snprintf(path, sizeof(path), "%s/self", dir);
	{
		struct stat st;

		ASSERT_OK(stat(path, &st));
		self = (struct file_id){.dev = st.st_dev, .ino = st.st_ino, .set = true};
	}
	ASSERT_EQ(exec_guard_check(&self, path, NULL, &err), -EPERM);
	ASSERT_CONTAINS(err->msg, "refusing to execute the runtime's own binary");
	berr_clear(&err);
	/* Through a symlink and through /proc's magic links. */
	snprintf(cmd, sizeof(cmd), "%s/link", dir);
	ASSERT_OK(symlink(path, cmd));
	ASSERT_EQ(exec_guard_check(&self, "link", dir, &err), -EPERM);
	berr_clear(&err);
	/* A script whose interpreter chain ends at self, relative names from cwd. */
	snprintf(cmd, sizeof(cmd), "#!%s/self\n", dir);
	put("one", cmd, 0755);
	put("two", "#!one arg\n", 0755);
	put("three", "#! two\n", 0711);
	ASSERT_EQ(exec_guard_check(&self, "three", dir, &err), -EPERM);
	ASSERT_CONTAINS(err->msg, "(the interpreter '");
	berr_clear(&err);
	/* Anything else passes, and so does what cannot be found (execve reports it). */
	put("fine", "#!/bin/sh\necho\n", 0755);
	ASSERT_OK(exec_guard_check(&self, "fine", dir, &err));
	ASSERT_OK(exec_guard_check(&self, "missing", dir, &err));
	ASSERT_OK(exec_guard_check(&self, "/dev/null", NULL, &err));
	ASSERT_OK(exec_guard_check(NULL, path, NULL, &err));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void) system(cmd);
}

static void test_self_is_the_running_binary(void)
{
	struct file_id self;
	struct berr *err = NULL;
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	ASSERT_TRUE(n > 0);
	exe[n] = '\0';
	ASSERT_OK(exec_guard_self(&self, &err));
	ASSERT_EQ(exec_guard_check(&self, exe, NULL, &err), -EPERM);
	berr_clear(&err);
	ASSERT_EQ(exec_guard_check(&self, "/proc/self/exe", NULL, &err), -EPERM);
	berr_clear(&err);
}

static const struct test tests[] = {
	TEST(test_interpreter_parsing),
	TEST(test_guard),
	TEST(test_self_is_the_running_binary),
	{0},
};

int main(void)
{
	return test_main(tests);
}
