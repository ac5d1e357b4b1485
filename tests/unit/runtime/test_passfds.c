/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/strv.h"
#include "lib/test.h"
#include "runtime/process/passfds.h"

static void test_listen_count(void)
{
	struct berr *err = NULL;
	char pid[16];

	snprintf(pid, sizeof(pid), "%d", (int) getpid());
	unsetenv("LISTEN_PID");
	setenv("LISTEN_FDS", "2", 1);
	ASSERT_EQ(passfds_listen_count(&err), 0); /* no LISTEN_PID: not ours */
	setenv("LISTEN_PID", "1", 1);
	ASSERT_EQ(passfds_listen_count(&err), 0); /* another process's */
	setenv("LISTEN_PID", pid, 1);
	ASSERT_EQ(passfds_listen_count(&err), 2);
	setenv("LISTEN_FDS", "two", 1);
	ASSERT_EQ(passfds_listen_count(&err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "LISTEN_FDS");
	berr_clear(&err);
	setenv("LISTEN_FDS", "99999999", 1);
	ASSERT_EQ(passfds_listen_count(&err), -EINVAL);
	berr_clear(&err);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
}

/* The lowest free fd >= 3, so that the test knows what is open. */
static int first_free(void)
{
	int fd = 3;

	while (fcntl(fd, F_GETFD) >= 0)
		fd++;
	return fd;
}

static void test_check(void)
{
	struct berr *err = NULL;
	int hole = first_free(), n = hole - 3;

	ASSERT_OK(passfds_check(0, 0, &err));
	ASSERT_OK(passfds_check(0, n, &err));
	ASSERT_EQ(passfds_check(0, n + 1, &err), -EBADF);
	ASSERT_CONTAINS(err->msg, "--preserve-fds");
	berr_clear(&err);
	if (n > 0) {
		ASSERT_EQ(passfds_check(n + 1, 0, &err), -EBADF);
		ASSERT_CONTAINS(err->msg, "LISTEN_FDS");
		berr_clear(&err);
	}
	ASSERT_EQ(passfds_check(0, PASSFDS_MAX + 1, &err), -EINVAL);
	berr_clear(&err);
}

static void test_listen_env(void)
{
	_cleanup_strv_ char **env = NULL;
	char want[32];

	ASSERT_OK(strv_push_dup(&env, "LISTEN_FDS=9"));
	ASSERT_OK(strv_push_dup(&env, "PATH=/bin"));
	ASSERT_OK(passfds_listen_env(&env, 0));
	ASSERT_EQ(strv_length(env), 2);
	ASSERT_OK(passfds_listen_env(&env, 3));
	ASSERT_EQ(strv_length(env), 3);
	ASSERT_STREQ(strv_env_get(env, "LISTEN_FDS"), "3");
	snprintf(want, sizeof(want), "%d", (int) getpid());
	ASSERT_STREQ(strv_env_get(env, "LISTEN_PID"), want);
}

static const struct test tests[] = {
	TEST(test_listen_count),
	TEST(test_check),
	TEST(test_listen_env),
	{NULL, NULL},
};

int main(void)
{
	return test_main(tests);
}
