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
#include "cli/container_json.h"
#include "cli/format.h"
#include "cli/image_events.h"
#include "engine/container_ops.h"
#include "engine/container_runtime.h"
#include "lib/timefmt.h"
#include "engine/volume.h"
#include "image/image_ops.h"
#include "image/reference.h"
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
		/* once per container: system df -v counts them */
		if (c->cfg->image_id && strv_push_dup(used_images, c->cfg->image_id) < 0)
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

/* One table row from a JSON object w (consumed). */
static int table_row(struct table *t, struct jwriter *w, struct berr **err)
{
	_cleanup_free_ char *text = jw_to_string(w, false);
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	struct jnode root;
	int r;

	jw_free(w);
	if (!text)
		return berr_set(err, ENOMEM, "out of memory");
	if ((r = jdoc_parse(text, strlen(text), "row", &doc, err)) < 0)
		return r;
	jdoc_root(doc, &root);
	return table_add(t, &root, err);
}

static long long ago_s(const char *rfc3339)
{
	int64_t t;

	return rfc3339 && rfc3339_parse_ns(rfc3339, &t) >= 0 ? (now_ns() - t) / 1000000000LL : 0;
}

/* docker system df -v: "Images space usage:" */
static int verbose_images(struct berth_ctx *ctx, char *const *container_images, struct berr **err)
{
	static const char *const cols[] = {"Repository",   "REPOSITORY",  "Tag",
					   "TAG",	   "ID",	  "IMAGE ID",
					   "CreatedSince", "CREATED",	  "Size",
					   "SIZE",	   "SharedSize",  "SHARED SIZE",
					   "UniqueSize",   "UNIQUE SIZE", "Containers",
					   "CONTAINERS",   NULL};
	_cleanup_(image_list_freep) struct image_list *l = NULL;
	struct image_store *s = berth_store(ctx);
	struct table *t = NULL;
	int r;

	if (!s)
		return berr_set(err, EIO, "cannot open the image store");
	if ((r = image_list_load(s, &l, err)) < 0 ||
	    (r = table_new("table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
			   "\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}",
			   cols, &t, err)) < 0)
		return r;
	for (size_t i = 0; r >= 0 && i < l->n; i++) {
		_cleanup_image_ struct image *img = NULL;
		struct jwriter *w;
		uint64_t size = 0, shared = 0;
		char b[4][32], id[16], *repo, *tag;
		int users = 0;

		if (image_load(s, &l->v[i], &img, NULL) < 0)
			continue;
		for (size_t k = 0; k < img->config->n_diff_ids; k++) {
			uint64_t n = image_layer_size(s, img->config->diff_ids[k]);

			size += n;
			if (image_layer_users(s, l, img->config->diff_ids[k]) > 1)
				shared += n;
		}
		STRV_FOREACH (c, container_images)
			users += !strcmp(*c, l->v[i].id);
		_cleanup_free_ char *name = strdup(l->v[i].names && l->v[i].names[0]
							   ? image_ref_familiar(l->v[i].names[0])
							   : "<none>:<none>");
		if (!name)
			return berr_set(err, ENOMEM, "out of memory");
		repo = name;
		tag = strrchr(name, ':');
		if (tag && !strchr(tag, '/'))
			*tag++ = '\0';
		else
			tag = "<none>";
		snprintf(id, sizeof(id), "%.12s",
			 strncmp(l->v[i].id, "sha256:", 7) ? l->v[i].id : l->v[i].id + 7);
		snprintf(b[3], sizeof(b[3]), "%d", users);
		w = jw_object();
		jw_str(w, "Repository", repo);
		jw_str(w, "Tag", tag);
		jw_str(w, "ID", id);
		jw_str(w, "CreatedSince",
		       human_ago(ago_s(img->config->created), b[0], sizeof(b[0])));
		jw_str(w, "Size", human_size(size, b[1], sizeof(b[1])));
		jw_str(w, "SharedSize", human_size(shared, b[2], sizeof(b[2])));
		{
			char u[32];

			jw_str(w, "UniqueSize", human_size(size - shared, u, sizeof(u)));
		}
		jw_str(w, "Containers", b[3]);
		r = table_row(t, w, err);
	}
	if (r < 0) {
		table_free(t);
		return r;
	}
	printf("Images space usage:\n\n");
	table_print(t, stdout);
	return 0;
}

/* "Containers space usage:" */
static int verbose_containers(struct berth_ctx *ctx, struct berr **err)
{
	static const char *const cols[] = {
		"ID",		"CONTAINER ID",	 "Image", "IMAGE", "Command",	 "COMMAND",
		"LocalVolumes", "LOCAL VOLUMES", "Size",  "SIZE",  "RunningFor", "CREATED",
		"Status",	"STATUS",	 "Names", "NAMES", NULL};
	_cleanup_strv_ char **ids = NULL;
	struct image_store *s = berth_store(ctx);
	struct engine *e = berth_engine(ctx);
	struct table *t = NULL;
	int r;

	if (!s || !e || container_list_ids(e, &ids) < 0)
		return berr_set(err, EIO, "cannot read the containers");
	if ((r = table_new("table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}"
			   "\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}",
			   cols, &t, err)) < 0)
		return r;
	STRV_FOREACH (id, ids) {
		_cleanup_container_ struct container *c = NULL;
		_cleanup_free_ char *status = NULL, *cmd = NULL;
		char b[3][32], cid[16];
		int vols = 0;
		struct jwriter *w;

		if (container_load_any(e, *id, false, &c, NULL) < 0 || !c->cfg)
			continue;
		(void) container_refresh(e, c, NULL);
		for (size_t i = 0; i < c->cfg->n_mounts; i++)
			vols += c->cfg->mounts[i].kind == MOUNT_VOLUME;
		status = container_status_text(c);
		cmd = container_command_text(c, false);
		snprintf(cid, sizeof(cid), "%.12s", c->cfg->id);
		snprintf(b[0], sizeof(b[0]), "%d", vols);
		w = jw_object();
		jw_str(w, "ID", cid);
		jw_str(w, "Image", c->cfg->image);
		jw_str(w, "Command", cmd ? cmd : "");
		jw_str(w, "LocalVolumes", b[0]);
		jw_str(w, "Size", human_size(image_snapshot_size(s, *id), b[1], sizeof(b[1])));
		jw_str(w, "RunningFor", human_ago(ago_s(c->cfg->created), b[2], sizeof(b[2])));
		jw_str(w, "Status", status ? status : "");
		jw_str(w, "Names", c->cfg->name);
		if ((r = table_row(t, w, err)) < 0) {
			table_free(t);
			return r;
		}
	}
	printf("\nContainers space usage:\n\n");
	table_print(t, stdout);
	return 0;
}

