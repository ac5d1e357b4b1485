/* SPDX-License-Identifier: Apache-2.0 */
/* berth ps, logs, inspect, ns and top: what containers look like, in docker's shapes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/berth_cmds.h"
#include "cli/berth_container.h"
#include "cli/berth_image_view.h"
#include "cli/container_json.h"
#include "cli/port_format.h"
#include "cli/format.h"
#include "engine/container_ops.h"
#include "engine/container_runtime.h"
#include "engine/log_drivers.h"
#include "engine/logs.h"
#include "lib/timefmt.h"
#include "engine/units.h"
#include "image/digest.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/strv.h"

#define PS_TEMPLATE                                                                                \
	"table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{."   \
	"Names}}"

static const char *const ps_headers[] = {
	"ID",	   "CONTAINER ID", "Image",	 "IMAGE",  "Command", "COMMAND", "RunningFor",
	"CREATED", "CreatedAt",	   "CREATED AT", "Status", "STATUS",  "Ports",	 "PORTS",
	"Names",   "NAMES",	   "State",	 "STATE",  "Labels",  "LABELS",	 "Mounts",
	"MOUNTS",  "Size",	   "SIZE",	 NULL,
};

int berth_containers_load(struct engine *e, struct container ***ret, size_t *ret_n)
{
	_cleanup_strv_ char **ids = NULL;
	struct container **v;
	size_t n = 0;
	int r = container_list_ids(e, &ids);

	if (r < 0)
		return r;
	v = calloc(strv_length(ids) + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	STRV_FOREACH (id, ids) {
		struct container *c = NULL;

		if (container_load_any(e, *id, false, &c, NULL) < 0)
			continue; /* removed or being created meanwhile */
		if (container_active(c) && !container_monitor_alive(c) &&
		    container_relock(c, NULL) >= 0) {
			(void) container_refresh(e, c, NULL);
			container_unlock(c);
		}
		v[n++] = c;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static int by_created_desc(const void *a, const void *b)
{
	const struct container *x = *(struct container *const *) a;
	const struct container *y = *(struct container *const *) b;

	return strcmp(y->cfg->created, x->cfg->created);
}

bool berth_ps_filter_match(const struct container *c, char *const *filters)
{
	STRV_FOREACH (f, filters) {
		const char *eq = strchr(*f, '=');
		const char *v = eq ? eq + 1 : "";
		size_t k = eq ? (size_t) (eq - *f) : strlen(*f);

		if (k == 4 && strncmp(*f, "name", 4) == 0 && !strstr(c->cfg->name, v))
			return false;
		if (k == 6 && strncmp(*f, "status", 6) == 0 &&
		    strcmp(container_status_name(c->st.status), v) != 0)
			return false;
		if (k == 2 && strncmp(*f, "id", 2) == 0 && strncmp(c->cfg->id, v, strlen(v)) != 0)
			return false;
		if (k == 5 && strncmp(*f, "label", 5) == 0) {
			bool found = false;

			STRV_FOREACH (l, c->cfg->labels)
				if (strcmp(*l, v) == 0 ||
				    (strncmp(*l, v, strlen(v)) == 0 && (*l)[strlen(v)] == '='))
					found = true;
			if (!found)
				return false;
		}
	}
	return true;
}

/*
 * docker ps' IMAGE: the reference the container was made from while it still names the
 * container's image; else (removed, or moved to another image) the image's id.
 */
static const char *ps_image(const struct container *c, const struct image_list *l, bool no_trunc,
			    char *buf, size_t size)
{
	const char *id = c->cfg->image_id, *hex;
	int i;

	if (!l || !id)
		return c->cfg->image;
	i = image_list_find(l, c->cfg->image, NULL);
	if (i >= 0 && strcmp(l->v[i].id, id) == 0)
		return c->cfg->image;
	hex = strchr(id, ':') ? strchr(id, ':') + 1 : id;
	snprintf(buf, size, "%.*s", no_trunc ? (int) strlen(id) : 12, no_trunc ? id : hex);
	return buf;
}

