/* SPDX-License-Identifier: Apache-2.0 */
/* berth diff, stats and container prune. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/berth_cmds.h"
#include "cli/berth_container.h"
#include "cli/format.h"
#include "engine/container_diff.h"
#include "image/snapshot.h"
#include "engine/container_ops.h"
#include "engine/container_prune.h"
#include "engine/container_runtime.h"
#include "engine/container_stats.h"
#include "lib/timefmt.h"
#include "engine/units.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/strv.h"

#define STATS_SAMPLE_NS 500000000LL

int berth_cmd_diff(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL, **lines = NULL;
	_cleanup_free_ char *id = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	const struct opt_def defs[] = {END_OPTS};
	struct image_store *s;
	struct engine *e;
	int r;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "CONTAINER", 1, 1, &pos));
	if (!(e = berth_engine(ctx)) || !(s = berth_store(ctx)))
		return 1;
	if ((r = container_resolve(e, pos[0], &id, &err)) < 0 ||
	    (r = container_diff(s, id, &lines, &err)) < 0)
		return berth_report(r, &err);
	STRV_FOREACH (l, lines)
		printf("%s\n", *l);
	return 0;
}

int berth_prune_containers(struct berth_ctx *ctx, const struct prune_filter *f, uint64_t *bytes)
{
	_cleanup_strv_ char **ids = NULL, **errors = NULL;
	struct image_store *s;
	struct engine *e;

	if (!(e = berth_engine(ctx)) || !(s = berth_store(ctx)))
		return 1;
	if (container_prune(e, s, f, &ids, bytes, &errors) < 0)
		return 1;
	STRV_FOREACH (msg, errors)
		log_error_report("%s", *msg);
	STRV_FOREACH (id, ids)
		printf("%s%s\n", id == ids ? "Deleted Containers:\n" : "", *id);
	if (ids && *ids)
		printf("\n");
	return errors && *errors ? 1 : 0;
}

int berth_cmd_prune(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL, **filters = NULL;
	_cleanup_(container_prune_filter_done) struct prune_filter pf = {0};
	_cleanup_berr_ struct berr *err = NULL;
	bool force = false;
	const struct opt_def defs[] = {
		{"force", 'f', OPT_BOOL, &force, NULL, "do not prompt for confirmation"},
		{"filter", 0, OPT_LIST, &filters, "K=V", "until=, label=, label!="},
		END_OPTS,
	};
	uint64_t bytes = 0;
	char size[32];
	int code;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "[options]", 0, 0, &pos));
	/* docker: the daemon refuses a filter it does not know (exit 1) */
	if (container_prune_filter_parse(filters, &pf, &err) < 0) {
		berth_report(-EINVAL, &err);
		return 1;
	}
	if (!force && !berth_confirm("This will remove all stopped containers.")) {
		printf("Total reclaimed space: 0B\n");
		return 0;
	}
	code = berth_prune_containers(ctx, &pf, &bytes);
	printf("Total reclaimed space: %s\n", human_size(bytes, size, sizeof(size)));
	return code;
}

struct sample {
	char id[13];
	char *name;
	struct container_stats st;
	int64_t at_ns;
	bool ok;
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static bool take(struct engine *e, const char *ref, struct sample *out)
{
	_cleanup_container_ struct container *c = NULL;
	int r;

	if (container_open(e, ref, false, &c, NULL) < 0 || c->st.status != STATUS_RUNNING)
		return false;
	snprintf(out->id, sizeof(out->id), "%.12s", c->cfg->id);
	if (!out->name)
		out->name = strdup(c->cfg->name);
	r = container_stats_read(e, c, &out->st, NULL);
	out->at_ns = mono_ns();
	return r >= 0;
}

#define STATS_TEMPLATE                                                                             \
	"table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t"        \
	"{{.BlockIO}}\t{{.PIDs}}"

static const char *const stats_headers[] = {
	"ID",	     "CONTAINER ID", "Container", "CONTAINER", "Name",
	"NAME",	     "CPUPerc",	     "CPU %",	  "MemUsage",  "MEM USAGE / LIMIT",
	"MemPerc",   "MEM %",	     "NetIO",	  "NET I/O",   "BlockIO",
	"BLOCK I/O", "PIDs",	     "PIDS",	  NULL,
};

/* One row of docker stats (memory in binary units, IO in decimal ones, as docker's). */
static int add_row(struct table *t, const char *ref, const struct sample *a, const struct sample *b,
		   struct berr **err)
{
	char use[32], lim[32], rd[32], wr[32], col[80], pids[32];
	_cleanup_jw_ struct jwriter *w = jw_object();
	_cleanup_free_ char *text = NULL;
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	int64_t dt = b->at_ns - a->at_ns;
	double cpu = 0, mem = 0;
	struct jnode root;
	int r;

