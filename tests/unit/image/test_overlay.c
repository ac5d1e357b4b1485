/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The overlay mount on every kernel: the option string mount(2) takes (escaping, the page
 * limit) and, as root, the old kernels' path (mount(2) instead of "lowerdir+", forced with
 * spec.legacy) with more layers than fit in a page by path, named by /proc/self/fd/N.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "image/overlay.h"
#include "lib/test.h"

static void test_options_plain(void)
{
	char *lowers[] = {"/a", "/b", NULL}, buf[128];

	ASSERT_EQ(overlay_options(lowers, NULL, NULL, buf, sizeof(buf)), 14);
	ASSERT_STREQ(buf, "lowerdir=/a:/b");
	ASSERT_TRUE(overlay_options(lowers, "/u", "/w", buf, sizeof(buf)) > 0);
	ASSERT_STREQ(buf, "lowerdir=/a:/b,upperdir=/u,workdir=/w");
}

static void test_options_escaped(void)
{
	char *lowers[] = {"/x:y", "/p,q\\r", NULL}, buf[128];

	ASSERT_TRUE(overlay_options(lowers, "/u:1", "/w,2", buf, sizeof(buf)) > 0);
	ASSERT_STREQ(buf, "lowerdir=/x\\:y:/p\\,q\\\\r,upperdir=/u\\:1,workdir=/w\\,2");
}

static void test_options_too_long(void)
{
	char *lowers[] = {"/abc", NULL}, buf[32];

	/* "lowerdir=/abc" is 13 bytes: it needs 14 with the NUL */
	ASSERT_EQ(overlay_options(lowers, NULL, NULL, buf, 14), 13);
	ASSERT_EQ(overlay_options(lowers, NULL, NULL, buf, 13), -E2BIG);
	ASSERT_EQ(overlay_options(lowers, NULL, NULL, buf, 0), -E2BIG);
}

static void test_release_has_lowerdir_plus(void)
{
	ASSERT_FALSE(overlay_release_has_lowerdir_plus("6.1.0-57-amd64"));
	ASSERT_FALSE(overlay_release_has_lowerdir_plus("6.7.12"));
	ASSERT_FALSE(overlay_release_has_lowerdir_plus("5.10.0-30-amd64"));
	ASSERT_TRUE(overlay_release_has_lowerdir_plus("6.8.0"));
	ASSERT_TRUE(overlay_release_has_lowerdir_plus("6.12.57+deb13-amd64"));
	ASSERT_TRUE(overlay_release_has_lowerdir_plus("7.0"));
	ASSERT_TRUE(overlay_release_has_lowerdir_plus("garbage")); /* try; the create falls back */
}

static char root[PATH_MAX];

static void cleanup_root(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	(void) system(cmd);
}

/* n lower dirs with long names; layer i holds file "i" and "top" saying i. */
static char **make_layers(int n)
{
	char **l = calloc((size_t) n + 1, sizeof(*l)), path[PATH_MAX + 64];

	ASSERT_NOT_NULL(l);
	for (int i = 0; i < n; i++) {
		FILE *f;

		ASSERT_TRUE(asprintf(&l[i], "%s/layer-%03d-%s", root, i,
				     "0123456789abcdef0123456789abcdef0123456789abcdef01234567") >
			    0);
		ASSERT_OK(mkdir(l[i], 0755));
		snprintf(path, sizeof(path), "%s/%d", l[i], i);
		ASSERT_NOT_NULL(f = fopen(path, "w"));
		fclose(f);
		snprintf(path, sizeof(path), "%s/top", l[i]);
		ASSERT_NOT_NULL(f = fopen(path, "w"));
		fprintf(f, "%d", i);
		fclose(f);
	}
	return l;
}

static void read_top(const char *target, char *buf, size_t size)
{
	char path[PATH_MAX + 32];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/top", target);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_TRUE(fd >= 0);
	n = read(fd, buf, size - 1);
	close(fd);
	ASSERT_TRUE(n > 0);
	buf[n] = '\0';
}