int berth_cmd_ps(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL, **filters = NULL;
	bool all = false, quiet = false, no_trunc = false, latest = false;
	const char *format = NULL;
	const struct opt_def defs[] = {
		{"all", 'a', OPT_BOOL, &all, NULL, "show all containers (default: running)"},
		{"quiet", 'q', OPT_BOOL, &quiet, NULL, "only show container IDs"},
		{"no-trunc", 0, OPT_BOOL, &no_trunc, NULL, "do not truncate output"},
		{"latest", 'l', OPT_BOOL, &latest, NULL, "show the latest created container"},
		{"format", 0, OPT_STRING, &format, "TEMPLATE", "Go-template-like format"},
		{"filter", 'f', OPT_LIST, &filters, "KEY=VALUE", "name=, status=, id=, label="},
		END_OPTS,
	};
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_image_list_ struct image_list *images = NULL;
	struct container **v = NULL;
	struct table *t = NULL;
	struct image_store *s;
	struct engine *e;
	size_t n = 0;
	int r;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "[options]", 0, 0, &pos));
	if (!(e = berth_engine(ctx)))
		return 1;
	if ((s = berth_store(ctx)) && image_list_load(s, &images, NULL) < 0)
		images = NULL;
	if ((r = berth_containers_load(e, &v, &n)) < 0)
		return berth_report(r, &err);
	qsort(v, n, sizeof(*v), by_created_desc);
	if (quiet && !format)
		format = no_trunc ? "{{.ID}}" : "{{.ID}}";
	r = table_new(format ? format : PS_TEMPLATE, ps_headers, &t, &err);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		_cleanup_free_ char *json = NULL, *ports = NULL;
		_cleanup_jdoc_ struct jdoc *doc = NULL;
		char image[DIGEST_MAX];
		struct jnode root;

		if ((!all && !latest && !container_active(v[i])) ||
		    !berth_ps_filter_match(v[i], filters))
			continue;
		if (latest && i > 0)
			break;
		ports = ports_ps_column(e, v[i]);
		json = container_ps_row_json(v[i],
					     ps_image(v[i], images, no_trunc, image, sizeof(image)),
					     ports, no_trunc);
		if (!json) {
			r = -ENOMEM;
			break;
		}
		if ((r = jdoc_parse(json, strlen(json), "row", &doc, &err)) >= 0) {
			jdoc_root(doc, &root);
			r = table_add(t, &root, &err);
		}
	}
	if (r >= 0)
		table_print(t, stdout);
	else
		table_free(t);
	for (size_t i = 0; i < n; i++)
		container_free(v[i]);
	free(v);
	return berth_report(r, &err);
}

struct logs_ctx {
	struct engine *e;
	const char *id;
	bool timestamps;
};

static int logs_emit(const struct log_entry *le, void *userdata)
{
	const struct logs_ctx *lc = userdata;
	FILE *f = le->stream == LOG_STDERR ? stderr : stdout;
	char ts[64];

	if (lc->timestamps)
		fprintf(f, "%s ", rfc3339_ns(le->time_ns, ts, sizeof(ts)));
	if (fwrite(le->text, 1, le->len, f) != le->len || fflush(f) != 0)
		return -EPIPE;
	return 0;
}

static int logs_running(void *userdata)
{
	const struct logs_ctx *lc = userdata;

	return container_still_active(lc->e, lc->id) ? 1 : 0;
}

int berth_cmd_logs(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_free_ char *name = NULL;
	const char *tail = "all", *since = NULL, *until = NULL;
	bool follow = false, timestamps = false, details = false;
	const struct opt_def defs[] = {
		{"follow", 'f', OPT_BOOL, &follow, NULL, "follow log output"},
		{"tail", 'n', OPT_STRING, &tail, "N", "lines from the end (default all)"},
		{"since", 0, OPT_STRING, &since, "TIME", "since a timestamp or relative (10m)"},
		{"until", 0, OPT_STRING, &until, "TIME", "until a timestamp or relative"},
		{"timestamps", 't', OPT_BOOL, &timestamps, NULL, "show timestamps"},
		{"details", 0, OPT_BOOL, &details, NULL, NULL},
		END_OPTS,
	};
	struct logs_ctx lc = {.timestamps = timestamps};
	struct logs_read_opts o = {
		.tail = -1, .emit = logs_emit, .running = logs_running, .userdata = &lc};
	struct engine *e;
	int r;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "[options] CONTAINER", 1, 1, &pos));
	lc.timestamps = timestamps;
	o.follow = follow;
	if (strcmp(tail, "all") != 0 &&
	    units_parse_int(tail, 0, INT64_MAX, "--tail", &o.tail, &err) < 0)
		return berth_report(-EINVAL, &err);
	if ((since && units_parse_since(since, now_ns(), &o.since_ns, &err) < 0) ||
	    (until && units_parse_since(until, now_ns(), &o.until_ns, &err) < 0))
		return berth_report(-EINVAL, &err);
	if (!(e = berth_engine(ctx)))
		return 1;
	if ((r = container_open(e, pos[0], false, &c, &err)) < 0)
		return berth_report(r, &err);
	if (!log_keeps_file(c->cfg)) {
		log_error_report("configured logging driver does not support reading");
		return 1;
	}
	lc.e = e;
	lc.id = c->cfg->id;
	if (asprintf(&name, "%s-json.log", c->cfg->id) < 0)
		return 1;
	r = logs_read(c->dirfd, name, &o, &err);
	return r == -EPIPE ? 0 : berth_report(r, &err);
}

