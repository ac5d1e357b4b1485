/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Layer unpacking: what a layer holds arrives intact (owners, modes, xattrs, links,
 * devices), OCI whiteouts become overlay whiteouts, both digests are right for plain,
 * gzip and zstd, and hostile tarballs write nothing outside the layer directory.
 */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/layer_unpack.h"
#include "lib/cleanup.h"
#include "lib/test.h"

static char base[PATH_MAX];
static char outside[PATH_MAX + 16];

struct tarbuf {
	struct archive *a;
	unsigned char *buf;
	size_t cap, used;
};

static void tar_begin(struct tarbuf *t, int filter)
{
	t->cap = 8 << 20;
	t->buf = malloc(t->cap);
	t->a = archive_write_new();
	archive_write_set_format_pax_restricted(t->a);
	if (filter == 1)
		archive_write_add_filter_gzip(t->a);
	else if (filter == 2)
		archive_write_add_filter_zstd(t->a);
	archive_write_set_bytes_in_last_block(t->a, 1);
	if (archive_write_open_memory(t->a, t->buf, t->cap, &t->used) != ARCHIVE_OK)
		TEST_FAIL("archive_write_open_memory: %s", archive_error_string(t->a));
}

static struct archive_entry *entry(const char *path, mode_t type, mode_t perm)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, perm);
	archive_entry_set_mtime(e, 1000000000, 0);
	return e;
}

static void put(struct tarbuf *t, struct archive_entry *e, const char *data)
{
	size_t n = data ? strlen(data) : 0;

	archive_entry_set_size(e, (la_int64_t) n);
	if (archive_write_header(t->a, e) != ARCHIVE_OK)
		TEST_FAIL("write_header: %s", archive_error_string(t->a));
	if (n)
		archive_write_data(t->a, data, n);
	archive_entry_free(e);
}

static void put_file(struct tarbuf *t, const char *path, const char *data)
{
	put(t, entry(path, AE_IFREG, 0644), data);
}

static void put_dir(struct tarbuf *t, const char *path)
{
	put(t, entry(path, AE_IFDIR, 0755), NULL);
}

static void put_link(struct tarbuf *t, const char *path, const char *target, bool hard)
{
	struct archive_entry *e = entry(path, hard ? AE_IFREG : AE_IFLNK, 0777);

	if (hard)
		archive_entry_set_hardlink(e, target);
	else
		archive_entry_set_symlink(e, target);
	put(t, e, NULL);
}

static void tar_end(struct tarbuf *t)
{
	archive_write_close(t->a);
	archive_write_free(t->a);
}

static int make_root(void)
{
	char path[PATH_MAX + 16];
	int fd;

	snprintf(base, sizeof(base), "/tmp/berth-unit-unpack-XXXXXX");
	if (!mkdtemp(base))
		TEST_FAIL("mkdtemp");
	snprintf(path, sizeof(path), "%s/root", base);
	mkdir(path, 0755);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	mkdir(outside, 0755);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		TEST_FAIL("open root");
	return fd;
}

static void remove_root(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	(void) system(cmd);
}

static bool outside_empty(void)
{
	char cmd[PATH_MAX + 64];

	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s')\"", outside);
	return system(cmd) == 0;
}

static void need_root(void)
{
	if (geteuid() != 0)
		TEST_SKIP("needs root (device nodes, ownership, trusted xattrs)");
}

static void test_contents(void)
{
	struct tarbuf t = {0};
	struct layer_unpack_result res;
	struct berr *err = NULL;
	int root;
	struct stat st;
	char buf[64] = {0};
	struct archive_entry *e;

	need_root();
	root = make_root();
	tar_begin(&t, 0);
	put_dir(&t, "etc/");
	e = entry("etc/shadow", AE_IFREG, 0640);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 42);
	put(&t, e, "secret");
	e = entry("bin/su", AE_IFREG, 04755);
	archive_entry_set_uid(e, 0);
	archive_entry_xattr_add_entry(e, "user.note", "hi", 2);
	archive_entry_xattr_add_entry(e, "trusted.overlay.redirect", "/etc", 4);
	put(&t, e, "#!");
	put_link(&t, "bin/sh", "su", false);
	put_link(&t, "bin/su2", "bin/su", true);
	e = entry("dev/null", AE_IFCHR, 0666);
	archive_entry_set_rdevmajor(e, 1);
	archive_entry_set_rdevminor(e, 3);
	put(&t, e, NULL);
	put(&t, entry("run/fifo", AE_IFIFO, 0600), NULL);
	tar_end(&t);
	ASSERT_OK(layer_unpack_buffer(t.buf, t.used, root, &res, &err));
	ASSERT_EQ(fstatat(root, "etc/shadow", &st, 0), 0);
	ASSERT_EQ(st.st_mode & 07777, 0640);
	ASSERT_EQ(st.st_gid, 42);
	ASSERT_EQ(st.st_mtime, 1000000000);
	ASSERT_EQ(fstatat(root, "bin/su", &st, 0), 0);
	ASSERT_EQ(st.st_mode & 07777, 04755);
	ASSERT_EQ(st.st_nlink, 2);
	ASSERT_EQ(fstatat(root, "bin/sh", &st, AT_SYMLINK_NOFOLLOW), 0);
	ASSERT_TRUE(S_ISLNK(st.st_mode));
	ASSERT_EQ(fstatat(root, "dev/null", &st, 0), 0);
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	ASSERT_EQ(st.st_rdev, makedev(1, 3));
	ASSERT_EQ(fstatat(root, "run/fifo", &st, 0), 0);
	ASSERT_TRUE(S_ISFIFO(st.st_mode));
	{
		char p[PATH_MAX + 32];

		snprintf(p, sizeof(p), "%s/root/bin/su", base);
		ASSERT_EQ(getxattr(p, "user.note", buf, sizeof(buf)), 2);
		ASSERT_EQ(getxattr(p, "trusted.overlay.redirect", buf, sizeof(buf)), -1);
	}
	ASSERT_EQ(res.entries, 7);
	ASSERT_EQ(res.content_size, 8);
	ASSERT_STREQ(res.digest, res.diff_id);
	ASSERT_EQ(res.tar_size, t.used);
	close(root);
	free(t.buf);
	remove_root();
}