static void mount_many(bool legacy, int n)
{
	char **lowers, target[PATH_MAX + 16], upper[PATH_MAX + 16], work[PATH_MAX + 16];
	char path[PATH_MAX + 32], buf[16], *line = NULL;
	struct berr *err = NULL;
	size_t cap = 0;
	bool by_fd = false;
	struct utsname u;
	FILE *f;

	if (geteuid() != 0)
		TEST_SKIP("needs root to mount overlays");
	snprintf(root, sizeof(root), "/tmp/berth-unit-overlay-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(root));
	lowers = make_layers(n);
	snprintf(target, sizeof(target), "%s/merged", root);
	snprintf(upper, sizeof(upper), "%s/upper", root);
	snprintf(work, sizeof(work), "%s/work", root);
	ASSERT_OK(mkdir(target, 0755));
	ASSERT_OK(mkdir(upper, 0755));
	ASSERT_OK(mkdir(work, 0755));
	if (overlay_mount(&(struct overlay_spec){.lowerdirs = lowers,
						 .upperdir = upper,
						 .workdir = work,
						 .legacy = legacy},
			  target, &err) < 0) {
		cleanup_root();
		TEST_FAIL("overlay_mount: %s", err->msg);
	}
	read_top(target, buf, sizeof(buf));
	ASSERT_STREQ(buf, "0"); /* the first lower is the top */
	snprintf(path, sizeof(path), "%s/%d", target, n - 1);
	ASSERT_EQ(access(path, F_OK), 0); /* the bottom one is there too */
	snprintf(path, sizeof(path), "%s/new", target);
	ASSERT_NOT_NULL(f = fopen(path, "w"));
	fclose(f);
	snprintf(path, sizeof(path), "%s/new", upper);
	ASSERT_EQ(access(path, F_OK), 0); /* writes land in the upper dir */
	ASSERT_NOT_NULL(f = fopen("/proc/self/mountinfo", "r"));
	while (getline(&line, &cap, f) > 0)
		if (strstr(line, target) && strstr(line, "lowerdir=/proc/self/fd/"))
			by_fd = true;
	fclose(f);
	free(line);
	ASSERT_OK(overlay_unmount(target, NULL));
	/* more layers than fit in a page by path go by fd on the old path only, which a kernel
	 * before 6.8 always takes */
	ASSERT_OK(uname(&u));
	if (n > 40 && (legacy || !overlay_release_has_lowerdir_plus(u.release)))
		ASSERT_TRUE(by_fd);
	else
		ASSERT_TRUE(!by_fd);
	for (int i = 0; i < n; i++)
		free(lowers[i]);
	free(lowers);
	cleanup_root();
}

static void test_mount_legacy_few(void)
{
	mount_many(true, 3);
}

static void test_mount_legacy_many(void)
{
	mount_many(true, 150);
}

static void test_mount_default_many(void)
{
	mount_many(false, 150);
}

static void test_mount_too_many(void)
{
	char *lowers[502], target[PATH_MAX + 16];
	struct berr *err = NULL;

	if (geteuid() != 0)
		TEST_SKIP("needs root to mount overlays");
	snprintf(root, sizeof(root), "/tmp/berth-unit-overlay-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(root));
	for (int i = 0; i < 501; i++)
		lowers[i] = root;
	lowers[501] = NULL;
	snprintf(target, sizeof(target), "%s", root);
	ASSERT_EQ(overlay_mount(&(struct overlay_spec){.lowerdirs = lowers, .legacy = true}, target,
				&err),
		  -E2BIG);
	ASSERT_TRUE(strstr(err->msg, "too many layers") != NULL);
	berr_free(err);
	cleanup_root();
}

static const struct test tests[] = {TEST(test_release_has_lowerdir_plus),
				    TEST(test_options_plain),
				    TEST(test_options_escaped),
				    TEST(test_options_too_long),
				    TEST(test_mount_legacy_few),
				    TEST(test_mount_legacy_many),
				    TEST(test_mount_default_many),
				    TEST(test_mount_too_many),
				    {}};

int main(void)
{
	return test_main(tests);
}
