/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Snapshots for the containers half: a container's rootfs from an image, mounted with
 * its writable upper layer; writes land in upper/, the image's layer is untouched, and
 * removing the snapshot frees the image for garbage collection. Needs root (mounts).
 */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/image_build.h"
#include "image/image_ops.h"
#include "image/overlay.h"
#include "image/snapshot.h"
#include "lib/strv.h"
#include "lib/test.h"

static char root[PATH_MAX];

static int tar_fd(void)
{
	char path[PATH_MAX + 16];
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	int fd;

	snprintf(path, sizeof(path), "%s/rootfs.tar", root);
	archive_write_set_format_pax_restricted(a);
	archive_write_open_filename(a, path);
	archive_entry_set_pathname(e, "etc/hostname");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, 5);
	archive_write_header(a, e);
	archive_write_data(a, "base\n", 5);
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		TEST_FAIL("open %s", path);
	return fd;
}

static void test_snapshot_mount(void)
{
	struct image_store *s = NULL;
	struct image_list *l = NULL;
	struct image *img = NULL;
	struct berr *err = NULL;
	char id[DIGEST_MAX], target[PATH_MAX + 16], upper[PATH_MAX], path[PATH_MAX * 2];
	char **report = NULL, buf[16] = {0};
	int fd;

	if (geteuid() != 0)
		TEST_SKIP("needs root to mount overlays");
	snprintf(root, sizeof(root), "/tmp/berth-unit-snap-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(root));
	ASSERT_OK(image_store_open(root, &s, NULL));
	fd = tar_fd();
	ASSERT_OK(image_import(s, fd, &(struct image_import_opts){.name = "snap:1"}, id, NULL));
	close(fd);
	ASSERT_OK(image_list_load(s, &l, NULL));
	ASSERT_OK(image_load(s, &l->v[0], &img, NULL));
	ASSERT_OK(image_snapshot_create(s, "ctr", img, NULL));
	snprintf(target, sizeof(target), "%s/rootfs", root);
	mkdir(target, 0755);
	if (image_snapshot_mount(s, "ctr", target, NULL, &err) < 0)
		TEST_FAIL("mount: %s", err->msg);
	snprintf(path, sizeof(path), "%s/etc/hostname", target);
	fd = open(path, O_RDWR | O_TRUNC);
	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(write(fd, "changed\n", 8) == 8);
	close(fd);
	ASSERT_OK(overlay_unmount(target, NULL));
	ASSERT_OK(image_snapshot_upper(s, "ctr", upper, sizeof(upper)));
	snprintf(path, sizeof(path), "%s/etc/hostname", upper);
	fd = open(path, O_RDONLY);
	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(read(fd, buf, sizeof(buf) - 1) == 8);
	close(fd);
	ASSERT_STREQ(buf, "changed\n");
	/* the image is held while the snapshot exists */
	ASSERT_EQ(image_remove(s, "snap:1", false, &report, &err), -EBUSY);
	berr_clear(&err);
	ASSERT_OK(image_snapshot_remove(s, "ctr", NULL));
	ASSERT_OK(image_remove(s, "snap:1", false, &report, NULL));
	ASSERT_EQ(strv_length(report), 2);
	strv_free(report);
	image_free(img);
	image_list_free(l);
	image_store_free(s);
	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	(void) system(path);
}

static const struct test tests[] = {TEST(test_snapshot_mount), {}};

int main(void)
{
	return test_main(tests);
}
