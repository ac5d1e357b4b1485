/* SPDX-License-Identifier: Apache-2.0 */
/* POST /images/{name}/tag and DELETE /images/{name}: the CLI's tag and rmi (image_ops.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "cli/image_events.h"
#include "image/image_ops.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

char *api_image_name(struct api_req *r, size_t skip)
{
	size_t n = strv_length(r->parts), len = 0;
	char *name;

	for (size_t i = 1; i + skip < n; i++)
		len += strlen(r->parts[i]) + 1;
	if (!(name = calloc(1, len + 1)))
		return NULL;
	for (size_t i = 1; i + skip < n; i++)
		strcat(strcat(name, i == 1 ? "" : "/"), r->parts[i]);
	return name;
}

int api_image_tag(struct api_req *r)
{
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_free_ char *source = api_image_name(r, 1), *target = NULL, *fam = NULL;
	const char *repo = api_query(r, "repo"), *tag = api_query(r, "tag");
	struct image_store *s = berth_store(r->ctx);
	int ret;

	if (!source)
		return -ENOMEM;
	if (!s)
		return api_reply_error(r, 500, "cannot open the image store under '%s'",
				       r->ctx->root);
	if (!repo || !*repo)
		return api_reply_error(r, 400, "repository name must have at least one component");
	if (asprintf(&target, "%s:%s", repo, tag && *tag ? tag : "latest") < 0)
		return -ENOMEM;
	if ((ret = image_tag(s, source, target, &err)) < 0)
		return ret == -ENOENT ? api_reply_error(r, 404, "No such image: %s", source)
				      : api_reply_berr(r, EINVAL, err);
	if ((fam = image_events_familiar(target)))
		image_events_ref(r->ctx->root, s, "tag", fam);
	return api_reply_empty(r, 201);
}

struct jwriter *api_image_delete_doc(char *const *report)
{
	struct jwriter *a = jw_array();

	STRV_FOREACH (l, report) {
		struct jwriter *o = jw_object();

		if (strncmp(*l, "Untagged: ", 10) == 0)
			jw_str(o, "Untagged", *l + 10);
		else if (strncmp(*l, "Deleted: ", 9) == 0)
			jw_str(o, "Deleted", *l + 9);
		jw_put(a, NULL, o);
	}
	return a;
}

int api_image_delete(struct api_req *r)
{
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_free_ char *name = api_image_name(r, 0), *id = NULL;
	_cleanup_strv_ char **report = NULL;
	_cleanup_jw_ struct jwriter *doc = NULL;
	struct image_store *s = berth_store(r->ctx);
	int ret;

	if (!name)
		return -ENOMEM;
	if (!s)
		return api_reply_error(r, 500, "cannot open the image store under '%s'",
				       r->ctx->root);
	id = image_events_id_of(s, name);
	ret = image_remove(s, name, api_query_bool(r, "force"), &report, &err);
	image_events_removed(r->ctx->root, id, report);
	if (ret == -ENOENT)
		return api_reply_error(r, 404, "No such image: %s", name);
	if (ret < 0)
		return api_reply_berr(r, ret == -EINVAL ? EBUSY : ret, err);
	doc = api_image_delete_doc(report);
	return api_reply_json(r, 200, doc);
}
