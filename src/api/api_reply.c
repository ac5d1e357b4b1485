/* SPDX-License-Identifier: Apache-2.0 */
/* Replies as dockerd sends them (JSON bodies, {"message": ...} errors, its headers), and queries. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "api/api_internal.h"
#include "config.h"
#include "engine/units.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

void api_reply_headers(struct MHD_Response *resp, const char *type)
{
	if (type)
		(void) MHD_add_response_header(resp, "Content-Type", type);
	(void) MHD_add_response_header(resp, "Api-Version", API_VERSION);
	(void) MHD_add_response_header(resp, "Docker-Experimental", "false");
	(void) MHD_add_response_header(resp, "Ostype", "linux");
	(void) MHD_add_response_header(resp, "Server", "berth/" BERTH_VERSION " (linux)");
}

int api_reply_raw(struct api_req *r, unsigned status, const char *type, const void *buf, size_t len)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(len, (void *) buf, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ok;

	if (!resp)
		return -ENOMEM;
	api_reply_headers(resp, type);
	ok = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	r->replied = true;
	return ok == MHD_YES ? 0 : -EIO;
}

int api_reply_empty(struct api_req *r, unsigned status)
{
	return api_reply_raw(r, status, NULL, "", 0);
}

int api_reply_json(struct api_req *r, unsigned status, const struct jwriter *doc)
{
	_cleanup_free_ char *s = doc ? jw_to_string(doc, false) : NULL;
	_cleanup_free_ char *line = NULL;
	int len;

	/* docker's encoder ends each document with a newline */
	if (!s || (len = asprintf(&line, "%s\n", s)) < 0) {
		line = NULL;
		return api_reply_raw(r, 500, "application/json",
				     "{\"message\":\"out of memory\"}\n", 28);
	}
	return api_reply_raw(r, status, "application/json", line, (size_t) len);
}

int api_reply_error(struct api_req *r, unsigned status, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	_cleanup_jw_ struct jwriter *doc = jw_object();
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		msg = NULL;
	jw_str(doc, "message", msg ? msg : "out of memory");
	return api_reply_json(r, status, doc);
}

static unsigned status_of(int errnum)
{
	switch (errnum) {
	case ENOENT:
	case ESRCH:
		return 404;
	case EEXIST:
	case EBUSY:
	case EALREADY:
		return 409;
	case EINVAL:
	case E2BIG:
	case ERANGE:
		return 400;
	case EPERM:
	case EACCES:
		return 403;
	default:
		return 500;
	}
}

struct engine *api_engine(struct api_req *r)
{
	struct engine *e = berth_engine(r->ctx);

	if (!e)
		api_reply_error(r, 500, "cannot open the engine under '%s'", r->ctx->root);
	return e;
}

int api_reply_berr(struct api_req *r, int errnum, const struct berr *err)
{
	if (errnum < 0)
		errnum = -errnum;
	return api_reply_error(r, status_of(errnum), "%s", err ? err->msg : strerror(errnum));
}

const char *api_query(struct api_req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

bool api_query_bool(struct api_req *r, const char *key)
{
	const char *v = api_query(r, key);

	/* Go's strconv.ParseBool as dockerd's httputils.BoolValue: anything but these is true */
	if (!v)
		return false;
	return !(strcmp(v, "") == 0 || strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0 ||
		 strcasecmp(v, "no") == 0 || strcasecmp(v, "none") == 0);
}

int api_query_int(struct api_req *r, const char *key, int64_t min, int64_t max, int64_t *ret)
{
	_cleanup_berr_ struct berr *err = NULL;
	const char *v = api_query(r, key);

	if (!v || !*v)
		return 0;
	if (units_parse_int(v, min, max, key, ret, &err) < 0) {
		api_reply_berr(r, EINVAL, err);
		return -EINVAL;
	}
	return 0;
}

static int push_filter(char ***out, const char *key, const char *value)
{
	_cleanup_free_ char *kv = NULL;

	if (asprintf(&kv, "%s=%s", key, value) < 0)
		return -ENOMEM;
	return strv_push_dup(out, kv);
}

static int map_value(const struct jnode *child, void *userdata, struct berr **err)
{
	const char *const *kv = userdata; /* the key, then the output vector */

	(void) err;
	return push_filter((char ***) kv[1], kv[0], child->key);
}

/* {"value": true} (docker's map form) or ["value"] (the form before API 1.22) */
static int filter_values(const struct jnode *vals, void *userdata, struct berr **err)
{
	const void *kv[2] = {vals->key, userdata};
	int r;

	if (jnode_is_object(vals))
		return jnode_foreach_member(vals, map_value, kv, err);
	if (!jnode_is_array(vals))
		return berr_set(err, EINVAL, "invalid filter '%s'", vals->key);
	for (size_t i = 0; i < jnode_array_len(vals); i++) {
		_cleanup_free_ char *v = NULL;
		struct jnode e;

		jnode_array_at(vals, i, &e);
		if ((r = jnode_string(&e, &v, err)) < 0 ||
		    (r = push_filter(userdata, vals->key, v)) < 0)
			return r;
	}
	return 0;
}

int api_filters_parse(const char *json, char ***ret, struct berr **err)
{
	_cleanup_(jdoc_freep) struct jdoc *doc = NULL;
	_cleanup_strv_ char **out = NULL;
	struct jnode root;
	int r;

	*ret = NULL;
	if (!json || !*json)
		return 0;
	if ((r = jdoc_parse(json, strlen(json), "filters", &doc, err)) < 0 ||
	    (jdoc_root(doc, &root), r = jnode_expect_object(&root, err)) < 0 ||
	    (r = jnode_foreach_member(&root, filter_values, &out, err)) < 0)
		return r;
	*ret = TAKE_PTR(out);
	return 0;
}
