/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GET /images/{name}/history, GET /images/{name}/get and /images/get?names=, POST
 * /images/load and POST /images/prune: the code of `berth history`, `save`, `load` and
 * `image prune` (berth_image_view.h, image_archive.h, image_ops.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "api/api_internal.h"
#include "api/api_stream.h"
#include "cli/berth_image_view.h"
#include "cli/image_events.h"
#include "engine/container_prune.h"
#include "image/image_archive.h"
#include "image/image_config.h"
#include "image/image_ops.h"
#include "image/reference.h"
#include "lib/cleanup.h"
#include "lib/strv.h"
#include "lib/timefmt.h"

static struct image_store *store_or_reply(struct api_req *r)
{
	struct image_store *s = berth_store(r->ctx);

	if (!s)
		(void) api_reply_error(r, 500, "cannot open the image store under '%s'",
				       r->ctx->root);
	return s;
}

/* One element of docker's history: {Id, Created, CreatedBy, Tags, Size, Comment}. */
static void history_item(void *data, const struct history_entry *e)
{
	struct jwriter *out = data, *o = jw_object();
	int64_t created = 0;

	if (e->h->created)
		(void) rfc3339_parse_ns(e->h->created, &created);
	jw_str(o, "Id", e->top ? e->img->id : "<missing>");
	jw_int(o, "Created", created / 1000000000);
	jw_str(o, "CreatedBy", e->h->created_by ? e->h->created_by : "");
	if (e->top && e->rec->names && e->rec->names[0]) {
		struct jwriter *tags = jw_array();

		STRV_FOREACH (n, e->rec->names)
			jw_append_str(tags, image_ref_familiar(*n));
		jw_put(o, "Tags", tags);
	} else {
		jw_null(o, "Tags");
	}
	jw_uint(o, "Size", e->size);
	jw_str(o, "Comment", e->h->comment ? e->h->comment : "");
	jw_put(out, NULL, o);
}

int api_image_history(struct api_req *r)
{
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_free_ char *name = api_image_name(r, 1);
	_cleanup_jw_ struct jwriter *out = jw_array();
	struct image_store *s;
	int ret;

	if (!name)
		return -ENOMEM;
	if (!(s = store_or_reply(r)))
		return 0;
	if ((ret = history_walk(s, name, history_item, out, &err)) < 0)
		return ret == -ENOENT ? api_reply_error(r, 404, "No such image: %s", name)
				      : api_reply_berr(r, ret, err);
	return api_reply_json(r, 200, out);
}

/* `berth save` of refs as a docker-archive, the reply's body. */
static int reply_save(struct api_req *r, char *const *refs)
{
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_close_ int fd = -1;
	struct image_store *s;
	int ret;

	if (!(s = store_or_reply(r)))
		return 0;
	if (!refs || !*refs)
		return api_reply_error(r, 400, "no image names given (names=NAME)");
	if ((fd = api_tar_file(&err)) < 0)
		return api_reply_berr(r, fd, err);
	if ((ret = image_archive_save(s, refs, IMAGE_ARCHIVE_DOCKER, fd, &err)) < 0)
		return api_reply_berr(r, ret, err);
	STRV_FOREACH (p, refs)
		image_events_ref(r->ctx->root, s, "save", *p);
	return api_reply_tar(r, TAKE_FD(fd), NULL);
}

int api_image_get(struct api_req *r)
{
	_cleanup_free_ char *name = api_image_name(r, 1);

	if (!name)
		return -ENOMEM;
	return reply_save(r, (char *[]){name, NULL});
}

static enum MHD_Result add_value(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *value)
{
	struct {
		const char *key;
		char **values;
	} *q = cls;

	(void) kind;
	if (strcmp(key, q->key) == 0 && value && *value && strv_push_dup(&q->values, value) < 0)
		return MHD_NO;
	return MHD_YES;
}

char **api_query_all(struct api_req *r, const char *key)
{
	struct {
		const char *key;
		char **values;
	} q = {key, NULL};

	(void) MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_value, &q);
	return q.values;
}