/* "Local Volumes space usage:" */
static int verbose_volumes(struct berth_ctx *ctx, char *const *used, struct berr **err)
{
	static const char *const cols[] = {"Name", "VOLUME NAME", "Links", "LINKS",
					   "Size", "SIZE",	  NULL};
	_cleanup_(volume_list_done) struct volume_list l = {0};
	struct engine *e = berth_engine(ctx);
	struct table *t = NULL;
	int r;

	if (!e)
		return berr_set(err, EIO, "cannot open the engine");
	if ((r = volume_list(e, &l, err)) < 0 ||
	    (r = table_new("table {{.Name}}\t{{.Links}}\t{{.Size}}", cols, &t, err)) < 0)
		return r;
	for (size_t i = 0; i < l.n; i++) {
		char links[32], size[32];
		int n = 0;
		struct jwriter *w = jw_object();

		STRV_FOREACH (u, used)
			n += !strcmp(*u, l.v[i].name);
		snprintf(links, sizeof(links), "%d", n);
		jw_str(w, "Name", l.v[i].name);
		jw_str(w, "Links", links);
		jw_str(w, "Size",
		       human_size(tree_size(AT_FDCWD, l.v[i].mountpoint), size, sizeof(size)));
		if ((r = table_row(t, w, err)) < 0) {
			table_free(t);
			return r;
		}
	}
	printf("\nLocal Volumes space usage:\n\n");
	table_print(t, stdout);
	return 0;
}

int berth_cmd_system_df(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL, **used_images = NULL, **used_volumes = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	const char *format = NULL;
	bool verbose = false;
	const struct opt_def defs[] = {
		{"format", 0, OPT_STRING, &format, "TEMPLATE", "Go-template-like format"},
		{"verbose", 'v', OPT_BOOL, &verbose, NULL, "show each image, container and volume"},
		END_OPTS,
	};
	struct du_row rows[] = {
		{.type = "Images", .percent = true},
		{.type = "Containers", .percent = true},
		{.type = "Local Volumes", .percent = true},
		{.type = "Build Cache"},
	};
	int r;

	BERTH_PARSE_OR_RETURN(
		berth_parse(argc, argv, defs, "[-v] [--format TEMPLATE]", 0, 0, &pos));
	if ((r = containers_usage(ctx, &rows[1], &used_images, &used_volumes)) < 0)
		return berth_report(berr_sys(&err, -r, "cannot read the containers"), &err);
	if ((r = images_usage(ctx, used_images, &rows[0], &err)) < 0 ||
	    (r = volumes_usage(ctx, used_volumes, &rows[2], &err)) < 0 ||
	    (r = cache_usage(ctx, &rows[3], &err)) < 0)
		return berth_report(r, &err);
	if (verbose) {
		char size[32];

		if ((r = verbose_images(ctx, used_images, &err)) < 0 ||
		    (r = verbose_containers(ctx, &err)) < 0 ||
		    (r = verbose_volumes(ctx, used_volumes, &err)) < 0)
			return berth_report(r, &err);
		printf("\nBuild cache usage: %s\n", human_size(rows[3].size, size, sizeof(size)));
		return 0;
	}
	if ((r = print_rows(rows, sizeof(rows) / sizeof(rows[0]), format, &err)) < 0)
		return berth_report(r, &err);
	return 0;
}

int berth_cmd_system_prune(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL, **report = NULL, **names = NULL, **nets = NULL,
			    **report_cache = NULL;
	_cleanup_(volume_filter_done) struct volume_filter vf = {.dangling = -1};
	_cleanup_(container_prune_filter_done) struct prune_filter pf = {0};
	_cleanup_strv_ char **filters = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	struct image_prune_filter imf;
	bool all = false, force = false, volumes = false;
	const struct opt_def defs[] = {
		{"filter", 0, OPT_LIST, &filters, "K=V", "until=, label=, label!="},
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

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs,
					  "[-a] [-f] [--volumes] [--filter K=V]...", 0, 0, &pos));
	if (container_prune_filter_parse(filters, &pf, &err) < 0) {
		berth_report(-EINVAL, &err);
		return 1;
	}
	/* volumes take the label filters (docker's volume prune has no until) */
	vf.labels = strv_copy(pf.labels);
	vf.not_labels = strv_copy(pf.not_labels);
	imf = (struct image_prune_filter){
		.until_ns = pf.until_ns, .labels = pf.labels, .not_labels = pf.not_labels};
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
	code = berth_prune_containers(ctx, &pf, &bytes);
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
	if ((r = image_prune(s, all, &imf, &report, &freed, &err)) < 0)
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
