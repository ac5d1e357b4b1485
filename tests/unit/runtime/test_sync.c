/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/test.h"
#include "runtime/process/sync.h"

/* fds cross with their message; each arrives close-on-exec and names the same file. */
static void test_fds_cross(void)
{
	struct berr *err = NULL;
	int sp[2], fds[SYNC_MAX_FDS], got[SYNC_MAX_FDS];
	struct stat a, b;
	size_t n = 0;

	ASSERT_OK(sync_pair(sp, &err));
	for (size_t i = 0; i < SYNC_MAX_FDS; i++)
		ASSERT_TRUE((fds[i] = open("/dev/null", O_PATH | O_CLOEXEC)) >= 0);
	ASSERT_OK(sync_send_fds(sp[0], SYNC_MOUNT_SOURCES, fds, SYNC_MAX_FDS));
	ASSERT_OK(sync_expect_fds(sp[1], SYNC_MOUNT_SOURCES, got, SYNC_MAX_FDS, &n, &err));
	ASSERT_EQ(n, SYNC_MAX_FDS);
	ASSERT_OK(fstat(fds[7], &a));
	ASSERT_OK(fstat(got[7], &b));
	ASSERT_TRUE(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	ASSERT_EQ(fcntl(got[0], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	for (size_t i = 0; i < n; i++) {
		close(fds[i]);
		close(got[i]);
	}
	/* An empty message is one too; more than the sender may is refused before sending. */
	ASSERT_OK(sync_send_fds(sp[0], SYNC_MOUNT_SOURCES, NULL, 0));
	ASSERT_OK(sync_expect_fds(sp[1], SYNC_MOUNT_SOURCES, got, SYNC_MAX_FDS, &n, &err));
	ASSERT_EQ(n, 0);
	ASSERT_EQ(sync_send_fds(sp[0], SYNC_MOUNT_SOURCES, fds, SYNC_MAX_FDS + 1), -EINVAL);
	close(sp[0]);
	close(sp[1]);
}

/* More fds than the receiver takes, a wrong type, an error, a hang-up: clear errors. */
static void test_fds_refused(void)
{
	struct berr *err = NULL, *sent = NULL;
	int sp[2], fds[3], got[2];
	size_t n = 0;

	ASSERT_OK(sync_pair(sp, &err));
	for (size_t i = 0; i < 3; i++)
		ASSERT_TRUE((fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0);
	ASSERT_OK(sync_send_fds(sp[0], SYNC_MOUNT_SOURCES, fds, 3));
	ASSERT_EQ(sync_expect_fds(sp[1], SYNC_MOUNT_SOURCES, got, 2, &n, &err), -EPROTO);
	ASSERT_CONTAINS(err->msg, "3 fds announced, 2 came");
	berr_clear(&err);
	ASSERT_OK(sync_send_fds(sp[0], SYNC_GO, fds, 1));
	ASSERT_EQ(sync_expect_fds(sp[1], SYNC_MOUNT_SOURCES, got, 2, &n, &err), -EPROTO);
	berr_clear(&err);
	berr_set(&sent, ENOENT, "opening bind source '/x'");
	sync_send_error(sp[0], sent);
	ASSERT_EQ(sync_expect_fds(sp[1], SYNC_MOUNT_SOURCES, got, 2, &n, &err), -ENOENT);
	ASSERT_CONTAINS(err->msg, "opening bind source '/x'");
	berr_clear(&err);
	berr_clear(&sent);
	close(sp[0]);
	ASSERT_EQ(sync_expect_fds(sp[1], SYNC_MOUNT_SOURCES, got, 2, &n, &err), -EPIPE);
	berr_clear(&err);
	close(sp[1]);
	for (size_t i = 0; i < 3; i++)
		close(fds[i]);
}

static const struct test tests[] = {
	TEST(test_fds_cross),
	TEST(test_fds_refused),
	{NULL, NULL},
};

int main(void)
{
	return test_main(tests);
}
