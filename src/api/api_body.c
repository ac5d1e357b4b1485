/* SPDX-License-Identifier: Apache-2.0 */
/* Request bodies: the JSON object of a POST, and docker's maps of strings in it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

int api_body_object(struct api_req *r, struct jdoc **ret_doc, struct jnode *ret_root,
		    struct berr **err)
{
	_cleanup_(jdoc_freep) struct jdoc *doc = NULL;
	/* docker's decoder takes an empty body as an empty request */
	const char *body = r->body_len ? r->body : "{}";
	int ret;

	if ((ret = jdoc_parse(body, strlen(body), "body", &doc, err)) < 0)
		return -EINVAL;
	jdoc_root(doc, ret_root);
	if ((ret = jnode_expect_object(ret_root, err)) < 0)
		return ret;
	*ret_doc = TAKE_PTR(doc);
	return 0;
}

static int kv_member(const struct jnode *child, void *userdata, struct berr **err)
{
	_cleanup_free_ char *v = NULL, *kv = NULL;
	int r = jnode_string(child, &v, err);

	if (r < 0)
		return r;
	if (asprintf(&kv, "%s=%s", child->key, v) < 0)
		return -ENOMEM;
	return strv_push_dup(userdata, kv);
}

int api_json_kv(const struct jnode *obj, const char *key, char ***ret, struct berr **err)
{
	_cleanup_strv_ char **v = NULL;
	struct jnode m;
	int r;

	jnode_member(obj, key, &m);
	if (!jnode_present(&m))
		return 0;
	if ((r = jnode_expect_object(&m, err)) < 0 ||
	    (r = jnode_foreach_member(&m, kv_member, &v, err)) < 0)
		return r;
	strv_free(*ret);
	*ret = TAKE_PTR(v);
	return 0;
}

void api_create_body_done(struct api_create_body *c)
{
	free(c->name);
	free(c->driver);
	strv_free(c->labels);
	strv_free(c->opts);
}

int api_create_body_read(struct api_req *r, const char *opts_key, struct api_create_body *c,
			 struct jdoc **ret_doc, struct jnode *ret_root, struct berr **err)
{
	int ret;

	if ((ret = api_body_object(r, ret_doc, ret_root, err)) < 0 ||
	    (ret = jnode_get_string(ret_root, "Name", &c->name, err)) < 0 ||
	    (ret = jnode_get_string(ret_root, "Driver", &c->driver, err)) < 0 ||
	    (ret = api_json_kv(ret_root, opts_key, &c->opts, err)) < 0 ||
	    (ret = api_json_kv(ret_root, "Labels", &c->labels, err)) < 0)
		return -EINVAL;
	return 0;
}
