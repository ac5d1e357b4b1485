/* SPDX-License-Identifier: Apache-2.0 */
/* berth ns and top: a running container's namespaces and processes, seen from the host. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/berth_cmds.h"
#include "cli/berth_container.h"
#include "engine/container_ops.h"
#include "engine/container_runtime.h"
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

/* The PID column's index in ps's header line, or -1. */
static int pid_column(const char *header)
{
	_cleanup_strv_ char **cols = strv_split(header, " ");
	int i = 0;

	STRV_FOREACH (col, cols) {
		if (!**col)
			continue;
		if (strcmp(*col, "PID") == 0)
			return i;
		i++;
	}
	return -1;
}

static bool line_has_pid(const char *line, int col, const pid_t *pids, size_t n)
{
	_cleanup_strv_ char **cols = strv_split(line, " ");
	int i = 0;

	STRV_FOREACH (f, cols) {
		if (!**f)
			continue;
		if (i++ != col)
			continue;
		for (size_t k = 0; k < n; k++)
			if (atoi(*f) == pids[k])
				return true;
		return false;
	}
	return false;
}

/* docker top: ps on the host (default -ef), its lines for the container's pids. */
static int run_ps(char *const *ps_args, char **ret)
{
	_cleanup_strv_ char **argv = NULL;
	int p[2], status;
	pid_t pid;
	posix_spawn_file_actions_t fa;
	extern char **environ;
	size_t len;
	int r;

	if (strv_push_dup(&argv, "ps") < 0)
		return -ENOMEM;
	if (!ps_args || !*ps_args) {
		if (strv_push_dup(&argv, "-ef") < 0)
			return -ENOMEM;
	} else
		STRV_FOREACH (a, ps_args)
			if (strv_push_dup(&argv, *a) < 0)
				return -ENOMEM;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	r = posix_spawnp(&pid, "ps", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (r != 0) {
		close(p[0]);
		return -r;
	}
	r = read_fd_all(p[0], 16 << 20, ret, &len);
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return r;
}

int berth_cmd_top(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL, **lines = NULL;
	_cleanup_container_ struct container *c = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	_cleanup_free_ char *out = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	struct container_rt rt;
	size_t n = 0;
	int col, r;

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
	if (container_rt_init(ctx->engine, c, &rt) < 0)
		return 1;
	r = runtime_ps(&rt.rt, c->cfg->id, &pids, &n, &err);
	container_rt_done(&rt);
	if (r < 0)
		return berth_report(r, &err);
	if ((r = run_ps(argv + 2, &out)) < 0) {
		log_error_report("cannot run ps: %s", strerror(-r));
		return 1;
	}
	lines = strv_split(out, "\n");
	if (!lines || !lines[0] || (col = pid_column(lines[0])) < 0) {
		log_error_report("Couldn't find PID field in ps output");
		return 1;
	}
	printf("%s\n", lines[0]);
	STRV_FOREACH (l, lines + 1)
		if (**l && line_has_pid(*l, col, pids, n))
			printf("%s\n", *l);
	return 0;
}
