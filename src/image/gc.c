/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Garbage collection of the store by mark and sweep: the roots are the index's records,
 * the snapshots and the build cache's entries (build-cache/<key>: {"image", "manifest"}); everything they reach (manifest, index, config and layer blobs,
 * unpacked layers) is kept, the rest removed. Writers (pull, load, import) hold
 * gc.lock shared while they add blobs that no record names yet; collection takes it
 * exclusively, so it never sweeps what a writer is about to record.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/blob.h"
#include "image/store.h"
#include "lib/cleanup.h"
#include "lib/crashpoint.h"
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/rmtree.h"
#include "lib/strv.h"

struct marks {
	char **blobs;  /* digests */
	char **layers; /* diff_ids */
};

struct mark_ctx {
	struct image_store *s;
	struct marks *m;
};

static int mark(char ***set, const char *s)
{
	if (!s || strv_contains(*set, s))
		return 0;
	return strv_push_dup(set, s);
}

static int mark_image(struct image_store *s, const struct image_record *rec, struct marks *m)
{
	_cleanup_(image_freep) struct image *img = NULL;
	int r = 0;

	if (mark(&m->blobs, rec->id) < 0 || mark(&m->blobs, rec->manifest) < 0 ||
	    mark(&m->blobs, rec->index) < 0)
		return -ENOMEM;
	if (image_load(s, rec, &img, NULL) < 0)
		return 0; /* a broken image keeps what it names directly; pull repairs it */
	for (size_t i = 0; r >= 0 && i < img->manifest->n_layers; i++)
		r = mark(&m->blobs, img->manifest->layers[i].digest);
	for (size_t i = 0; r >= 0 && i < img->config->n_diff_ids; i++)
		r = mark(&m->layers, img->config->diff_ids[i]);
	return r;
}

static int snapshot_meta(int dfd, const char *name, char **ret_image, char ***ret_layers)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	char rel[300];
	struct jnode root;
	size_t len;

	snprintf(rel, sizeof(rel), "%s/snapshot.json", name);
	if (read_file_at(dfd, rel, 1 << 20, &buf, &len) < 0 ||
	    jdoc_parse(buf, len, "snapshot.json", &doc, NULL) < 0)
		return -EINVAL;
	jdoc_root(doc, &root);
	if (jnode_get_string(&root, "image", ret_image, NULL) < 0)
		return -EINVAL;
	if (ret_layers && jnode_get_strv(&root, "layers", ret_layers, NULL) < 0)
		return -EINVAL;
	return 0;
}

/* Call fn(dirfd, name, data) for each entry of store dir rel. */
static int foreach_entry(struct image_store *s, const char *rel,
			 int (*fn)(int dfd, const char *name, void *data), void *data)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd, r = 0;

	fd = openat(s->dirfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	d = fdopendir(fd);
	if (!d) {
		(void) close(fd);
		return -errno;
	}
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && (r = fn(dirfd(d), de->d_name, data)) < 0)
			break;
	return r;
}

static int mark_snapshot(int dfd, const char *name, void *data)
{
	struct marks *m = data;
	_cleanup_free_ char *image = NULL;
	_cleanup_strv_ char **layers = NULL;

	if (snapshot_meta(dfd, name, &image, &layers) < 0)
		return 0;
	if (mark(&m->blobs, image) < 0)
		return -ENOMEM;
	STRV_FOREACH (l, layers)
		if (mark(&m->layers, *l) < 0)
			return -ENOMEM;
	return 0;
}

/* A build cache entry keeps the step image it names, as a record would. */
static int mark_cache_entry(int dfd, const char *name, void *data)
{
	struct mark_ctx *mc = data;
	_cleanup_free_ char *buf = NULL;
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	struct image_record rec = {0};
	struct jnode root;
	size_t len;
	int r;

	if (read_file_at(dfd, name, 4096, &buf, &len) < 0 ||
	    jdoc_parse(buf, len, name, &doc, NULL) < 0)
		return 0;
	jdoc_root(doc, &root);
	if (jnode_get_string(&root, "image", &rec.id, NULL) < 0 ||
	    jnode_get_string(&root, "manifest", &rec.manifest, NULL) < 0 || !rec.id ||
	    !rec.manifest || digest_validate(rec.id, NULL) < 0 ||
	    digest_validate(rec.manifest, NULL) < 0) {
		free(rec.id);
		free(rec.manifest);
		return 0;
	}
	r = mark_image(mc->s, &rec, mc->m);
	free(rec.id);
	free(rec.manifest);
	return r;
}

