/* SPDX-License-Identifier: Apache-2.0 */
/* `berth volume create|ls|inspect|rm|prune`: options and output; the work is in volume.c. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/berth_cmds.h"
#include "cli/container_json.h"
#include "cli/format.h"
#include "engine/volume.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/strv.h"

#define ENGINE_OR_RETURN(e, ctx)                                                                   \
	struct engine *e = berth_engine(ctx);                                                      \
	if (!e)                                                                                    \
	return 1

static const char *const volume_headers[] = {
	"Name",	  "VOLUME NAME", "Driver", "DRIVER", "Scope", "SCOPE", "Mountpoint", "MOUNTPOINT",
	"Labels", "LABELS",	 "Links",  "LINKS",  "Size",  "SIZE",  NULL,
};

static int cmd_create(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL, **labels = NULL, **opts = NULL;
	_cleanup_free_ char *name = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	const char *driver = "local", *name_opt = NULL;
	const struct opt_def defs[] = {
		{"driver", 'd', OPT_STRING, &driver, "NAME", "volume driver (only local)"},
		{"label", 0, OPT_LIST, &labels, "K=V", "set metadata on the volume"},
		{"opt", 'o', OPT_LIST, &opts, "K=V",
		 "local driver options: type=tmpfs|none, device=, o="},
		{"name", 0, OPT_STRING, &name_opt, "NAME", "the volume's name"},
		END_OPTS,
	};
	int r;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs,
					  "[--driver local] [--label K=V]... [-o K=V]... [NAME]", 0,
					  1, &pos));
	ENGINE_OR_RETURN(e, ctx);
	if (pos && name_opt && strcmp(pos[0], name_opt) != 0) {
		log_error_report("conflicting options: either specify --name or provide "
				 "positional arg, not both");
		return 125;
	}
	r = volume_create(e, pos ? pos[0] : name_opt, driver, labels, opts, &name, &err);
	if (r < 0)
		return berth_report(r, &err);
	printf("%s\n", name);
	return 0;
}

static void put_kv(struct jwriter *o, const char *key, char *const *kv)
{
	struct jwriter *m;

	if (!kv) {
		jw_null(o, key);
		return;
	}
	m = jw_object();
	STRV_FOREACH (p, kv) {
		_cleanup_free_ char *k = strndup(*p, strcspn(*p, "="));
		const char *eq = strchr(*p, '=');

		if (k)
			jw_str(m, k, eq ? eq + 1 : "");
	}
	jw_put(o, key, m);
}

struct jwriter *berth_volume_json(const struct volume *v)
{
	struct jwriter *o = jw_object();

	jw_str(o, "CreatedAt", v->created_at);
	jw_str(o, "Driver", v->driver);
	put_kv(o, "Labels", v->labels);
	jw_str(o, "Mountpoint", v->mountpoint);
	jw_str(o, "Name", v->name);
	put_kv(o, "Options", v->options);
	jw_str(o, "Scope", "local");
	return o;
}

struct jwriter *berth_volume_inspect_json(struct berth_ctx *ctx, const char *name)
{
	struct engine *e = berth_engine(ctx);
	struct jwriter *doc;
	struct volume v;

	if (!e || volume_load(e, name, &v, NULL) < 0)
		return NULL;
	doc = berth_volume_json(&v);
	volume_done(&v);
	return doc;
}

static int cmd_inspect(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	_cleanup_jw_ struct jwriter *all = jw_array();
	_cleanup_free_ char *text = NULL;
	const char *format = NULL;
	const struct opt_def defs[] = {
		{"format", 'f', OPT_STRING, &format, "TEMPLATE", "Go-template-like format"},
		END_OPTS,
	};
	int code = 0, n = 0;

	BERTH_PARSE_OR_RETURN(
		berth_parse(argc, argv, defs, "[-f TEMPLATE] VOLUME...", 1, SIZE_MAX, &pos));
	ENGINE_OR_RETURN(e, ctx);
	STRV_FOREACH (p, pos) {
		_cleanup_berr_ struct berr *err = NULL;
		struct volume v;
		int r = volume_load(e, *p, &v, &err);
		struct jwriter *doc;

		if (r < 0) {
			code = berth_report(r, &err);
			continue;
		}
		doc = berth_volume_json(&v);
		volume_done(&v);
		if (format) {
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

/* One row of ls as JSON: docker's fields for --format. */
static char *ls_row(const struct volume *v)
{
	_cleanup_jw_ struct jwriter *o = jw_object();
	_cleanup_free_ char *labels = strv_join(v->labels ? v->labels : (char *const[]){NULL}, ",");

	jw_str(o, "Name", v->name);
	jw_str(o, "Driver", v->driver);
	jw_str(o, "Scope", "local");
	jw_str(o, "Mountpoint", v->mountpoint);
	jw_str(o, "Labels", labels ? labels : "");
	jw_str(o, "Links", "N/A");
	jw_str(o, "Size", "N/A");
	return jw_to_string(o, false);
}

static int add_row(struct table *t, const struct volume *v, struct berr **err)
{
	_cleanup_free_ char *text = ls_row(v);
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	struct jnode root;
	int r;

	if (!text)
		return berr_set(err, ENOMEM, "out of memory");
	if ((r = jdoc_parse(text, strlen(text), "row", &doc, err)) < 0)
		return r;
	jdoc_root(doc, &root);
	return table_add(t, &root, err);
}

