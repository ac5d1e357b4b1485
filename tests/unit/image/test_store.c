/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store: blobs verified on write and read (a corrupt one is removed, never used),
 * partial writes resumable, the index, name lookup, garbage collection from the roots.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/blob.h"
#include "image/image_ops.h"
#include "image/snapshot.h"
#include "image/store.h"
#include "lib/strv.h"
#include "lib/test.h"

static char root[PATH_MAX];

static struct image_store *open_store(void)
{
	struct image_store *s = NULL;

	snprintf(root, sizeof(root), "/tmp/berth-unit-store-XXXXXX");
	if (!mkdtemp(root))
		TEST_FAIL("mkdtemp");
	ASSERT_OK(image_store_open(root, &s, NULL));
	s->sync = false;
	return s;
}

static void close_store(struct image_store *s)
{
	char cmd[PATH_MAX + 16];

	image_store_free(s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	(void) system(cmd);
}

static void test_blob_roundtrip(void)
{
	struct image_store *s = open_store();
	char d[DIGEST_MAX], *buf = NULL;
	size_t len;

	ASSERT_OK(blob_put(s, "hello", 5, NULL, d, NULL));
	ASSERT_TRUE(blob_exists(s, d));
	ASSERT_EQ(blob_size(s, d), 5);
	ASSERT_OK(blob_read(s, d, 100, &buf, &len, NULL));
	ASSERT_STREQ(buf, "hello");
	free(buf);
	close_store(s);
}

static void test_blob_wrong_digest(void)
{
	struct image_store *s = open_store();
	struct berr *err = NULL;
	char d[DIGEST_MAX];

	digest_buffer(DIGEST_SHA256, "other", 5, d);
	ASSERT_EQ(blob_put(s, "hello", 5, d, NULL, &err), -EBADMSG);
	ASSERT_CONTAINS(err->msg, "content has digest");
	berr_clear(&err);
	ASSERT_FALSE(blob_exists(s, d));
	close_store(s);
}

static void test_blob_corrupt_on_read(void)
{
	struct image_store *s = open_store();
	struct berr *err = NULL;
	char d[DIGEST_MAX], rel[DIGEST_MAX + 16], *buf = NULL;
	int fd;

	ASSERT_OK(blob_put(s, "hello", 5, NULL, d, NULL));
	ASSERT_OK(blob_relpath(d, rel, sizeof(rel)));
	fd = openat(s->dirfd, rel, O_WRONLY | O_TRUNC);
	ASSERT_TRUE(write(fd, "hell", 4) == 4);
	close(fd);
	ASSERT_EQ(blob_read(s, d, 100, &buf, NULL, &err), -EBADMSG);
	ASSERT_CONTAINS(err->msg, "corrupt");
	berr_clear(&err);
	ASSERT_FALSE(blob_exists(s, d));
	close_store(s);
}

static void test_blob_resume(void)
{
	struct image_store *s = open_store();
	struct blob_writer *w = NULL;
	char d[DIGEST_MAX], got[DIGEST_MAX];

	digest_buffer(DIGEST_SHA256, "0123456789", 10, d);
	ASSERT_OK(blob_writer_open(s, d, true, &w, NULL));
	ASSERT_OK(blob_writer_write(w, "01234", 5));
	blob_writer_abort(w, true); /* a killed pull leaves this */
	ASSERT_OK(blob_writer_open(s, d, true, &w, NULL));
	ASSERT_EQ(blob_writer_offset(w), 5);
	ASSERT_OK(blob_writer_write(w, "56789", 5));
	ASSERT_OK(blob_writer_commit(w, 10, got, NULL));
	ASSERT_STREQ(got, d);
	/* a size mismatch is refused */
	ASSERT_OK(blob_writer_open(s, NULL, false, &w, NULL));
	ASSERT_OK(blob_writer_write(w, "abc", 3));
	{
		struct berr *err = NULL;

		ASSERT_EQ(blob_writer_commit(w, 4, NULL, &err), -EBADMSG);
		berr_clear(&err);
	}
	close_store(s);
}

static void add(struct image_store *s, const char *cfg, const char *name, char id[DIGEST_MAX])
{
	char man[DIGEST_MAX], cfgjson[512], manjson[1024];

	snprintf(cfgjson, sizeof(cfgjson),
		 "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"os\":\"%s\"}", cfg);
	ASSERT_OK(blob_put(s, cfgjson, strlen(cfgjson), NULL, id, NULL));
	snprintf(manjson, sizeof(manjson),
		 "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.oci.image."
		 "config.v1+json\",\"digest\":\"%s\",\"size\":%zu},\"layers\":[]}",
		 id, strlen(cfgjson));
	ASSERT_OK(blob_put(s, manjson, strlen(manjson), NULL, man, NULL));
	ASSERT_OK(image_store_add(s, &(struct image_add){.id = id, .manifest = man, .name = name},
				  NULL));
}

static void test_index_and_gc(void)
{
	struct image_store *s = open_store();
	struct image_list *l = NULL;
	struct berr *err = NULL;
	char a[DIGEST_MAX], b[DIGEST_MAX], junk[DIGEST_MAX], prefix[8];
	char **report = NULL;
	uint64_t freed = 0;

	add(s, "a", "docker.io/library/a:latest", a);
	add(s, "b", "docker.io/library/b:latest", b);
	ASSERT_OK(image_tag(s, "a", "x/y:1", NULL));
	ASSERT_OK(image_list_load(s, &l, NULL));
	ASSERT_EQ(l->n, 2);
	ASSERT_EQ(image_list_find(l, "a", NULL), image_list_find(l, "docker.io/x/y:1", NULL));
	snprintf(prefix, sizeof(prefix), "%.6s", digest_hex(b));
	ASSERT_EQ(image_list_find(l, prefix, NULL), image_list_find_id(l, b));
	ASSERT_EQ(image_list_find(l, b, NULL), image_list_find_id(l, b));
	ASSERT_EQ(image_list_find(l, "nope", &err), -ENOENT);
	ASSERT_CONTAINS(err->msg, "no such image");
	berr_clear(&err);
	l = image_list_free(l);
	/* rmi of one of two names only untags */
	ASSERT_OK(image_remove(s, "a", false, &report, NULL));
	ASSERT_CONTAINS(report[0], "Untagged: a:latest");
	ASSERT_EQ(strv_length(report), 1);
	report = strv_free(report);
	ASSERT_TRUE(blob_exists(s, a));
	/* junk is collected, the images' blobs are not */
	ASSERT_OK(blob_put(s, "junk", 4, NULL, junk, NULL));
	ASSERT_OK(image_store_gc(s, &freed, NULL));
	ASSERT_FALSE(blob_exists(s, junk));
	ASSERT_EQ(freed, 4);
	ASSERT_TRUE(blob_exists(s, a));
	ASSERT_OK(image_remove(s, "x/y:1", false, &report, NULL));
	ASSERT_EQ(strv_length(report), 2);
	report = strv_free(report);
	ASSERT_FALSE(blob_exists(s, a));
	ASSERT_TRUE(blob_exists(s, b));
	close_store(s);
}

static void test_prune_and_snapshots(void)
{
	struct image_store *s = open_store();
	struct image_list *l = NULL;
	struct image *img = NULL;
	struct berr *err = NULL;
	char a[DIGEST_MAX], b[DIGEST_MAX];
	char **report = NULL, **ids = NULL;

	add(s, "a", "docker.io/library/a:latest", a);
	add(s, "b", "docker.io/library/a:latest", b); /* a is now dangling */
	ASSERT_OK(image_prune(s, false, NULL, &report, NULL, NULL));
	ASSERT_EQ(strv_length(report), 1);
	report = strv_free(report);
	ASSERT_FALSE(blob_exists(s, a));
	ASSERT_OK(image_list_load(s, &l, NULL));
	ASSERT_OK(image_load(s, &l->v[0], &img, NULL));
	ASSERT_OK(image_snapshot_create(s, "ctr-1", img, NULL));
	ASSERT_EQ(image_snapshot_create(s, "ctr-1", img, &err), -EEXIST);
	berr_clear(&err);
	ASSERT_EQ(image_snapshot_create(s, "../x", img, &err), -EINVAL);
	berr_clear(&err);
	ASSERT_OK(image_store_used_ids(s, &ids));
	ASSERT_TRUE(strv_contains(ids, b));
	ids = strv_free(ids);
	ASSERT_EQ(image_remove(s, "a", false, &report, &err), -EBUSY);
	berr_clear(&err);
	ASSERT_OK(image_prune(s, true, NULL, &report, NULL, NULL));
	ASSERT_NULL(report);
	ASSERT_OK(image_remove(s, "a", true, &report, NULL));
	report = strv_free(report);
	ASSERT_TRUE(blob_exists(s, b));
	ASSERT_OK(image_snapshot_remove(s, "ctr-1", NULL));
	ASSERT_OK(image_prune(s, false, NULL, &report, NULL, NULL));
	report = strv_free(report);
	ASSERT_FALSE(blob_exists(s, b));
	image_free(img);
	image_list_free(l);
	close_store(s);
}

static void test_stale_temporaries(void)
{
	struct image_store *s = open_store();
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/image/tmp/layer-dead", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/image/ingest/tmp-dead", root);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	image_store_free(s);
	s = NULL;
	ASSERT_OK(image_store_open(root, &s, NULL));
	snprintf(path, sizeof(path), "%s/image/tmp/layer-dead", root);
	ASSERT_EQ(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/image/ingest/tmp-dead", root);
	ASSERT_EQ(access(path, F_OK), -1);
	close_store(s);
}

static const struct test tests[] = {
	TEST(test_blob_roundtrip),	 TEST(test_blob_wrong_digest),
	TEST(test_blob_corrupt_on_read), TEST(test_blob_resume),
	TEST(test_index_and_gc),	 TEST(test_prune_and_snapshots),
	TEST(test_stale_temporaries),	 {},
};

int main(void)
{
	return test_main(tests);
}
