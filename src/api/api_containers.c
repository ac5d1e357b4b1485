/* SPDX-License-Identifier: Apache-2.0 */
/* GET /containers/json, GET /containers/{id}/json and POST /containers/create. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "cli/berth_container.h"
#include "cli/container_json.h"
#include "engine/container_create.h"
#include "engine/container_opts.h"
#include "engine/container_ops.h"
#include "lib/timefmt.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

static struct jwriter *labels_object(char *const *labels)
{
	struct jwriter *o = jw_object();

	STRV_FOREACH (l, labels) {
		_cleanup_free_ char *k = strdup(*l);
		char *eq = k ? strchr(k, '=') : NULL;

		if (eq)
			*eq = '\0';
		if (k)
			jw_str(o, k, eq ? eq + 1 : "");
	}
	return o;
}

static char *command_line(char *const *args)
{
	_cleanup_free_ char *s = strdup("");

	STRV_FOREACH (a, args) {
		char *n = NULL;

		if (asprintf(&n, "%s%s%s", s, a == args ? "" : " ", *a) < 0)
			return NULL;
		free(s);
		s = n;
	}
	return TAKE_PTR(s);
}

struct jwriter *api_container_row(const struct container *c)
{
	struct jwriter *o = jw_object(), *names = jw_array(), *hc = jw_object(), *ns = jw_object();
	_cleanup_free_ char *slash_name = NULL, *status = container_status_text(c);
	_cleanup_free_ char *cmd = command_line(c->cfg->args);
	int64_t created = 0;

	(void) rfc3339_parse_ns(c->cfg->created, &created);
	if (asprintf(&slash_name, "/%s", c->cfg->name) < 0)
		slash_name = NULL;
	jw_str(o, "Id", c->cfg->id);
	jw_append_str(names, slash_name);
	jw_put(o, "Names", names);
	jw_str(o, "Image", c->cfg->image);
	jw_str(o, "ImageID", c->cfg->image_id ? c->cfg->image_id : "");
	jw_str(o, "Command", cmd ? cmd : "");
	jw_int(o, "Created", created / 1000000000);
	jw_put(o, "Ports", jw_array());
	jw_put(o, "Labels", labels_object(c->cfg->labels));
	jw_str(o, "State", container_status_name(c->st.status));
	jw_str(o, "Status", status ? status : "");
	jw_str(hc, "NetworkMode", c->cfg->network_name ? c->cfg->network_name : "default");
	jw_put(o, "HostConfig", hc);
	jw_put(ns, "Networks", jw_object());
	jw_put(o, "NetworkSettings", ns);
	jw_put(o, "Mounts", jw_array());
	return o;
}

/*
 * docker's filters: every key must match, any of a key's values will do, except labels:
 * every label filter must match (MatchKVList; docker-compose's project and service).
 */
static bool filters_match(const struct container *c, char **filters)
{
	STRV_FOREACH (f, filters) {
		size_t klen = strcspn(*f, "=");
		bool any = false;

		if (strncmp(*f, "label=", 6) == 0 || strncmp(*f, "label!=", 7) == 0) {
			char *one[] = {*f, NULL};

			if (!berth_ps_filter_match(c, one))
				return false;
			continue;
		}
		STRV_FOREACH (g, filters)
			if (strncmp(*g, *f, klen + 1) == 0) {
				char *one[] = {*g, NULL};

				any = any || berth_ps_filter_match(c, one);
			}
		if (!any)
			return false;
	}
	return true;
}

static bool has_status_filter(char **filters)
{
	STRV_FOREACH (f, filters)
		if (strncmp(*f, "status=", 7) == 0)
			return true;
	return false;
}

static int by_created_desc(const void *a, const void *b)
{
	const struct container *x = *(struct container *const *) a;
	const struct container *y = *(struct container *const *) b;

	return strcmp(y->cfg->created, x->cfg->created);
}

int api_containers_list(struct api_req *r)
{
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_strv_ char **filters = NULL;
	_cleanup_jw_ struct jwriter *out = jw_array();
	struct container **v = NULL;
	bool all = api_query_bool(r, "all");
	int64_t limit = -1;
	size_t n = 0;
	int ret;

	if (api_query_int(r, "limit", -1, INT32_MAX, &limit) < 0)
		return 0;
	if ((ret = api_filters_parse(api_query(r, "filters"), &filters, &err)) < 0)
		return api_reply_berr(r, ret, err);
	if (!berth_engine(r->ctx))
		return api_reply_error(r, 500, "cannot open the engine under '%s'", r->ctx->root);
	if ((ret = berth_containers_load(r->ctx->engine, &v, &n)) < 0)
		return ret;
	qsort(v, n, sizeof(*v), by_created_desc);
	for (size_t i = 0, shown = 0; i < n; i++) {
		bool running = container_active(v[i]);

		if ((all || running || has_status_filter(filters)) &&
		    filters_match(v[i], filters) && (limit <= 0 || shown < (size_t) limit)) {
			jw_put(out, NULL, api_container_row(v[i]));
			shown++;
		}
		container_free(v[i]);
	}
	free(v);
	return api_reply_json(r, 200, out);
}

int api_container_inspect(struct api_req *r)
{
	_cleanup_jw_ struct jwriter *doc = NULL;

	if (!berth_engine(r->ctx))
		return api_reply_error(r, 500, "cannot open the engine under '%s'", r->ctx->root);
	if (!(doc = container_inspect_json(r->ctx->engine, r->parts[1])))
		return api_reply_error(r, 404, "No such container: %s", r->parts[1]);
	return api_reply_json(r, 200, doc);
}
