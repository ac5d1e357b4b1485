/* SPDX-License-Identifier: Apache-2.0 */
/* Paths inside a root never leave it: with openat2 and with the userspace walk. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/safe_path.h"
#include "lib/test.h"

static char base[PATH_MAX];

/* A root with hostile symlinks, and an "outside" directory next to it. */
static int make_tree(void)
{
	char path[PATH_MAX + 64];
	int rootfd;

	snprintf(base, sizeof(base), "/tmp/berth-unit-safe-XXXXXX");
	if (!mkdtemp(base))
		TEST_FAIL("mkdtemp: %s", strerror(errno));
#define P(sub) (snprintf(path, sizeof(path), "%s/%s", base, sub), path)
	mkdir(P("root"), 0755);
	mkdir(P("outside"), 0755);
	mkdir(P("root/etc"), 0755);
	mkdir(P("root/tmp"), 0755);
	close(open(P("root/etc/passwd"), O_CREAT | O_WRONLY, 0644));
	close(open(P("outside/secret"), O_CREAT | O_WRONLY, 0644));
	symlink("/etc", P("root/abs"));
	symlink("../../../../outside", P("root/up"));
	symlink("/tmp/../../..", P("root/dotdot"));
	symlink("/nowhere/new", P("root/dangling"));
	symlink("loop2", P("root/loop1"));
	symlink("loop1", P("root/loop2"));
	symlink("/proc/self/root", P("root/magic"));
#undef P
	snprintf(path, sizeof(path), "%s/root", base);
	rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		TEST_FAIL("open root: %s", strerror(errno));
	return rootfd;
}

static void remove_tree(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	(void) system(cmd);
}

static bool same_file(int fd, const char *rel)
{
	char path[PATH_MAX + 64];
	struct stat a, b;

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev;
}

typedef int (*open_fn)(int, const char *, int, mode_t);

static void check_containment(open_fn fn)
{
	int rootfd = make_tree();
	int fd;

	fd = fn(rootfd, "/abs/passwd", O_PATH, 0);
	ASSERT_TRUE(fd >= 0 && same_file(fd, "root/etc/passwd"));
	close(fd);
	/* ../../.. stops at the root: "up" lands on root/outside, which does not exist */
	ASSERT_EQ(fn(rootfd, "/up/secret", O_PATH, 0), -ENOENT);
	fd = fn(rootfd, "dotdot/etc", O_PATH, 0);
	ASSERT_TRUE(fd >= 0 && same_file(fd, "root/etc"));
	close(fd);
	fd = fn(rootfd, "/../../etc/../etc/passwd", O_PATH, 0);
	ASSERT_TRUE(fd >= 0 && same_file(fd, "root/etc/passwd"));
	close(fd);
	ASSERT_EQ(fn(rootfd, "/loop1", O_PATH, 0), -ELOOP);
	ASSERT_EQ(fn(rootfd, "/etc/passwd/x", O_PATH, 0), -ENOTDIR);
	fd = fn(rootfd, "/", O_PATH, 0);
	ASSERT_TRUE(fd >= 0 && same_file(fd, "root"));
	close(fd);
	close(rootfd);
	remove_tree();
}

static void test_openat2_contains(void)
{
	check_containment(safe_open_in_root);
}

static void test_walk_contains(void)
{
	check_containment(safe_open_in_root_walk);
}

static void test_magic_links_refused(void)
{
	int rootfd = make_tree();
	int fd = safe_open_in_root(rootfd, "/magic", O_PATH, 0);

	/* /proc/self/root does not exist in the root, so it cannot resolve there either. */
	ASSERT_TRUE(fd < 0);
	close(rootfd);
	remove_tree();
}

static void test_mkdir_p_follows_dangling_inside(void)
{
	int rootfd = make_tree();
	int fd;

	fd = safe_mkdir_p_in_root(rootfd, "/dangling/sub", 0755);
	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(same_file(fd, "root/nowhere/new/sub"));
	close(fd);
	fd = safe_mkdir_p_in_root(rootfd, "/up/made", 0755);
	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(same_file(fd, "root/outside/made"));
	close(fd);
	ASSERT_EQ(safe_mkdir_p_in_root(rootfd, "/etc/passwd/x", 0755), -ENOTDIR);
	close(rootfd);
	remove_tree();
}

static void test_mount_target_file(void)
{
	int rootfd = make_tree();
	char path[PATH_MAX + 64];
	int fd;

	snprintf(path, sizeof(path), "%s/root/lnk", base);
	symlink("/x/y/file", path);
	fd = safe_mount_target(rootfd, "/lnk", true);
	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(same_file(fd, "root/x/y/file"));
	close(fd);
	ASSERT_EQ(safe_mount_target(rootfd, "/etc", true), -EISDIR);
	fd = safe_mount_target(rootfd, "/a/b/c", false);
	ASSERT_TRUE(fd >= 0 && same_file(fd, "root/a/b/c"));
	close(fd);
	close(rootfd);
	remove_tree();
}

static const struct test tests[] = {
	TEST(test_openat2_contains),	TEST(test_walk_contains),
	TEST(test_magic_links_refused), TEST(test_mkdir_p_follows_dangling_inside),
	TEST(test_mount_target_file),	{NULL, NULL},
};

int main(void)
{
	return test_main(tests);
}
