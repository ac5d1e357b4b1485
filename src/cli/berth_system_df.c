/* SPDX-License-Identifier: Apache-2.0 */
/*
 * berth system df and system prune, as docker 20.10's: what images, containers and
 * volumes take on disk (a layer shared by images counted once) and the build cache's
 * entries, and removing what no container uses (and the build cache: dangling, or all).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/build_cache.h"
#include "cli/berth_cmds.h"
#include "cli/berth_container.h"
#include "cli/format.h"
#include "cli/image_events.h"
#include "engine/container_ops.h"
#include "engine/container_runtime.h"
#include "engine/volume.h"
#include "image/image_ops.h"
#include "image/snapshot.h"
#include "image/store.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "lib/tree_size.h"

struct du_row {
	const char *type;
	int64_t total, active;
	uint64_t size, reclaimable;
	bool percent; /* docker shows "(N%)" for all but the build cache */
};

/* Layers of the images containers use, and every layer once, with sizes. */
static int images_usage(struct berth_ctx *ctx, char *const *used_images, struct du_row *row,
			struct berr **err)
{
	_cleanup_(image_list_freep) struct image_list *l = NULL;
	_cleanup_strv_ char **seen = NULL, **active_layers = NULL;
	struct image_store *s = berth_store(ctx);
	uint64_t active = 0;
	int r;

	if (!s)
		return berr_set(err, EIO, "cannot open the image store");
	if ((r = image_list_load(s, &l, err)) < 0)
		return r;
	row->total = (int64_t) l->n;
	for (size_t i = 0; i < l->n; i++) {
		_cleanup_image_ struct image *img = NULL;
		bool in_use = strv_contains(used_images, l->v[i].id);

		if (image_load(s, &l->v[i], &img, NULL) < 0)
			continue;
		row->active += in_use;
		for (size_t k = 0; k < img->config->n_diff_ids; k++) {
			const char *d = img->config->diff_ids[k];
			uint64_t n = image_layer_size(s, d);

			if (!strv_contains(seen, d)) {
				if (strv_push_dup(&seen, d) < 0)
					return berr_set(err, ENOMEM, "out of memory");
				row->size += n;
			}
			if (in_use && !strv_contains(active_layers, d)) {
				if (strv_push_dup(&active_layers, d) < 0)
					return berr_set(err, ENOMEM, "out of memory");
				active += n;
			}
		}
	}
	row->reclaimable = row->size - active;
	return 0;
}

/* Containers (their writable layers) and the ids of the images they use. */
static int containers_usage(struct berth_ctx *ctx, struct du_row *row, char ***used_images,
			    char ***used_volumes)
{
	_cleanup_strv_ char **ids = NULL;
	struct image_store *s = berth_store(ctx);
	struct engine *e = berth_engine(ctx);

	if (!s || !e || container_list_ids(e, &ids) < 0)
		return -EIO;
	STRV_FOREACH (id, ids) {
		_cleanup_container_ struct container *c = NULL;
		uint64_t size;

		if (container_load_any(e, *id, false, &c, NULL) < 0 || !c->cfg)
			continue;
		size = image_snapshot_size(s, *id);
		row->total++;
		row->size += size;
		if (container_active(c))
			row->active++;
		else
			row->reclaimable += size;
		if (c->cfg->image_id && !strv_contains(*used_images, c->cfg->image_id) &&
		    strv_push_dup(used_images, c->cfg->image_id) < 0)
			return -ENOMEM;
		for (size_t i = 0; i < c->cfg->n_mounts; i++)
			if (c->cfg->mounts[i].kind == MOUNT_VOLUME &&
			    strv_push_dup(used_volumes, c->cfg->mounts[i].source) < 0)
				return -ENOMEM;
	}
	return 0;
}

static int volumes_usage(struct berth_ctx *ctx, char *const *used, struct du_row *row,
			 struct berr **err)
{
	_cleanup_(volume_list_done) struct volume_list l = {0};
	struct engine *e = berth_engine(ctx);
	int r;

	if (!e)
		return -EIO;
	if ((r = volume_list(e, &l, err)) < 0)
		return r;
	for (size_t i = 0; i < l.n; i++) {
		uint64_t size = tree_size(AT_FDCWD, l.v[i].mountpoint);

		row->total++;
		row->size += size;
		if (strv_contains(used, l.v[i].name))
			row->active++;
		else
			row->reclaimable += size;
	}
	return 0;
}

/* docker's row: every entry counted, none active, all of it reclaimable. */
static int cache_usage(struct berth_ctx *ctx, struct du_row *row, struct berr **err)
{
	struct image_store *s = berth_store(ctx);
	size_t n = 0;
	int r;

	if (!s)
		return berr_set(err, EIO, "cannot open the image store");
	r = build_cache_usage(s, &n, &row->size, err);
	row->total = (int64_t) n;
	row->reclaimable = row->size;
	return r;
}

#define DF_TABLE "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}"

static int add_row(struct table *t, const struct du_row *row, struct berr **err)
{
	_cleanup_jw_ struct jwriter *w = jw_object();
	_cleanup_free_ char *text = NULL;
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	char num[2][32], size[32], rec[32], recp[64];
	struct jnode root;
	int r;

	snprintf(num[0], sizeof(num[0]), "%lld", (long long) row->total);
	snprintf(num[1], sizeof(num[1]), "%lld", (long long) row->active);
	human_size(row->size, size, sizeof(size));
	human_size(row->reclaimable, rec, sizeof(rec));
	if (row->percent && row->size > 0)
		snprintf(recp, sizeof(recp), "%s (%d%%)", rec,
			 (int) (100 * row->reclaimable / row->size));
	else
		snprintf(recp, sizeof(recp), "%s", rec);
	jw_str(w, "Type", row->type);
	jw_str(w, "TotalCount", num[0]);
	jw_str(w, "Active", num[1]);
	jw_str(w, "Size", size);
	jw_str(w, "Reclaimable", recp);
	if (!(text = jw_to_string(w, false)))
		return berr_set(err, ENOMEM, "out of memory");
	if ((r = jdoc_parse(text, strlen(text), "row", &doc, err)) < 0)
		return r;
	jdoc_root(doc, &root);
	return table_add(t, &root, err);
}