static int collect_id(int dfd, const char *name, void *data)
{
	_cleanup_free_ char *image = NULL;

	if (snapshot_meta(dfd, name, &image, NULL) < 0 || !image)
		return 0;
	return mark((char ***) data, image);
}

int image_store_used_ids(struct image_store *s, char ***ret)
{
	_cleanup_strv_ char **ids = NULL;
	int r = foreach_entry(s, "snapshots", collect_id, &ids);

	if (r < 0)
		return r;
	if (!ids && !(ids = calloc(1, sizeof(char *))))
		return -ENOMEM;
	*ret = TAKE_PTR(ids);
	return 0;
}

struct sweep {
	struct marks *m;
	const char *algo;
	uint64_t freed;
};

static int sweep_blob(int dfd, const char *name, void *data)
{
	struct sweep *sw = data;
	char digest[DIGEST_MAX];
	struct stat st;

	snprintf(digest, sizeof(digest), "%s:%s", sw->algo, name);
	if (strv_contains(sw->m->blobs, digest))
		return 0;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		sw->freed += (uint64_t) st.st_size;
	(void) unlinkat(dfd, name, 0);
	return 0;
}

/*
 * A layer leaves layers/ by one rename into tmp/ before its files are removed: a kill
 * in the middle never leaves a half-deleted layer in place (one a later load would take
 * for present), only a directory in tmp/ that the next store open removes.
 */
int layer_discard(int layersfd, const char *name)
{
	_cleanup_close_ int tmpfd = openat(layersfd, "../tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char away[300];

	if (tmpfd < 0)
		return -errno;
	snprintf(away, sizeof(away), "gc-%s", name);
	if (renameat(layersfd, name, tmpfd, away) < 0)
		return errno == ENOENT ? 0 : -errno;
	crashpoint("gc-layer-renamed");
	return rm_rf_at(tmpfd, away);
}

static int sweep_layer(int dfd, const char *name, void *data)
{
	struct sweep *sw = data;
	char diff_id[DIGEST_MAX];
	_cleanup_free_ char *buf = NULL;
	char rel[300];

	snprintf(diff_id, sizeof(diff_id), "sha256:%s", name);
	if (strv_contains(sw->m->layers, diff_id))
		return 0;
	snprintf(rel, sizeof(rel), "%s/layer.json", name);
	if (read_file_at(dfd, rel, 65536, &buf, NULL) == 0) {
		const char *p = strstr(buf, "\"size\":");

		if (p)
			sw->freed += strtoull(p + 7, NULL, 10);
	}
	return layer_discard(dfd, name);
}

static int mark_all(struct image_store *s, struct marks *m, struct berr **err)
{
	_cleanup_(image_list_freep) struct image_list *l = NULL;
	int r;

	r = image_list_load(s, &l, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < l->n; i++) {
		r = mark_image(s, &l->v[i], m);
		if (r < 0)
			return berr_set(err, -r, "out of memory");
	}
	r = foreach_entry(s, "snapshots", mark_snapshot, m);
	if (r < 0)
		return berr_sys(err, -r, "cannot read the snapshots");
	r = foreach_entry(s, "build-cache", mark_cache_entry, &(struct mark_ctx){s, m});
	if (r < 0)
		return berr_sys(err, -r, "cannot read the build cache");
	return 0;
}

int image_store_gc(struct image_store *s, uint64_t *ret_freed, struct berr **err)
{
	_cleanup_close_ int gclock = image_store_lock(s, "gc.lock", true);
	_cleanup_close_ int lock = -1;
	struct marks m = {0};
	struct sweep sw = {.m = &m};
	int r;

	if (gclock < 0)
		return berr_sys(err, -gclock, "cannot lock the image store");
	lock = image_store_lock(s, "lock", true);
	if (lock < 0)
		return berr_sys(err, -lock, "cannot lock the image store");
	r = mark_all(s, &m, err);
	if (r >= 0) {
		sw.algo = "sha256";
		(void) foreach_entry(s, "blobs/sha256", sweep_blob, &sw);
		sw.algo = "sha512";
		(void) foreach_entry(s, "blobs/sha512", sweep_blob, &sw);
		(void) foreach_entry(s, "layers", sweep_layer, &sw);
		blob_ingest_cleanup(s, true);
	}
	strv_free(m.blobs);
	strv_free(m.layers);
	if (r >= 0 && ret_freed)
		*ret_freed = sw.freed;
	return r;
}
