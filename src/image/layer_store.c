/* SPDX-License-Identifier: Apache-2.0 */
/* The unpacked layers of the store: layers/<hex of diff_id>/{diff,layer.json}. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/image_config.h"
#include "image/layer_unpack.h"
#include "image/store.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/rmtree.h"
#include "lib/strv.h"

#define LAYER_META "layer.json"

static int layer_rel(const char *diff_id, const char *sub, char *buf, size_t size)
{
	if (digest_validate(diff_id, NULL) < 0)
		return -EINVAL;
	if ((size_t) snprintf(buf, size, "layers/%s%s%s", digest_hex(diff_id), sub ? "/" : "",
			      sub ? sub : "") >= size)
		return -ENAMETOOLONG;
	return 0;
}

bool image_layer_exists(struct image_store *s, const char *diff_id)
{
	char rel[256];

	return layer_rel(diff_id, LAYER_META, rel, sizeof(rel)) == 0 &&
	       faccessat(s->dirfd, rel, F_OK, 0) == 0;
}

int image_layer_path(struct image_store *s, const char *diff_id, char *buf, size_t size)
{
	char rel[256];
	int r = layer_rel(diff_id, "diff", rel, sizeof(rel));

	if (r < 0)
		return r;
	if ((size_t) snprintf(buf, size, "%s/%s", s->path, rel) >= size)
		return -ENAMETOOLONG;
	return 0;
}

int image_layer_users(struct image_store *s, const struct image_list *l, const char *diff_id)
{
	int n = 0;

	for (size_t i = 0; i < l->n; i++) {
		_cleanup_image_ struct image *img = NULL;

		if (image_load(s, &l->v[i], &img, NULL) < 0)
			continue;
		for (size_t k = 0; k < img->config->n_diff_ids; k++)
			if (!strcmp(img->config->diff_ids[k], diff_id)) {
				n++;
				break;
			}
	}
	return n;
}

uint64_t image_layer_size(struct image_store *s, const char *diff_id)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	struct jnode root;
	uint64_t size = 0;
	char rel[256];
	size_t len;

	if (layer_rel(diff_id, LAYER_META, rel, sizeof(rel)) < 0 ||
	    read_file_at(s->dirfd, rel, 65536, &buf, &len) < 0 ||
	    jdoc_parse(buf, len, LAYER_META, &doc, NULL) < 0)
		return 0;
	jdoc_root(doc, &root);
	(void) jnode_get_uint64(&root, "size", &size, NULL);
	return size;
}

static int write_meta(int dirfd, const struct layer_unpack_result *res)
{
	_cleanup_jw_ struct jwriter *w = jw_object();
	_cleanup_free_ char *text = NULL;

	jw_str(w, "diff_id", res->diff_id);
	jw_uint(w, "size", res->content_size);
	jw_uint(w, "tar_size", res->tar_size);
	jw_uint(w, "entries", res->entries);
	text = jw_to_string(w, false);
	if (!text)
		return -ENOMEM;
	return write_file_atomic_at(dirfd, LAYER_META, text, strlen(text), 0600, false);
}

/* tmp/layer-XXXXXX, created and locked (a cleaner skips it while we live). */
static int make_tmpdir(struct image_store *s, char *name, size_t size)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/tmp/layer-XXXXXX", s->path);
	if (!mkdtemp(path))
		return -errno;
	snprintf(name, size, "tmp/%s", strrchr(path, '/') + 1);
	fd = openat(s->dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX) < 0 || mkdirat(fd, "diff", 0755) < 0) {
		int r = -errno;

		(void) close(fd);
		return r;
	}
	return fd;
}

static int check_result(const struct layer_unpack_result *res, const char *expect_digest,
			const char *diff_id, struct berr **err)
{
	if (expect_digest && strcmp(res->digest, expect_digest) != 0)
		return berr_set(err, EBADMSG, "layer %s: content has digest %s", expect_digest,
				res->digest);
	if (strcmp(res->diff_id, diff_id) != 0)
		return berr_set(err, EBADMSG, "layer %s: uncompressed content has digest %s",
				diff_id, res->diff_id);
	return 0;
}

static int unpack_into(struct image_store *s, int tmpfd, int fd, const char *expect_digest,
		       const char *diff_id, struct berr **err)
{
	_cleanup_close_ int difffd = -1;
	struct layer_unpack_result res;
	int r;

	difffd = openat(tmpfd, "diff", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (difffd < 0)
		return berr_sys(err, errno, "cannot open a layer directory");
	r = layer_unpack_fd(fd, difffd, &res, err);
	if (r < 0)
		return r;
	r = check_result(&res, expect_digest, diff_id, err);
	if (r < 0)
		return r;
	r = write_meta(tmpfd, &res);
	if (r < 0)
		return berr_sys(err, -r, "layer %s: cannot write " LAYER_META, diff_id);
	if (s->sync && syncfs(tmpfd) < 0)
		return berr_sys(err, errno, "layer %s: syncfs", diff_id);
	return 0;
}

/*
 * layer.json is in a layer's directory before the directory appears under layers/, so a
 * directory there without it is what an older, killed deletion left: away with it.
 */
static int discard_incomplete(struct image_store *s, const char *diff_id)
{
	_cleanup_close_ int layersfd =
		openat(s->dirfd, "layers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (layersfd < 0)
		return -errno;
	if (faccessat(layersfd, digest_hex(diff_id), F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	return layer_discard(layersfd, digest_hex(diff_id));
}

int image_layer_unpack(struct image_store *s, int fd, const char *expect_digest,
		       const char *diff_id, struct berr **err)
{
	_cleanup_close_ int tmpfd = -1;
	char tmpname[64], rel[256];
	int r;

	if (layer_rel(diff_id, NULL, rel, sizeof(rel)) < 0)
		return berr_set(err, EINVAL, "invalid diff_id '%s'", diff_id);
	if (image_layer_exists(s, diff_id))
		return 1;
	if ((r = discard_incomplete(s, diff_id)) < 0)
		return berr_sys(err, -r, "layer %s: cannot remove an incomplete copy", diff_id);
	tmpfd = make_tmpdir(s, tmpname, sizeof(tmpname));
	if (tmpfd < 0)
		return berr_sys(err, -tmpfd, "cannot create a directory in '%s/tmp'", s->path);
	r = unpack_into(s, tmpfd, fd, expect_digest, diff_id, err);
	if (r < 0) {
		(void) rm_rf_at(s->dirfd, tmpname);
		return r;
	}
	if (renameat(s->dirfd, tmpname, s->dirfd, rel) < 0) {
		r = -errno;
		(void) rm_rf_at(s->dirfd, tmpname);
		if ((r == -EEXIST || r == -ENOTEMPTY) && image_layer_exists(s, diff_id))
			return 1; /* another process unpacked it meanwhile */
		return berr_sys(err, -r, "layer %s: cannot rename into place", diff_id);
	}
	return 0;
}

int image_lowerdirs(struct image_store *s, const struct image *img, char ***ret, struct berr **err)
{
	_cleanup_strv_ char **v = NULL;
	char path[PATH_MAX];

	for (size_t i = img->config->n_diff_ids; i-- > 0;) {
		const char *id = img->config->diff_ids[i];

		if (!image_layer_exists(s, id))
			return berr_set(err, ENOENT, "layer %s of image %s is missing", id,
					img->id);
		if (image_layer_path(s, id, path, sizeof(path)) < 0 || strv_push_dup(&v, path) < 0)
			return -ENOMEM;
	}
	if (!v && !(v = calloc(1, sizeof(char *))))
		return -ENOMEM;
	*ret = TAKE_PTR(v);
	return 0;
}