static int ls_print(struct engine *e, const char *tmpl, const struct volume_filter *f,
		    struct berr **err)
{
	_cleanup_(volume_list_done) struct volume_list l = {0};
	struct table *t = NULL;
	int r;

	if ((r = volume_list(e, &l, err)) < 0 || (r = table_new(tmpl, volume_headers, &t, err)) < 0)
		return r;
	for (size_t i = 0; r >= 0 && i < l.n; i++) {
		r = volume_matches(e, f, &l.v[i]);
		if (r < 0)
			berr_sys(err, -r, "cannot list the containers");
		else if (r > 0)
			r = add_row(t, &l.v[i], err);
	}
	if (r < 0) {
		table_free(t);
		return r;
	}
	table_print(t, stdout);
	return 0;
}

static int cmd_ls(struct berth_ctx *ctx, int argc, char **argv)
{
	static const char *const allowed[] = {"dangling", "name", "label", "driver", NULL};
	_cleanup_strv_ char **pos = NULL, **filters = NULL;
	_cleanup_(volume_filter_done) struct volume_filter f = {.dangling = -1};
	_cleanup_berr_ struct berr *err = NULL;
	const char *format = NULL;
	bool quiet = false;
	const struct opt_def defs[] = {
		{"quiet", 'q', OPT_BOOL, &quiet, NULL, "only the volume names"},
		{"filter", 'f', OPT_LIST, &filters, "K=V",
		 "dangling=true|false, name=, label=K[=V], driver="},
		{"format", 0, OPT_STRING, &format, "TEMPLATE", "Go-template-like format"},
		END_OPTS,
	};
	int r;

	BERTH_PARSE_OR_RETURN(
		berth_parse(argc, argv, defs, "[-q] [--filter K=V]... [--format T]", 0, 0, &pos));
	if ((r = volume_filter_parse(filters, allowed, &f, &err)) < 0)
		return berth_report(r, &err);
	ENGINE_OR_RETURN(e, ctx);
	if (quiet)
		format = "{{.Name}}";
	else if (!format)
		format = "table {{.Driver}}\t{{.Name}}";
	return berth_report(ls_print(e, format, &f, &err), &err);
}

static int cmd_rm(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	bool force = false;
	const struct opt_def defs[] = {
		{"force", 'f', OPT_BOOL, &force, NULL, "no error for a volume that does not exist"},
		END_OPTS,
	};
	int code = 0;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "[-f] VOLUME...", 1, SIZE_MAX, &pos));
	ENGINE_OR_RETURN(e, ctx);
	STRV_FOREACH (p, pos) {
		_cleanup_berr_ struct berr *err = NULL;
		int r = volume_remove(e, *p, force, &err);

		if (r < 0)
			code = berth_report(r, &err);
		else
			printf("%s\n", *p);
	}
	return code;
}

static int cmd_prune(struct berth_ctx *ctx, int argc, char **argv)
{
	static const char *const allowed[] = {"label", "label!", NULL};
	_cleanup_strv_ char **pos = NULL, **filters = NULL, **names = NULL;
	_cleanup_(volume_filter_done) struct volume_filter f = {.dangling = -1};
	_cleanup_berr_ struct berr *err = NULL;
	bool force = false;
	const struct opt_def defs[] = {
		{"force", 'f', OPT_BOOL, &force, NULL, "do not prompt for confirmation"},
		{"filter", 0, OPT_LIST, &filters, "K=V", "label=K[=V], label!=K[=V]"},
		END_OPTS,
	};
	uint64_t bytes = 0;
	char size[32];
	int r;

	BERTH_PARSE_OR_RETURN(
		berth_parse(argc, argv, defs, "[-f] [--filter label=K[=V]]...", 0, 0, &pos));
	if ((r = volume_filter_parse(filters, allowed, &f, &err)) < 0)
		return berth_report(r, &err);
	ENGINE_OR_RETURN(e, ctx);
	if (!force && !berth_confirm("This will remove all local volumes not used by at least one "
				     "container.")) {
		printf("Total reclaimed space: 0B\n");
		return 0;
	}
	r = volume_prune(e, &f, &names, &bytes, &err);
	if (names) {
		printf("Deleted Volumes:\n");
		STRV_FOREACH (n, names)
			printf("%s\n", *n);
		printf("\n");
	}
	if (r < 0)
		return berth_report(r, &err);
	printf("Total reclaimed space: %s\n", human_size(bytes, size, sizeof(size)));
	return 0;
}

static const struct berth_cmd volume_subcmds[] = {
	{"create", "create a volume", cmd_create},
	{"ls", "list volumes", cmd_ls},
	{"list", NULL, cmd_ls},
	{"inspect", "show volumes as JSON", cmd_inspect},
	{"rm", "remove volumes", cmd_rm},
	{"remove", NULL, cmd_rm},
	{"prune", "remove the volumes no container uses", cmd_prune},
	{NULL, NULL, NULL},
};

static int cmd_volume(struct berth_ctx *ctx, int argc, char **argv)
{
	return berth_run_group(ctx, "volume", volume_subcmds, 15, argc, argv);
}

const struct berth_cmd berth_volume_cmds[] = {
	{"volume", "manage volumes (berth volume --help)", cmd_volume},
	{NULL, NULL, NULL},
};
