/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /volumes: list, create, inspect, DELETE and prune, with the engine's volume calls
 * (engine/volume.h) and the CLI's inspect document (berth_volume_json).
 */
#include <errno.h>
#include <string.h>
#include <stdlib.h>

#include "api/api_internal.h"
#include "engine/volume.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

/* ?filters= with the keys allowed into *f; -EINVAL after replying 400. */
static int read_filters(struct api_req *r, const char *const *allowed, struct volume_filter *f)
{
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_strv_ char **filters = NULL;
	int ret;

	if ((ret = api_filters_parse(api_query(r, "filters"), &filters, &err)) < 0 ||
	    (ret = volume_filter_parse(filters, allowed, f, &err)) < 0) {
		api_reply_berr(r, EINVAL, err);
		return -EINVAL;
	}
	return 0;
}

/* docker's {"Volumes": [...], "Warnings": null} of the volumes that pass f. */
static int list_doc(struct engine *e, const struct volume_filter *f, struct jwriter *out,
		    struct berr **err)
{
	_cleanup_(volume_list_done) struct volume_list l = {0};
	struct jwriter *vols = jw_array();
	int r = volume_list(e, &l, err);

	for (size_t i = 0; r >= 0 && i < l.n; i++) {
		r = volume_matches(e, f, &l.v[i]);
		if (r < 0)
			berr_sys(err, -r, "cannot list the containers");
		else if (r > 0)
			jw_put(vols, NULL, berth_volume_json(&l.v[i]));
	}
	jw_put(out, "Volumes", vols);
	jw_null(out, "Warnings");
	return r < 0 ? r : 0;
}

int api_volumes_list(struct api_req *r)
{
	static const char *const allowed[] = {"dangling", "name", "label", "driver", NULL};
	_cleanup_(volume_filter_done) struct volume_filter f = {.dangling = -1};
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_jw_ struct jwriter *out = jw_object();
	struct engine *e;
	int ret;

	if (read_filters(r, allowed, &f) < 0 || !(e = api_engine(r)))
		return 0;
	if ((ret = list_doc(e, &f, out, &err)) < 0)
		return api_reply_berr(r, ret, err);
	return api_reply_json(r, 200, out);
}

/* The reply of a volume that exists: its inspect document, or dockerd's 404. */
static int reply_volume(struct api_req *r, struct engine *e, const char *name, unsigned status)
{
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_jw_ struct jwriter *doc = NULL;
	struct volume v;
	int ret = volume_load(e, name, &v, &err);

	if (ret == -ENOENT)
		return api_reply_error(r, 404, "get %s: no such volume", name);
	if (ret < 0)
		return api_reply_berr(r, ret, err);
	doc = berth_volume_json(&v);
	volume_done(&v);
	return api_reply_json(r, status, doc);
}

int api_volume_create(struct api_req *r)
{
	_cleanup_(api_create_body_done) struct api_create_body c = {0};
	_cleanup_(jdoc_freep) struct jdoc *doc = NULL;
	struct jnode root;
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_free_ char *name = NULL;
	struct engine *e;
	int ret;

	/* VolumeCreateOptions: Name, Driver, DriverOpts, Labels */
	if ((ret = api_create_body_read(r, "DriverOpts", &c, &doc, &root, &err)) < 0)
		return api_reply_berr(r, ret, err);
	if (!(e = api_engine(r)))
		return 0;
	/* an empty Name is a new volume with a generated name, as `volume create` */
	ret = volume_create(e, c.name && *c.name ? c.name : NULL, c.driver, c.labels, c.opts, &name,
			    &err);
	if (ret < 0)
		return api_reply_berr(r, ret, err);
	return reply_volume(r, e, name, 201);
}

int api_volume_inspect(struct api_req *r)
{
	struct engine *e = api_engine(r);

	return e ? reply_volume(r, e, r->parts[1], 200) : 0;
}

int api_volume_delete(struct api_req *r)
{
	_cleanup_berr_ struct berr *err = NULL;
	const char *name = r->parts[1];
	struct engine *e = api_engine(r);
	int ret;

	if (!e)
		return 0;
	ret = volume_remove(e, name, api_query_bool(r, "force"), &err);
	if (ret == -ENOENT)
		return api_reply_error(r, 404, "get %s: no such volume", name);
	if (ret < 0)
		return api_reply_berr(r, ret, err);
	return api_reply_empty(r, 204);
}

int api_volumes_prune(struct api_req *r)
{
	static const char *const allowed[] = {"label", "label!", NULL};
	_cleanup_(volume_filter_done) struct volume_filter f = {.dangling = -1};
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_strv_ char **names = NULL;
	_cleanup_jw_ struct jwriter *out = jw_object();
	struct jwriter *deleted;
	uint64_t bytes = 0;
	struct engine *e;
	int ret;

	if (read_filters(r, allowed, &f) < 0 || !(e = api_engine(r)))
		return 0;
	if ((ret = volume_prune(e, &f, &names, &bytes, &err)) < 0)
		return api_reply_berr(r, ret, err);
	deleted = jw_array();
	STRV_FOREACH (n, names)
		jw_append_str(deleted, *n);
	jw_put(out, "VolumesDeleted", deleted);
	jw_uint(out, "SpaceReclaimed", bytes);
	return api_reply_json(r, 200, out);
}
