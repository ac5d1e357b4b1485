/* SPDX-License-Identifier: Apache-2.0 */
/*
 * src/engine/container_cp.c: a path ending in ".." stays in the root (it left it for the
 * directory beside the root: the container's bundle), and container_cp_stat's answer.
 * A temporary tree stands in for a container: DIR/bundle/{config.json,rootfs/}.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/container_cp.h"
#include "lib/cleanup.h"
#include "lib/rmtree.h"
#include "lib/test.h"

static char base[64];

/* bundle/config.json beside bundle/rootfs, which has a file and a symlink out */
static int make_tree(void)
{
	char p[256];
	FILE *f;

	snprintf(base, sizeof(base), "/tmp/berth-test-cp-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(base));
	snprintf(p, sizeof(p), "%s/bundle", base);
	ASSERT_OK(mkdir(p, 0700));
	snprintf(p, sizeof(p), "%s/bundle/config.json", base);
	ASSERT_NOT_NULL(f = fopen(p, "w"));
	fclose(f);
	snprintf(p, sizeof(p), "%s/bundle/rootfs", base);
	ASSERT_OK(mkdir(p, 0755));
	snprintf(p, sizeof(p), "%s/bundle/rootfs/file", base);
	ASSERT_NOT_NULL(f = fopen(p, "w"));
	fputs("abc", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/bundle/rootfs/link", base);
	ASSERT_OK(symlink("/etc/passwd", p));
	snprintf(p, sizeof(p), "%s/out", base);
	ASSERT_OK(mkdir(p, 0700));
	snprintf(p, sizeof(p), "%s/bundle/rootfs", base);
	return open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static bool exists(const char *rel)
{
	char p[256];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	return lstat(p, &st) == 0;
}

static void test_dotdot_stays_in_root(void)
{
	_cleanup_close_ int rootfd = make_tree();
	char out[256];

	ASSERT_TRUE(rootfd >= 0);
	snprintf(out, sizeof(out), "%s/out", base);
	ASSERT_OK(container_cp_out(rootfd, "/..", out, NULL));
	/* the root's contents, not the bundle's: nothing lands beside out either */
	ASSERT_TRUE(exists("out/file"));
	ASSERT_FALSE(exists("out/config.json"));
	ASSERT_FALSE(exists("config.json"));
	ASSERT_FALSE(exists("rootfs"));
	ASSERT_OK(container_cp_out(rootfd, "/../../file", out, NULL));
	ASSERT_FALSE(exists("out/rootfs"));
	(void) rm_rf_at(AT_FDCWD, base);
}

static void test_stat(void)
{
	_cleanup_close_ int rootfd = make_tree();
	struct cp_stat st;

	ASSERT_OK(container_cp_stat(rootfd, "/file", &st, NULL));
	ASSERT_STREQ(st.name, "file");
	ASSERT_EQ(st.size, 3);
	ASSERT_TRUE(S_ISREG(st.mode));
	/* a symlink is told, not followed (the host's /etc/passwd is not the answer) */
	ASSERT_OK(container_cp_stat(rootfd, "/link", &st, NULL));
	ASSERT_TRUE(S_ISLNK(st.mode));
	ASSERT_STREQ(st.link_target, "/etc/passwd");
	ASSERT_OK(container_cp_stat(rootfd, "/", &st, NULL));
	ASSERT_STREQ(st.name, "/");
	ASSERT_TRUE(S_ISDIR(st.mode));
	/* .. from the root is the root */
	ASSERT_OK(container_cp_stat(rootfd, "/..", &st, NULL));
	ASSERT_TRUE(S_ISDIR(st.mode));
	ASSERT_EQ(container_cp_stat(rootfd, "/nosuch", &st, NULL), -ENOENT);
	ASSERT_EQ(container_cp_stat(rootfd, "/link/x", &st, NULL) < 0, true);
	(void) rm_rf_at(AT_FDCWD, base);
}

static const struct test tests[] = {TEST(test_dotdot_stays_in_root), TEST(test_stat), {}};

int main(void)
{
	return test_main(tests);
}