	if (dt > 0 && b->st.cpu_ns >= a->st.cpu_ns)
		cpu = 100.0 * (double) (b->st.cpu_ns - a->st.cpu_ns) / (double) dt;
	if (b->st.mem_limit)
		mem = 100.0 * (double) b->st.mem_usage / (double) b->st.mem_limit;
	jw_str(w, "ID", b->id);
	jw_str(w, "Container", ref);
	jw_str(w, "Name", b->name ? b->name : "");
	snprintf(col, sizeof(col), "%.2f%%", cpu);
	jw_str(w, "CPUPerc", col);
	snprintf(col, sizeof(col), "%s / %s", bytes_size(b->st.mem_usage, use, sizeof(use)),
		 bytes_size(b->st.mem_limit, lim, sizeof(lim)));
	jw_str(w, "MemUsage", col);
	snprintf(col, sizeof(col), "%.2f%%", mem);
	jw_str(w, "MemPerc", col);
	jw_str(w, "NetIO", "0B / 0B");
	snprintf(col, sizeof(col), "%s / %s",
		 human_size_precision(b->st.blk_read, 3, rd, sizeof(rd)),
		 human_size_precision(b->st.blk_write, 3, wr, sizeof(wr)));
	jw_str(w, "BlockIO", col);
	snprintf(pids, sizeof(pids), "%llu", (unsigned long long) b->st.pids);
	jw_str(w, "PIDs", pids);
	if (!(text = jw_to_string(w, false)))
		return berr_set(err, ENOMEM, "out of memory");
	if ((r = jdoc_parse(text, strlen(text), "stats", &doc, err)) < 0)
		return r;
	jdoc_root(doc, &root);
	return table_add(t, &root, err);
}

/* One screen of stats: on a terminal it replaces the last one, as docker's does. */
static int print_stats(char *const *refs, const struct sample *a, const struct sample *b, size_t n,
		       const char *format, bool redraw, struct berr **err)
{
	struct table *t = NULL;
	int r = table_new(format ? format : STATS_TEMPLATE, stats_headers, &t, err);

	for (size_t i = 0; r >= 0 && i < n; i++)
		if (b[i].ok)
			r = add_row(t, refs[i], &a[i], &b[i], err);
	if (r < 0) {
		table_free(t);
		return r;
	}
	if (redraw)
		printf("\033[2J\033[H");
	table_print(t, stdout);
	fflush(stdout);
	return 0;
}

int berth_cmd_stats(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL, **refs = NULL;
	bool no_stream = false, all = false;
	const char *format = NULL;
	const struct opt_def defs[] = {
		{"no-stream", 0, OPT_BOOL, &no_stream, NULL, "print one sample and exit"},
		{"all", 'a', OPT_BOOL, &all, NULL, "every container (default: running)"},
		{"format", 0, OPT_STRING, &format, "TEMPLATE", "Go template (see README)"},
		END_OPTS,
	};
	_cleanup_berr_ struct berr *err = NULL;
	struct sample *a = NULL, *b = NULL;
	bool redraw;
	struct engine *e;
	size_t n;
	int r = 0;

	BERTH_PARSE_OR_RETURN(
		berth_parse(argc, argv, defs, "[options] [CONTAINER...]", 0, 1024, &pos));
	if (!(e = berth_engine(ctx)))
		return 1;
	if (pos)
		refs = TAKE_PTR(pos);
	else if (container_list_ids(e, &refs) < 0)
		return 1;
	n = strv_length(refs);
	a = calloc(n + 1, sizeof(*a));
	b = calloc(n + 1, sizeof(*b));
	if (!a || !b)
		return 1;
	redraw = !no_stream && isatty(STDOUT_FILENO);
	do {
		for (size_t i = 0; i < n; i++)
			a[i].ok = take(e, refs[i], &a[i]);
		usleep(STATS_SAMPLE_NS / 1000);
		for (size_t i = 0; i < n; i++)
			b[i].ok = a[i].ok && take(e, refs[i], &b[i]);
		r = print_stats(refs, a, b, n, format, redraw, &err);
	} while (!no_stream && r >= 0);
	for (size_t i = 0; i < n; i++) {
		free(a[i].name);
		free(b[i].name);
	}
	free(a);
	free(b);
	return berth_report(r, &err);
}