int api_images_get(struct api_req *r)
{
	_cleanup_strv_ char **names = api_query_all(r, "names");

	return reply_save(r, names);
}

/* docker's {"stream":"Loaded image: busybox:latest\n"} a line, then an error if any. */
static int load_reply(struct api_req *r, char *const *report, const struct berr *err)
{
	_cleanup_free_ char *body = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&body, &len);

	if (!f)
		return -ENOMEM;
	STRV_FOREACH (l, report) {
		_cleanup_jw_ struct jwriter *o = jw_object();
		_cleanup_free_ char *line = NULL, *text = NULL;

		if (asprintf(&line, "%s\n", *l) < 0)
			continue;
		jw_str(o, "stream", line);
		if ((text = jw_to_string(o, false)))
			fprintf(f, "%s\n", text);
	}
	if (err) {
		_cleanup_jw_ struct jwriter *o = api_error_doc(err->msg);
		_cleanup_free_ char *text = jw_to_string(o, false);

		if (text)
			fprintf(f, "%s\n", text);
	}
	if (fclose(f) != 0)
		return -ENOMEM;
	return api_reply_raw(r, 200, "application/json", body, len);
}

int api_images_load(struct api_req *r)
{
	_cleanup_strv_ char **report = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	struct image_store *s;
	int ret;

	if (r->body_fd < 0)
		return -EIO;
	if (!(s = store_or_reply(r)))
		return 0;
	ret = image_archive_load(s, r->body_fd, &report, &err);
	image_events_loaded(r->ctx->root, s, report);
	if (ret < 0 && !report)
		return api_reply_berr(r, ret, err);
	/* quiet= only hides dockerd's progress bars (there are none): the lines stay */
	return load_reply(r, report, ret < 0 ? err : NULL);
}

/* filters: dangling (true: only images without a name; false: any unused), until, label. */
static int prune_filters(struct api_req *r, bool *all, struct prune_filter *pf, struct berr **err)
{
	_cleanup_strv_ char **filters = NULL, **rest = NULL;
	int ret;

	if ((ret = api_filters_parse(api_query(r, "filters"), &filters, err)) < 0)
		return ret;
	*all = false;
	STRV_FOREACH (f, filters) {
		if (strncmp(*f, "dangling=", 9) != 0) {
			if (strv_push_dup(&rest, *f) < 0)
				return -ENOMEM;
			continue;
		}
		if (strcmp(*f + 9, "false") == 0 || strcmp(*f + 9, "0") == 0)
			*all = true;
		else if (strcmp(*f + 9, "true") != 0 && strcmp(*f + 9, "1") != 0)
			return berr_set(err, EINVAL, "invalid filter 'dangling=%s'", *f + 9);
	}
	return container_prune_filter_parse(rest, pf, err);
}

int api_images_prune(struct api_req *r)
{
	_cleanup_(container_prune_filter_done) struct prune_filter pf = {0};
	_cleanup_strv_ char **report = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_jw_ struct jwriter *out = jw_object();
	struct image_prune_filter f;
	struct image_store *s;
	uint64_t freed = 0;
	bool all;
	int ret;

	if ((ret = prune_filters(r, &all, &pf, &err)) < 0)
		return api_reply_berr(r, EINVAL, err);
	if (!(s = store_or_reply(r)))
		return 0;
	f = (struct image_prune_filter){
		.until_ns = pf.until_ns, .labels = pf.labels, .not_labels = pf.not_labels};
	if ((ret = image_prune(s, all, &f, &report, &freed, &err)) < 0)
		return api_reply_berr(r, ret, err);
	image_events_removed(r->ctx->root, NULL, report);
	if (report && *report)
		jw_put(out, "ImagesDeleted", api_image_delete_doc(report));
	else
		jw_null(out, "ImagesDeleted");
	jw_uint(out, "SpaceReclaimed", freed);
	return api_reply_json(r, 200, out);
}