/*
 * The document of ref as type ("container", "image" or NULL: either, containers first).
 * NULL when there is none: *msg then says why when it is not just missing (a corrupt
 * image, say), else stays NULL.
 */
static struct jwriter *inspect_lookup(struct berth_ctx *ctx, const char *ref, const char *type,
				      char **msg)
{
	struct jwriter *doc = NULL;
	struct image_store *s;

	*msg = NULL;
	if (!type || strcmp(type, "container") == 0) {
		struct engine *e = berth_engine(ctx);

		if (e)
			doc = container_inspect_json(e, ref);
	}
	if (!doc && (!type || strcmp(type, "image") == 0) && (s = berth_store(ctx))) {
		_cleanup_berr_ struct berr *err = NULL;
		int r = image_inspect_json(s, ref, &doc, &err);

		if (r < 0 && r != -ENOENT && err)
			*msg = strdup(err->msg);
	}
	if (!doc && !*msg && (!type || strcmp(type, "volume") == 0))
		doc = berth_volume_inspect_json(ctx, ref);
	if (!doc && !*msg && (!type || strcmp(type, "network") == 0))
		doc = berth_network_inspect_json(ctx, ref);
	return doc;
}

int berth_inspect(struct berth_ctx *ctx, char *const *refs, const char *format, const char *type)
{
	_cleanup_jw_ struct jwriter *all = jw_array();
	_cleanup_free_ char *text = NULL;
	int code = 0, n = 0;

	if (type && strcmp(type, "container") != 0 && strcmp(type, "image") != 0 &&
	    strcmp(type, "volume") != 0 && strcmp(type, "network") != 0) {
		log_error_report("\"%s\" is not a valid value for --type", type);
		return 1;
	}
	STRV_FOREACH (ref, refs) {
		_cleanup_free_ char *why = NULL;
		struct jwriter *doc = inspect_lookup(ctx, *ref, type, &why);

		if (!doc && why) {
			log_error_report("%s", why);
			code = 1;
		} else if (!doc) {
			log_error_report("Error: No such %s: %s", type ? type : "object", *ref);
			code = 1;
		} else if (format) {
			if (inspect_render(doc, format, stdout) < 0)
				code = 1;
			jw_free(doc);
		} else {
			jw_put(all, NULL, doc);
			n++;
		}
	}
	if (!format) {
		text = n > 0 ? jw_to_string(all, true) : NULL;
		printf("%s\n", text ? text : "[]");
	}
	return code;
}

static int inspect_cmd(struct berth_ctx *ctx, int argc, char **argv, const char *type)
{
	_cleanup_strv_ char **pos = NULL;
	const char *format = NULL;
	bool size = false;
	const struct opt_def defs[] = {
		{"format", 'f', OPT_STRING, &format, "TEMPLATE", "Go template (see README)"},
		{"type", 0, OPT_STRING, &type, "TYPE", "container, image or volume"},
		{"size", 's', OPT_BOOL, &size, NULL, NULL},
		END_OPTS,
	};

	BERTH_PARSE_OR_RETURN(
		berth_parse(argc, argv, defs, "[options] NAME|ID [NAME|ID...]", 1, 1024, &pos));
	return berth_inspect(ctx, pos, format, type);
}

int berth_cmd_inspect(struct berth_ctx *ctx, int argc, char **argv)
{
	return inspect_cmd(ctx, argc, argv, NULL);
}

int berth_cmd_container_inspect(struct berth_ctx *ctx, int argc, char **argv)
{
	return inspect_cmd(ctx, argc, argv, "container");
}
