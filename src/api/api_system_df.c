/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GET /system/df: dockerd's types.DiskUsage, what `docker system df` totals: LayersSize
 * (every image layer once), Images (summaries with SharedSize and the containers using
 * each), Containers (list rows with SizeRw, the writable layer, and SizeRootFs, with the
 * image), Volumes (the inspect document with UsageData: Size, RefCount) and BuildCache
 * (an entry per cache key: the bytes of layers no image and no earlier entry holds) — the
 * numbers `berth system df` prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "build/build_cache.h"
#include "engine/container_ops.h"
#include "engine/container_runtime.h"
#include "engine/container_store.h"
#include "engine/volume.h"
#include "image/image_config.h"
#include "image/snapshot.h"
#include "image/store.h"
#include "lib/cleanup.h"
#include "lib/strv.h"
#include "lib/tree_size.h"

/* What the containers use: the image of each (once per container) and the volumes. */
struct df_use {
	char **images, **volumes;
};

/* The unpacked size of image id (an image of l), 0 when it is not there. */
static uint64_t image_size_of(struct image_store *s, const struct image_list *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++) {
		_cleanup_(image_freep) struct image *img = NULL;

		if (strcmp(l->v[i].id, id) == 0 && image_load(s, &l->v[i], &img, NULL) >= 0)
			return image_size(s, img);
	}
	return 0;
}

static int containers_doc(struct engine *e, struct image_store *s, const struct image_list *l,
			  struct df_use *u, struct jwriter *arr)
{
	_cleanup_strv_ char **ids = NULL;

	if (container_list_ids(e, &ids) < 0)
		return -EIO;
	STRV_FOREACH (id, ids) {
		_cleanup_container_ struct container *c = NULL;
		uint64_t rw, image = 0;
		struct jwriter *row;

		if (container_load_any(e, *id, false, &c, NULL) < 0 || !c->cfg)
			continue;
		(void) container_refresh(e, c, NULL);
		rw = image_snapshot_size(s, *id);
		if (c->cfg->image_id) {
			image = image_size_of(s, l, c->cfg->image_id);
			if (strv_push_dup(&u->images, c->cfg->image_id) < 0)
				return -ENOMEM;
		}
		for (size_t i = 0; i < c->cfg->n_mounts; i++)
			if (c->cfg->mounts[i].kind == MOUNT_VOLUME &&
			    strv_push_dup(&u->volumes, c->cfg->mounts[i].source) < 0)
				return -ENOMEM;
		if (!(row = api_container_row(c)))
			return -ENOMEM;
		jw_uint(row, "SizeRw", rw);
		jw_uint(row, "SizeRootFs", rw + image);
		jw_put(arr, NULL, row);
	}
	return 0;
}

/* The images, and the size of their layers, each counted once. */
static int images_doc(struct image_store *s, const struct image_list *l, const struct df_use *u,
		      struct jwriter *arr, uint64_t *ret_layers)
{
	_cleanup_strv_ char **seen = NULL;

	*ret_layers = 0;
	for (size_t i = 0; i < l->n; i++) {
		_cleanup_(image_freep) struct image *img = NULL;
		uint64_t shared = 0;
		int64_t users = 0;
		struct jwriter *row;

		if (image_load(s, &l->v[i], &img, NULL) < 0)
			continue;
		for (size_t k = 0; k < img->config->n_diff_ids; k++) {
			const char *d = img->config->diff_ids[k];
			uint64_t n = image_layer_size(s, d);

			if (image_layer_users(s, l, d) > 1)
				shared += n;
			if (!strv_contains(seen, d)) {
				if (strv_push_dup(&seen, d) < 0)
					return -ENOMEM;
				*ret_layers += n;
			}
		}
		STRV_FOREACH (c, u->images)
			users += strcmp(*c, l->v[i].id) == 0;
		if ((row = api_image_summary(s, &l->v[i], (int64_t) shared, users)))
			jw_put(arr, NULL, row);
	}
	return 0;
}

static int volumes_doc(struct engine *e, const struct df_use *u, struct jwriter *arr,
		       struct berr **err)
{
	_cleanup_(volume_list_done) struct volume_list l = {0};
	int r;

	if ((r = volume_list(e, &l, err)) < 0)
		return r;
	for (size_t i = 0; i < l.n; i++) {
		struct jwriter *row = berth_volume_json(&l.v[i]), *usage = jw_object();
		int64_t refs = 0;

		STRV_FOREACH (v, u->volumes)
			refs += strcmp(*v, l.v[i].name) == 0;
		jw_uint(usage, "Size", tree_size(AT_FDCWD, l.v[i].mountpoint));
		jw_int(usage, "RefCount", refs);
		jw_put(row, "UsageData", usage);
		jw_put(arr, NULL, row);
	}
	return 0;
}

static void cache_entry(const char *key, uint64_t size, void *userdata)
{
	struct jwriter *arr = userdata, *o = jw_object();

	jw_str(o, "ID", key);
	jw_str(o, "Parent", "");
	jw_str(o, "Type", "regular");
	jw_str(o, "Description", "");
	jw_bool(o, "InUse", false);
	jw_bool(o, "Shared", false);
	jw_uint(o, "Size", size);
	jw_int(o, "UsageCount", 0);
	jw_put(arr, NULL, o);
}

static void df_use_done(struct df_use *u)
{
	strv_free(u->images);
	strv_free(u->volumes);
}

int api_system_df(struct api_req *r)
{
	_cleanup_jw_ struct jwriter *out = jw_object();
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_(df_use_done) struct df_use u = {0};
	_cleanup_(image_list_freep) struct image_list *l = NULL;
	struct jwriter *images = jw_array(), *containers = jw_array(), *volumes = jw_array(),
		       *cache = jw_array();
	struct image_store *s = berth_store(r->ctx);
	struct engine *e = api_engine(r);
	uint64_t layers = 0, cache_size = 0;
	size_t cache_n = 0;
	int ret = 0;

	if (!e || !s) {
		jw_free(images);
		jw_free(containers);
		jw_free(volumes);
		jw_free(cache);
		return e ? api_reply_error(r, 500, "cannot open the image store under '%s'",
					   r->ctx->root)
			 : 0;
	}
	if ((ret = image_list_load(s, &l, &err)) >= 0 &&
	    (ret = containers_doc(e, s, l, &u, containers)) >= 0 &&
	    (ret = images_doc(s, l, &u, images, &layers)) >= 0 &&
	    (ret = volumes_doc(e, &u, volumes, &err)) >= 0)
		ret = build_cache_walk(s, cache_entry, cache, &cache_n, &cache_size, &err);
	jw_uint(out, "LayersSize", layers);
	jw_put(out, "Images", images);
	jw_put(out, "Containers", containers);
	jw_put(out, "Volumes", volumes);
	jw_put(out, "BuildCache", cache);
	if (ret < 0)
		return api_reply_berr(r, ret, err);
	return api_reply_json(r, 200, out);
}
