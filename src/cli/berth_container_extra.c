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
#include "engine/container_runtime.h"
#include "engine/container_stats.h"
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

int berth_cmd_prune(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL, **ids = NULL;
	bool force = false;
	const struct opt_def defs[] = {
		{"force", 'f', OPT_BOOL, &force, NULL, "do not prompt for confirmation"},
		END_OPTS,
	};
	struct image_store *s;
	struct engine *e;
	int code = 0, n = 0;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "[options]", 0, 0, &pos));
	if (!force && !berth_confirm("This will remove all stopped containers.")) {
		printf("Total reclaimed space: 0B\n");
		return 0;
	}
	if (!(e = berth_engine(ctx)) || !(s = berth_store(ctx)))
		return 1;
	if (container_list_ids(e, &ids) < 0)
		return 1;
	STRV_FOREACH (id, ids) {
		_cleanup_container_ struct container *c = NULL;
		_cleanup_berr_ struct berr *err = NULL;

		if (container_load(e, *id, true, &c, NULL) < 0)
			continue;
		(void) container_refresh(e, c, NULL);
		if (container_active(c))
			continue;
		if (container_remove(e, s, c, false, false, &err) < 0) {
			log_error_report("%s", err ? err->msg : "cannot remove");
			code = 1;
			continue;
		}
		printf("%s%s\n", n++ == 0 ? "Deleted Containers:\n" : "", *id);
	}
	printf("%sTotal reclaimed space: 0B\n", n > 0 ? "\n" : "");
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
	_cleanup_free_ char *json = NULL;
	struct container_rt rt;
	int r;

	if (container_open(e, ref, false, &c, NULL) < 0 || c->st.status != STATUS_RUNNING)
		return false;
	snprintf(out->id, sizeof(out->id), "%.12s", c->cfg->id);
	if (!out->name)
		out->name = strdup(c->cfg->name);
	if (container_rt_init(e, c, &rt) < 0)
		return false;
	r = runtime_stats(&rt.rt, c->cfg->id, &json, NULL);
	container_rt_done(&rt);
	out->at_ns = mono_ns();
	return r >= 0 && container_stats_parse(json, &out->st, NULL) >= 0;
}

static void print_row(const struct sample *a, const struct sample *b)
{
	char use[32], lim[32], rd[32], wr[32], mem_col[80], blk_col[80], cpu_col[16], pct_col[16];
	double cpu = 0, mem = 0;
	int64_t dt = b->at_ns - a->at_ns;

	if (dt > 0 && b->st.cpu_ns >= a->st.cpu_ns)
		cpu = 100.0 * (double) (b->st.cpu_ns - a->st.cpu_ns) / (double) dt;
	if (b->st.mem_limit)
		mem = 100.0 * (double) b->st.mem_usage / (double) b->st.mem_limit;
	snprintf(mem_col, sizeof(mem_col), "%s / %s", human_size(b->st.mem_usage, use, sizeof(use)),
		 human_size(b->st.mem_limit, lim, sizeof(lim)));
	snprintf(blk_col, sizeof(blk_col), "%s / %s", human_size(b->st.blk_read, rd, sizeof(rd)),
		 human_size(b->st.blk_write, wr, sizeof(wr)));
	snprintf(cpu_col, sizeof(cpu_col), "%.2f%%", cpu);
	snprintf(pct_col, sizeof(pct_col), "%.2f%%", mem);
	printf("%-14s %-20s %-8s %-21s %-7s %-11s %-17s %llu\n", b->id, b->name ? b->name : "",
	       cpu_col, mem_col, pct_col, "0B / 0B", blk_col, (unsigned long long) b->st.pids);
}

int berth_cmd_stats(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL, **refs = NULL;
	bool no_stream = false, all = false;
	const struct opt_def defs[] = {
		{"no-stream", 0, OPT_BOOL, &no_stream, NULL, "print one sample and exit"},
		{"all", 'a', OPT_BOOL, &all, NULL, "every container (default: running)"},
		END_OPTS,
	};
	struct sample *a = NULL, *b = NULL;
	struct engine *e;
	size_t n;

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
	do {
		for (size_t i = 0; i < n; i++)
			a[i].ok = take(e, refs[i], &a[i]);
		usleep(STATS_SAMPLE_NS / 1000);
		for (size_t i = 0; i < n; i++)
			b[i].ok = a[i].ok && take(e, refs[i], &b[i]);
		printf("%-14s %-20s %-8s %-21s %-7s %-11s %-17s %s\n", "CONTAINER ID", "NAME",
		       "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS");
		for (size_t i = 0; i < n; i++)
			if (b[i].ok)
				print_row(&a[i], &b[i]);
		fflush(stdout);
	} while (!no_stream);
	for (size_t i = 0; i < n; i++) {
		free(a[i].name);
		free(b[i].name);
	}
	free(a);
	free(b);
	return 0;
}