static int print_rows(const struct du_row *rows, size_t n, const char *format, struct berr **err)
{
	static const char *const cols[] = {"Type",	  "TYPE",	 "TotalCount", "TOTAL",
					   "Active",	  "ACTIVE",	 "Size",       "SIZE",
					   "Reclaimable", "RECLAIMABLE", NULL};
	struct table *t = NULL;
	int r;

	if ((r = table_new(format ? format : DF_TABLE, cols, &t, err)) < 0)
		return r;
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = add_row(t, &rows[i], err);
	if (r < 0) {
		table_free(t);
		return r;
	}
	table_print(t, stdout);
	return 0;
}

int berth_cmd_system_df(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL, **used_images = NULL, **used_volumes = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	const char *format = NULL;
	const struct opt_def defs[] = {
		{"format", 0, OPT_STRING, &format, "TEMPLATE", "Go-template-like format"},
		END_OPTS,
	};
	struct du_row rows[] = {
		{.type = "Images", .percent = true},
		{.type = "Containers", .percent = true},
		{.type = "Local Volumes", .percent = true},
		{.type = "Build Cache"},
	};
	int r;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "[--format TEMPLATE]", 0, 0, &pos));
	if ((r = containers_usage(ctx, &rows[1], &used_images, &used_volumes)) < 0)
		return berth_report(berr_sys(&err, -r, "cannot read the containers"), &err);
	if ((r = images_usage(ctx, used_images, &rows[0], &err)) < 0 ||
	    (r = volumes_usage(ctx, used_volumes, &rows[2], &err)) < 0 ||
	    (r = cache_usage(ctx, &rows[3], &err)) < 0)
		return berth_report(r, &err);
	if ((r = print_rows(rows, sizeof(rows) / sizeof(rows[0]), format, &err)) < 0)
		return berth_report(r, &err);
	return 0;
}

int berth_cmd_system_prune(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL, **report = NULL, **names = NULL, **nets = NULL,
			    **report_cache = NULL;
	_cleanup_(volume_filter_done) struct volume_filter vf = {.dangling = -1};
	_cleanup_berr_ struct berr *err = NULL;
	bool all = false, force = false, volumes = false;
	const struct opt_def defs[] = {
		{"all", 'a', OPT_BOOL, &all, NULL,
		 "remove all unused images, not only dangling ones"},
		{"force", 'f', OPT_BOOL, &force, NULL, "do not prompt for confirmation"},
		{"volumes", 0, OPT_BOOL, &volumes, NULL, "prune volumes too"},
		END_OPTS,
	};
	uint64_t bytes = 0, freed = 0;
	struct image_store *s;
	struct engine *e;
	char size[32];
	int code = 0, r;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "[-a] [-f] [--volumes]", 0, 0, &pos));
	if (!force) {
		char msg[512];

		snprintf(msg, sizeof(msg),
			 "This will remove:\n  - all stopped containers\n  - all networks not used "
			 "by at least one container\n%s  - all %s\n  - all %sbuild cache\n",
			 volumes ? "  - all volumes not used by at least one container\n" : "",
			 all ? "images without at least one container associated to them"
			     : "dangling images",
			 all ? "" : "dangling ");
		if (!berth_confirm(msg)) {
			printf("Total reclaimed space: 0B\n");
			return 0;
		}
	}
	if (!(e = berth_engine(ctx)) || !(s = berth_store(ctx)))
		return 1;
	code = berth_prune_containers(ctx, &bytes);
	if (berth_prune_networks(ctx, &nets) != 0)
		code = 1;
	if (nets) {
		printf("Deleted Networks:\n");
		STRV_FOREACH (n, nets)
			printf("%s\n", *n);
		printf("\n");
	}
	if (volumes) {
		r = volume_prune(e, &vf, &names, &freed, &err);
		if (names) {
			printf("Deleted Volumes:\n");
			STRV_FOREACH (n, names)
				printf("%s\n", *n);
			printf("\n");
		}
		bytes += freed;
		if (r < 0)
			code = (berth_report(r, &err), 1);
	}
	freed = 0;
	berr_clear(&err);
	if ((r = image_prune(s, all, &report, &freed, &err)) < 0)
		code = (berth_report(r, &err), 1);
	if (report) {
		printf("Deleted Images:\n");
		STRV_FOREACH (l, report)
			printf("%s\n", *l);
		printf("\n");
		image_events_removed(ctx->root, NULL, report);
	}
	bytes += freed;
	freed = 0;
	berr_clear(&err);
	if ((r = build_cache_prune(s, all, &report_cache, &freed, &err)) < 0)
		code = (berth_report(r, &err), 1);
	if (report_cache && report_cache[0]) {
		printf("Deleted build cache objects:\n");
		STRV_FOREACH (k, report_cache)
			printf("%.25s\n", *k);
		printf("\n");
	}
	bytes += freed;
	printf("Total reclaimed space: %s\n", human_size(bytes, size, sizeof(size)));
	return code;
}
