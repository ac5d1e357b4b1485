/* SPDX-License-Identifier: Apache-2.0 */
#include "image/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/overlay.h"
#include "lib/cleanup.h"
#include "lib/tree_size.h"
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/rmtree.h"
#include "lib/strv.h"

#define SNAP_META "snapshot.json"

bool image_snapshot_key_valid(const char *key)
{
	size_t n = strlen(key);

	if (n == 0 || n > 128 || key[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-",
			    key[i]))
			return false;
	return true;
}

static int snap_dirfd(struct image_store *s, const char *key, struct berr **err)
{
	char rel[160];
	int fd;

	if (!image_snapshot_key_valid(key))
		return berr_set(err, EINVAL, "invalid snapshot key '%s'", key);
	snprintf(rel, sizeof(rel), "snapshots/%s", key);
	fd = openat(s->dirfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return berr_sys(err, errno, "snapshot '%s'", key);
	return fd;
}

int image_snapshot_create(struct image_store *s, const char *key, const struct image *img,
			  struct berr **err)
{
	_cleanup_jw_ struct jwriter *w = jw_object();
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = -1;
	struct jwriter *layers;
	char rel[160];
	int r;

	if (!image_snapshot_key_valid(key))
		return berr_set(err, EINVAL, "invalid snapshot key '%s'", key);
	snprintf(rel, sizeof(rel), "snapshots/%s", key);
	if (mkdirat(s->dirfd, rel, 0700) < 0)
		return berr_sys(err, errno, "cannot create snapshot '%s'", key);
	fd = openat(s->dirfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || mkdirat(fd, "upper", 0755) < 0 || mkdirat(fd, "work", 0700) < 0) {
		r = berr_sys(err, errno, "cannot create snapshot '%s'", key);
		goto out_rm;
	}
	jw_str(w, "image", img->id);
	layers = jw_array();
	for (size_t i = 0; i < img->config->n_diff_ids; i++)
		jw_append_str(layers, img->config->diff_ids[i]);
	jw_put(w, "layers", layers);
	text = jw_to_string(w, true);
	if (!text) {
		r = berr_set(err, ENOMEM, "out of memory");
		goto out_rm;
	}
	r = write_file_atomic_at(fd, SNAP_META, text, strlen(text), 0600, s->sync);
	if (r < 0) {
		berr_sys(err, -r, "cannot write snapshot '%s'", key);
		goto out_rm;
	}
	return 0;
out_rm:
	(void) rm_rf_at(s->dirfd, rel);
	return r;
}

static int read_meta(int fd, const char *key, char **ret_image, char ***ret_layers,
		     struct berr **err)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	struct jnode root;
	size_t len;
	int r;

	r = read_file_at(fd, SNAP_META, 1 << 20, &buf, &len);
	if (r < 0)
		return berr_sys(err, -r, "snapshot '%s': " SNAP_META, key);
	r = jdoc_parse(buf, len, SNAP_META, &doc, err);
	if (r < 0)
		return r;
	jdoc_root(doc, &root);
	r = jnode_get_string(&root, "image", ret_image, err);
	if (r >= 0 && ret_layers)
		r = jnode_get_strv(&root, "layers", ret_layers, err);
	return r < 0 ? r : 0;
}

int image_snapshot_image(struct image_store *s, const char *key, char **ret, struct berr **err)
{
	_cleanup_close_ int fd = snap_dirfd(s, key, err);

	if (fd < 0)
		return fd;
	*ret = NULL;
	return read_meta(fd, key, ret, NULL, err);
}

int image_snapshot_upper(struct image_store *s, const char *key, char *buf, size_t size)
{
	if (!image_snapshot_key_valid(key))
		return -EINVAL;
	if ((size_t) snprintf(buf, size, "%s/snapshots/%s/upper", s->path, key) >= size)
		return -ENAMETOOLONG;
	return 0;
}

uint64_t image_snapshot_size(struct image_store *s, const char *key)
{
	char upper[PATH_MAX];

	if (image_snapshot_upper(s, key, upper, sizeof(upper)) < 0)
		return 0;
	return tree_size(AT_FDCWD, upper);
}

int image_snapshot_mount(struct image_store *s, const char *key, const char *target,
			 const struct snapshot_idmap *idmap, struct berr **err)
{
	_cleanup_close_ int fd = snap_dirfd(s, key, err);
	_cleanup_free_ char *image = NULL;
	_cleanup_strv_ char **layers = NULL, **lowers = NULL;
	char upper[PATH_MAX], work[PATH_MAX], path[PATH_MAX];
	size_t n;
	int r;

	if (fd < 0)
		return fd;
	r = read_meta(fd, key, &image, &layers, err);
	if (r < 0)
		return r;
	n = strv_length(layers);
	for (size_t i = n; i-- > 0;) {
		if (!image_layer_exists(s, layers[i]))
			return berr_set(err, ENOENT, "snapshot '%s': layer %s is missing", key,
					layers[i]);
		if (image_layer_path(s, layers[i], path, sizeof(path)) < 0 ||
		    strv_push_dup(&lowers, path) < 0)
			return -ENOMEM;
	}
	snprintf(upper, sizeof(upper), "%s/snapshots/%s/upper", s->path, key);
	snprintf(work, sizeof(work), "%s/snapshots/%s/work", s->path, key);
	if (idmap)
		return snapshot_mount_idmapped(&(struct overlay_spec){.lowerdirs = lowers,
								      .upperdir = upper,
								      .workdir = work},
					       target, idmap, err);
	return overlay_mount(
		&(struct overlay_spec){.lowerdirs = lowers, .upperdir = upper, .workdir = work},
		target, err);
}

int image_snapshot_remove(struct image_store *s, const char *key, struct berr **err)
{
	char rel[160];
	int r;

	if (!image_snapshot_key_valid(key))
		return berr_set(err, EINVAL, "invalid snapshot key '%s'", key);
	snprintf(rel, sizeof(rel), "snapshots/%s", key);
	r = rm_rf_at(s->dirfd, rel);
	if (r < 0)
		return berr_sys(err, -r, "cannot remove snapshot '%s'", key);
	return 0;
}

int image_mount_readonly(struct image_store *s, const char *ref, const char *target,
			 struct berr **err)
{
	_cleanup_(image_list_freep) struct image_list *l = NULL;
	_cleanup_(image_freep) struct image *img = NULL;
	_cleanup_strv_ char **lowers = NULL;
	int i, r;

	r = image_list_load(s, &l, err);
	if (r < 0)
		return r;
	i = image_list_find(l, ref, err);
	if (i < 0)
		return i;
	r = image_load(s, &l->v[i], &img, err);
	if (r >= 0)
		r = image_lowerdirs(s, img, &lowers, err);
	if (r < 0)
		return r;
	if (strv_length(lowers) < 2) {
		/* overlayfs wants two lowers without an upper: an empty one goes at the bottom */
		char empty[PATH_MAX];

		snprintf(empty, sizeof(empty), "%s/empty", s->path);
		if (strv_push_dup(&lowers, empty) < 0)
			return -ENOMEM;
	}
	return overlay_mount(&(struct overlay_spec){.lowerdirs = lowers}, target, err);
}