static void test_whiteouts(void)
{
	struct tarbuf t = {0};
	struct berr *err = NULL;
	int root;
	struct stat st;
	char p[PATH_MAX + 32], v[4] = {0};

	need_root();
	root = make_root();
	tar_begin(&t, 0);
	put_dir(&t, "a/");
	put_file(&t, "a/.wh.gone", NULL);
	put_dir(&t, "opq/");
	put_file(&t, "opq/.wh..wh..opq", NULL);
	put_file(&t, "opq/kept", "x");
	put_file(&t, "same", "mine");
	put_file(&t, ".wh.same", NULL);
	put_file(&t, "a/.wh..wh.plnk", NULL);
	tar_end(&t);
	ASSERT_OK(layer_unpack_buffer(t.buf, t.used, root, NULL, &err));
	ASSERT_EQ(fstatat(root, "a/gone", &st, AT_SYMLINK_NOFOLLOW), 0);
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	ASSERT_EQ(st.st_rdev, makedev(0, 0));
	ASSERT_EQ(fstatat(root, "a/.wh.gone", &st, AT_SYMLINK_NOFOLLOW), -1);
	ASSERT_EQ(fstatat(root, "a/.wh..wh.plnk", &st, AT_SYMLINK_NOFOLLOW), -1);
	snprintf(p, sizeof(p), "%s/root/opq", base);
	ASSERT_EQ(getxattr(p, "trusted.overlay.opaque", v, sizeof(v)), 1);
	ASSERT_EQ(v[0], 'y');
	ASSERT_EQ(fstatat(root, "opq/kept", &st, 0), 0);
	ASSERT_EQ(fstatat(root, "same", &st, 0), 0);
	ASSERT_TRUE(S_ISREG(st.st_mode));
	close(root);
	free(t.buf);
	/* ".wh." alone is invalid */
	root = make_root();
	memset(&t, 0, sizeof(t));
	tar_begin(&t, 0);
	put_file(&t, "d/.wh.", NULL);
	tar_end(&t);
	ASSERT_EQ(layer_unpack_buffer(t.buf, t.used, root, NULL, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "invalid whiteout");
	berr_clear(&err);
	close(root);
	free(t.buf);
	remove_root();
}

static void test_compressions(void)
{
	char diff_id[DIGEST_MAX] = "";

	for (int f = 0; f < 3; f++) {
		struct tarbuf t = {0};
		struct layer_unpack_result res;
		int root = make_root();
		char want[DIGEST_MAX];

		tar_begin(&t, f);
		put_dir(&t, "d/");
		put_file(&t, "d/f", "hello");
		tar_end(&t);
		ASSERT_OK(layer_unpack_buffer(t.buf, t.used, root, &res, NULL));
		digest_buffer(DIGEST_SHA256, t.buf, t.used, want);
		ASSERT_STREQ(res.digest, want);
		if (f == 0)
			memcpy(diff_id, res.diff_id, DIGEST_MAX);
		ASSERT_STREQ(res.diff_id, diff_id);
		ASSERT_EQ(faccessat(root, "d/f", F_OK, 0), 0);
		close(root);
		free(t.buf);
		remove_root();
	}
}

static void hostile(void (*build)(struct tarbuf *t), int want, const char *msg)
{
	struct tarbuf t = {0};
	struct berr *err = NULL;
	int root = make_root(), r;

	tar_begin(&t, 0);
	build(&t);
	tar_end(&t);
	r = layer_unpack_buffer(t.buf, t.used, root, NULL, &err);
	if (want)
		ASSERT_EQ(r, want);
	else
		ASSERT_OK(r);
	if (msg)
		ASSERT_CONTAINS(err ? err->msg : NULL, msg);
	berr_clear(&err);
	ASSERT_TRUE(outside_empty());
	close(root);
	free(t.buf);
	remove_root();
}

static void build_dotdot(struct tarbuf *t)
{
	put_file(t, "../outside/pwned", "x");
}

static void build_dotdot_deep(struct tarbuf *t)
{
	put_dir(t, "a/");
	put_file(t, "a/b/../../../outside/pwned", "x");
}

static void build_absolute(struct tarbuf *t)
{
	char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/pwned", outside);
	put_file(t, p, "x");
}

static void build_symlink_dir(struct tarbuf *t)
{
	put_link(t, "escape", outside, false);
	put_file(t, "escape/pwned", "x");
}

static void build_symlink_relative(struct tarbuf *t)
{
	put_link(t, "up", "../../../../../../..", false);
	put_dir(t, "up/tmp/");
	put_file(t, "up/pwned", "x");
}

static void build_symlink_then_file(struct tarbuf *t)
{
	char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/pwned", outside);
	put_link(t, "victim", p, false);
	put_file(t, "victim", "overwrite through the link");
}

static void build_hardlink_out(struct tarbuf *t)
{
	put_link(t, "h", "../outside/x", true);
}

static void build_hardlink_via_symlink(struct tarbuf *t)
{
	put_link(t, "s", outside, false);
	put_link(t, "h", "s/nothing", true);
}

static void build_garbage(struct tarbuf *t)
{
	archive_write_data(t->a, "x", 0);
}

static void test_hostile(void)
{
	need_root();
	hostile(build_dotdot, -EPERM, "leaves the layer");
	hostile(build_dotdot_deep, -EPERM, "leaves the layer");
	hostile(build_absolute, 0, NULL);
	hostile(build_symlink_dir, 0, NULL);
	hostile(build_symlink_relative, 0, NULL);
	hostile(build_symlink_then_file, 0, NULL);
	hostile(build_hardlink_out, -EPERM, "leaves the layer");
	hostile(build_hardlink_via_symlink, -ENOENT, NULL);
	hostile(build_garbage, 0, NULL);
}

static void test_not_a_tar(void)
{
	struct berr *err = NULL;
	char junk[2048];
	int root = make_root();

	memset(junk, 'z', sizeof(junk));
	ASSERT_EQ(layer_unpack_buffer(junk, sizeof(junk), root, NULL, &err), -EINVAL);
	berr_clear(&err);
	/* a truncated gzip stream */
	{
		static const unsigned char gz[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00,
						   0x00, 0x00, 0x00, 0x03, 0x4b, 0x4c};

		ASSERT_TRUE(layer_unpack_buffer(gz, sizeof(gz), root, NULL, &err) < 0);
		berr_clear(&err);
	}
	close(root);
	remove_root();
}

static void test_clean_path(void)
{
	char out[64];

	ASSERT_OK(layer_clean_path("./a//b/./c/", out, sizeof(out)));
	ASSERT_STREQ(out, "a/b/c");
	ASSERT_OK(layer_clean_path("/abs/x", out, sizeof(out)));
	ASSERT_STREQ(out, "abs/x");
	ASSERT_OK(layer_clean_path("a/b/../c", out, sizeof(out)));
	ASSERT_STREQ(out, "a/c");
	ASSERT_OK(layer_clean_path("./", out, sizeof(out)));
	ASSERT_STREQ(out, "");
	ASSERT_EQ(layer_clean_path("..", out, sizeof(out)), -EPERM);
	ASSERT_EQ(layer_clean_path("a/../..", out, sizeof(out)), -EPERM);
	ASSERT_EQ(layer_clean_path("/../x", out, sizeof(out)), -EPERM);
	ASSERT_EQ(layer_clean_path(
			  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			  out, sizeof(out)),
		  -ENAMETOOLONG);
}

static void test_replace(void)
{
	struct tarbuf t = {0};
	int root;
	struct stat st;

	need_root();
	root = make_root();
	tar_begin(&t, 0);
	put_dir(&t, "d/");
	put_file(&t, "d/x", "1");
	put_file(&t, "d", "now a file");
	put_file(&t, "f", "1");
	put_dir(&t, "f/");
	put_file(&t, "f/y", "2");
	tar_end(&t);
	ASSERT_OK(layer_unpack_buffer(t.buf, t.used, root, NULL, NULL));
	ASSERT_EQ(fstatat(root, "d", &st, 0), 0);
	ASSERT_TRUE(S_ISREG(st.st_mode));
	ASSERT_EQ(fstatat(root, "f/y", &st, 0), 0);
	close(root);
	free(t.buf);
	remove_root();
}

static const struct test tests[] = {
	TEST(test_contents),  TEST(test_whiteouts),  TEST(test_compressions), TEST(test_hostile),
	TEST(test_not_a_tar), TEST(test_clean_path), TEST(test_replace),      {},
};

int main(void)
{
	return test_main(tests);
}
