/* SPDX-License-Identifier: Apache-2.0 */
/* berth rename and berth update (docker 20.10's). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/berth_cmds.h"
#include "cli/berth_container.h"
#include "engine/container_update.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/strv.h"

int berth_cmd_rename(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	const struct opt_def defs[] = {END_OPTS};
	struct engine *e;
	int r;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "CONTAINER NEW_NAME", 2, 2, &pos));
	if (!*pos[0] || !*pos[1]) {
		log_error_report("Error: Neither old nor new names may be empty");
		return 1;
	}
	if (!(e = berth_engine(ctx)))
		return 1;
	if ((r = container_open(e, pos[0], true, &c, &err)) >= 0)
		r = container_rename(e, c, pos[1], &err);
	if (r < 0) {
		log_error_report("%s", err ? err->msg : strerror(-r));
		log_error_report("Error: failed to rename container named %s", pos[0]);
		return 1;
	}
	return 0;
}

static int op_update(struct berth_ctx *ctx, struct container *c, void *arg, struct berr **err)
{
	_cleanup_strv_ char **warnings = NULL;
	int r = container_update(ctx->engine, c, arg, &warnings, err);

	STRV_FOREACH (w, warnings)
		fprintf(stderr, "WARNING: %s\n", *w);
	return r;
}

int berth_cmd_update(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	struct container_flags f = {0};
	struct container_update u;
	const struct opt_def defs[] = {
		{"memory", 'm', OPT_STRING, &f.memory, "BYTES", "memory limit"},
		{"memory-swap", 0, OPT_STRING, &f.memory_swap, "BYTES",
		 "memory plus swap limit (-1: unlimited)"},
		{"memory-reservation", 0, OPT_STRING, &f.memory_reservation, "BYTES",
		 "memory soft limit"},
		{"cpus", 0, OPT_STRING, &f.cpus, "N", "number of CPUs"},
		{"cpu-shares", 'c', OPT_STRING, &f.cpu_shares, "N", "CPU shares"},
		{"cpu-period", 0, OPT_STRING, &f.cpu_period, "US", "CFS period"},
		{"cpu-quota", 0, OPT_STRING, &f.cpu_quota, "US", "CFS quota"},
		{"cpuset-cpus", 0, OPT_STRING, &f.cpuset_cpus, "LIST", "CPUs allowed"},
		{"cpuset-mems", 0, OPT_STRING, &f.cpuset_mems, "LIST", "memory nodes allowed"},
		{"pids-limit", 0, OPT_STRING, &f.pids_limit, "N", "pids limit (0, -1: unlimited)"},
		{"blkio-weight", 0, OPT_STRING, &f.blkio_weight, "N", "block IO weight, 10-1000"},
		{"restart", 0, OPT_STRING, &f.restart, "POLICY",
		 "no, on-failure[:N], always, unless-stopped"},
		BANDWIDTH_OPTS(f),
		END_OPTS,
	};

	BERTH_PARSE_OR_RETURN(
		berth_parse(argc, argv, defs, "[options] CONTAINER [CONTAINER...]", 1, 1024, &pos));
	/* docker's CLI: 125 for a flag it cannot parse, 1 for what the daemon refuses */
	if (container_update_parse(&f, &u, &err) < 0) {
		int code = err && !strncmp(err->msg, "invalid argument", 16) ? 125 : 1;

		berth_report(-EINVAL, &err);
		return code;
	}
	return berth_each_container(ctx, pos, op_update, &u, true, false);
}
