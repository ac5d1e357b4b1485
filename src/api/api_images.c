/* SPDX-License-Identifier: Apache-2.0 */
/* GET /images/json and GET /images/{name}/json. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "cli/berth_image_view.h"
#include "lib/timefmt.h"
#include "image/image_config.h"
#include "image/reference.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

static struct jwriter *familiar(char *const *v)
{
	struct jwriter *a = jw_array();

	STRV_FOREACH (p, v)
		jw_append_str(a, image_ref_familiar(*p));
	return a;
}

struct jwriter *api_image_summary(struct image_store *s, const struct image_record *rec,
				  int64_t shared_size, int64_t containers)
{
	_cleanup_(image_freep) struct image *img = NULL;
	struct jwriter *o;
	int64_t created = 0;
	uint64_t size;

	if (image_load(s, rec, &img, NULL) < 0)
		return NULL; /* removed meanwhile, or corrupt: `images` skips it too */
	o = jw_object();
	if (img->config->created)
		(void) rfc3339_parse_ns(img->config->created, &created);
	size = image_size(s, img);
	jw_str(o, "Id", rec->id);
	jw_str(o, "ParentId", "");
	jw_put(o, "RepoTags", familiar(rec->names));
	jw_put(o, "RepoDigests", familiar(rec->digests));
	jw_int(o, "Created", created / 1000000000);
	jw_uint(o, "Size", size);
	jw_uint(o, "VirtualSize", size);
	jw_int(o, "SharedSize", shared_size);
	jw_put(o, "Labels", jw_object());
	jw_int(o, "Containers", containers);
	return o;
}

int api_images_list(struct api_req *r)
{
	_cleanup_(image_list_freep) struct image_list *l = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_jw_ struct jwriter *out = jw_array();
	struct image_store *s = berth_store(r->ctx);
	int ret;

	if (!s)
		return api_reply_error(r, 500, "cannot open the image store under '%s'",
				       r->ctx->root);
	if ((ret = image_list_load(s, &l, &err)) < 0)
		return api_reply_berr(r, ret, err);
	for (size_t i = 0; i < l->n; i++) {
		struct jwriter *row = api_image_summary(s, &l->v[i], -1, -1);

		if (row)
			jw_put(out, NULL, row);
	}
	return api_reply_json(r, 200, out);
}

int api_image_inspect(struct api_req *r)
{
	_cleanup_jw_ struct jwriter *doc = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_free_ char *name = NULL;
	struct image_store *s = berth_store(r->ctx);
	size_t n = strv_length(r->parts), len = 0;
	int ret;

	if (!s)
		return api_reply_error(r, 500, "cannot open the image store under '%s'",
				       r->ctx->root);
	/* the name is every segment between "images" and "json" */
	for (size_t i = 1; i + 1 < n; i++)
		len += strlen(r->parts[i]) + 1;
	if (!(name = calloc(1, len + 1)))
		return -ENOMEM;
	for (size_t i = 1; i + 1 < n; i++)
		strcat(strcat(name, i == 1 ? "" : "/"), r->parts[i]);
	if ((ret = image_inspect_json(s, name, &doc, &err)) < 0)
		return ret == -ENOENT ? api_reply_error(r, 404, "No such image: %s", name)
				      : api_reply_berr(r, ret, err);
	return api_reply_json(r, 200, doc);
}
