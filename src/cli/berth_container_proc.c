/* SPDX-License-Identifier: Apache-2.0 */
/* berth ns and top: a running container's namespaces and processes, seen from the host. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/berth_cmds.h"
#include "cli/berth_container.h"
#include "engine/container_ops.h"
#include "engine/container_runtime.h"
#include "engine/container_top.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/log.h"
#include "lib/strv.h"

static const char *const ns_types[] = {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"};

/* An open, running container (lock dropped); 1 on error (reported). */
static int open_running(struct berth_ctx *ctx, const char *ref, struct container **ret)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	struct engine *e = berth_engine(ctx);
	int r;

	if (!e)
		return 1;
	if ((r = container_open(e, ref, true, &c, &err)) < 0)
		return berth_report(r, &err);
	(void) container_refresh(e, c, NULL);
	container_unlock(c);
	if (c->st.status != STATUS_RUNNING && c->st.status != STATUS_PAUSED) {
		log_error_report("container %s is not running", c->cfg->id);
		return 1;
	}
	*ret = TAKE_PTR(c);
	return 0;
}

int berth_cmd_ns(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	_cleanup_container_ struct container *c = NULL;
	bool json = false;
	const struct opt_def defs[] = {
		{"json", 0, OPT_BOOL, &json, NULL, "print JSON"},
		END_OPTS,
	};

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "[options] CONTAINER", 1, 1, &pos));
	if (open_running(ctx, pos[0], &c))
		return 1;
	if (json)
		printf("[");
	else
		printf("%-7s %-11s %-8s %s\n", "TYPE", "NS", "PID", "SHARED WITH HOST");
	for (size_t i = 0; i < ELEMENTSOF(ns_types); i++) {
		char path[64], host[64];
		struct stat st, hst;
		bool shared;

		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int) c->st.pid, ns_types[i]);
		snprintf(host, sizeof(host), "/proc/self/ns/%s", ns_types[i]);
		if (stat(path, &st) < 0)
			continue;
		shared =
			stat(host, &hst) == 0 && hst.st_ino == st.st_ino && hst.st_dev == st.st_dev;
		if (json)
			printf("%s{\"type\":\"%s\",\"ns\":%llu,\"pid\":%d,\"shared\":%s}",
			       i ? "," : "", ns_types[i], (unsigned long long) st.st_ino,
			       (int) c->st.pid, shared ? "true" : "false");
		else
			printf("%-7s %-11llu %-8d %s\n", ns_types[i],
			       (unsigned long long) st.st_ino, (int) c->st.pid,
			       shared ? "yes" : "no");
	}
	if (json)
		printf("]\n");
	return 0;
}

int berth_cmd_top(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **lines = NULL;
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	int r;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("Usage: berth top CONTAINER [ps OPTIONS]\n");
		return 0;
	}
	if (argc < 2) {
		log_error_report("\"berth top\" requires at least 1 argument");
		return 125;
	}
	if (open_running(ctx, argv[1], &c))
		return 1;
	if ((r = container_top(ctx->engine, c, argv + 2, &lines, &err)) < 0)
		return berth_report(r, &err);
	STRV_FOREACH (l, lines)
		printf("%s\n", *l);
	return 0;
}
