/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build/build_cache.h"
#include "build/builder.h"
#include "lib/fd.h"
#include "lib/rmtree.h"
#include "lib/strv.h"
#include "lib/test.h"

static void test_key(void)
{
	char a[DIGEST_MAX], b[DIGEST_MAX];

	build_cache_key("sha256:p", "RUN x", NULL, NULL, a);
	ASSERT_OK(digest_validate(a, NULL));
	build_cache_key("sha256:p", "RUN x", NULL, NULL, b);
	ASSERT_STREQ(a, b);
	/* each input is framed: moving a byte between two of them changes the key */
	build_cache_key("sha256:pR", "UN x", NULL, NULL, b);
	ASSERT_TRUE(strcmp(a, b) != 0);
	/* scratch, an empty content and no content differ */
	build_cache_key(NULL, "RUN x", NULL, NULL, b);
	ASSERT_TRUE(strcmp(a, b) != 0);
	build_cache_key("sha256:p", "RUN x", NULL, "", b);
	ASSERT_TRUE(strcmp(a, b) != 0);
	build_cache_key("sha256:p", "RUN x", (char *[]){"A=1", NULL}, NULL, a);
	build_cache_key("sha256:p", "RUN x", (char *[]){"A=2", NULL}, NULL, b);
	ASSERT_TRUE(strcmp(a, b) != 0);
	build_cache_key("sha256:p", "RUN x", (char *[]){"A=1", "B=2", NULL}, NULL, a);
	build_cache_key("sha256:p", "RUN x", (char *[]){"A=1B=2", NULL}, NULL, b);
	ASSERT_TRUE(strcmp(a, b) != 0);
}

static void put(const char *dir, const char *name, const char *text, mode_t mode)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_TRUE(fd >= 0);
	ASSERT_OK(write_all(fd, text, strlen(text)));
	close(fd);
	ASSERT_OK(chmod(path, mode));
}

static void digest_of(const char *dir, char out[static DIGEST_MAX])
{
	ASSERT_OK(build_cache_tree_digest(dir, out, NULL));
}

static void test_tree_digest(void)
{
	char dir[] = "/tmp/berth-test-cache-XXXXXX", sub[600], path[600];
	char d1[DIGEST_MAX], d2[DIGEST_MAX];

	ASSERT_NOT_NULL(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	ASSERT_OK(mkdir(sub, 0755));
	put(dir, "a", "one\n", 0644);
	put(sub, "b", "two\n", 0644);
	digest_of(dir, d1);
	/* the same content rewritten (a new mtime) has the same digest */
	put(dir, "a", "one\n", 0644);
	digest_of(dir, d2);
	ASSERT_STREQ(d1, d2);
	put(sub, "b", "TWO\n", 0644);
	digest_of(dir, d2);
	ASSERT_TRUE(strcmp(d1, d2) != 0);
	put(sub, "b", "two\n", 0600);
	digest_of(dir, d2);
	ASSERT_TRUE(strcmp(d1, d2) != 0);
	put(sub, "b", "two\n", 0644);
	digest_of(dir, d2);
	ASSERT_STREQ(d1, d2);
	/* a symlink is its target, never followed */
	snprintf(path, sizeof(path), "%s/l", dir);
	ASSERT_OK(symlink("/etc/passwd", path));
	digest_of(dir, d2);
	ASSERT_TRUE(strcmp(d1, d2) != 0);
	unlink(path);
	ASSERT_OK(symlink("/etc/hostname", path));
	digest_of(dir, d1);
	ASSERT_TRUE(strcmp(d1, d2) != 0);
	ASSERT_EQ(build_cache_tree_digest("/nonexistent-berth", d1, NULL), -ENOENT);
	ASSERT_OK(rm_rf_at(AT_FDCWD, dir));
}

/* The ARGs a non-RUN step's key takes: those its text names, as $A or ${A...}. */
static void test_args_used_by(void)
{
	char *args[] = {"A=1", "AB=2", "C=3", NULL};
	struct builder b = {.args = args};
	char **v;

	v = builder_args_used_by(&b, "ENV X=$A Y=${C:-d}");
	ASSERT_EQ(strv_length(v), 2u);
	ASSERT_STREQ(v[0], "A=1");
	ASSERT_STREQ(v[1], "C=3");
	strv_free(v);
	v = builder_args_used_by(&b, "LABEL x=$AB y=$A_ z=${ABC} w=A");
	ASSERT_EQ(strv_length(v), 1u);
	ASSERT_STREQ(v[0], "AB=2");
	strv_free(v);
	v = builder_args_used_by(&b, "COPY a $");
	ASSERT_EQ(strv_length(v), 0u);
	strv_free(v);
}

static const struct test tests[] = {
	TEST(test_key),
	TEST(test_args_used_by),
	TEST(test_tree_digest),
	{},
};

int main(void)
{
	return test_main(tests);
}
