/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/runtime_cmds_cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "runtime/cgroup/cgroup_convert.h"
#include "runtime/lifecycle/lifecycle_cgroup.h"

#define END_OPTS                                                                                   \
	{                                                                                          \
		NULL, 0, 0, NULL, NULL, NULL                                                       \
	}
#define RESOURCES_MAX (1u << 20)
#define PS_OUTPUT_MAX (16u << 20)

extern char **environ;

#define PARSE_OR_RETURN(call)                                                                      \
	do {                                                                                       \
		int _p = (call);                                                                   \
		if (_p > 0)                                                                        \
			return 0;                                                                  \
		if (_p < 0)                                                                        \
			return 1;                                                                  \
	} while (0)

/* runc's update flags, as given (NULL: not given). */
struct update_flags {
	const char *resources;
	const char *blkio_weight, *cpu_period, *cpu_quota, *cpu_burst, *cpu_share, *cpu_shares;
	const char *cpu_rt_period, *cpu_rt_runtime, *cpuset_cpus, *cpuset_mems, *cpu_idle;
	const char *memory, *memory_reservation, *memory_swap, *kernel_memory, *kernel_memory_tcp;
	const char *pids_limit, *l3_cache_schema, *mem_bw_schema;
};

static int flag_error(const char *flag, const char *value, const char *what)
{
	log_error_report("update: --%s: '%s' is not %s", flag, value, what);
	return -EINVAL;
}

static int flag_i64(const char *flag, const char *value, int64_t min, struct opt_int64 *ret)
{
	char *end;
	long long v;

	if (!value)
		return 0;
	errno = 0;
	v = strtoll(value, &end, 10);
	if (errno || *end || !*value || v < min)
		return flag_error(flag, value, min < 0 ? "a number (-1: unlimited)" : "a number");
	*ret = (struct opt_int64){v, true};
	return 0;
}

static int flag_u64(const char *flag, const char *value, uint64_t max, struct opt_uint64 *ret)
{
	char *end;
	unsigned long long v;

	if (!value)
		return 0;
	errno = 0;
	v = strtoull(value, &end, 10);
	if (errno || *end || !*value || value[0] == '-' || v > max)
		return flag_error(flag, value, "a positive number in range");
	*ret = (struct opt_uint64){v, true};
	return 0;
}

static int flag_bytes(const char *flag, const char *value, struct opt_int64 *ret)
{
	int64_t v;

	if (!value)
		return 0;
	if (cgroup_parse_bytes(value, &v) < 0)
		return flag_error(flag, value,
				  "a size such as 1048576, 512m or 2g (-1: unlimited)");
	*ret = (struct opt_int64){v, true};
	return 0;
}

static int flag_cpus(const char *flag, const char *value, char **ret)
{
	if (!value)
		return 0;
	if (!cgroup_id_list_valid(value))
		return flag_error(flag, value, "a list such as '0-3,7'");
	*ret = strdup(value);
	return *ret ? 0 : -ENOMEM;
}

static int memory_flags(const struct update_flags *f, struct spec_resources *r)
{
	int ret;

	if ((ret = flag_bytes("memory", f->memory, &r->memory.limit)) < 0 ||
	    (ret = flag_bytes("memory-reservation", f->memory_reservation,
			      &r->memory.reservation)) < 0 ||
	    (ret = flag_bytes("memory-swap", f->memory_swap, &r->memory.swap)) < 0 ||
	    (ret = flag_bytes("kernel-memory", f->kernel_memory, &r->memory.kernel)) < 0 ||
	    (ret = flag_bytes("kernel-memory-tcp", f->kernel_memory_tcp, &r->memory.kernel_tcp)) <
		    0)
		return ret;
	return flag_i64("pids-limit", f->pids_limit, -1, &r->pids_limit);
}

static int cpu_flags(const struct update_flags *f, struct spec_resources *r)
{
	struct opt_uint64 weight = {0, false};
	int ret;

	if ((ret = flag_u64("cpu-period", f->cpu_period, UINT64_MAX, &r->cpu.period)) < 0 ||
	    (ret = flag_i64("cpu-quota", f->cpu_quota, -1, &r->cpu.quota)) < 0 ||
	    (ret = flag_u64("cpu-burst", f->cpu_burst, UINT64_MAX, &r->cpu.burst)) < 0 ||
	    (ret = flag_u64("cpu-share", f->cpu_share, UINT64_MAX, &r->cpu.shares)) < 0 ||
	    (ret = flag_u64("cpu-shares", f->cpu_shares, UINT64_MAX, &r->cpu.shares)) < 0 ||
	    (ret = flag_u64("cpu-rt-period", f->cpu_rt_period, UINT64_MAX,
			    &r->cpu.realtime_period)) < 0 ||
	    (ret = flag_i64("cpu-rt-runtime", f->cpu_rt_runtime, -1, &r->cpu.realtime_runtime)) <
		    0 ||
	    (ret = flag_i64("cpu-idle", f->cpu_idle, 0, &r->cpu.idle)) < 0 ||
	    (ret = flag_cpus("cpuset-cpus", f->cpuset_cpus, &r->cpu.cpus)) < 0 ||
	    (ret = flag_cpus("cpuset-mems", f->cpuset_mems, &r->cpu.mems)) < 0 ||
	    (ret = flag_u64("blkio-weight", f->blkio_weight, 1000, &weight)) < 0)
		return ret;
	if (weight.set && weight.v && weight.v < 10)
		return flag_error("blkio-weight", f->blkio_weight, "0 or between 10 and 1000");
	r->block_io.weight = (struct opt_uint16){(uint16_t) weight.v, weight.set};
	return 0;
}

/* -r FILE or -r - (stdin): the whole LinuxResources document; the flags are ignored. */
static int read_resources(const char *path, struct spec_resources *r)
{
	_cleanup_free_ char *text = NULL;
	struct berr *err = NULL;
	size_t len = 0;
	int ret;

	if (strcmp(path, "-") == 0)
		ret = read_fd_all(STDIN_FILENO, RESOURCES_MAX, &text, &len);
	else
		ret = read_file_at(AT_FDCWD, path, RESOURCES_MAX, &text, &len);
	if (ret < 0) {
		log_error_report("update: reading '%s': %s", path, strerror(-ret));
		return ret;
	}
	ret = oci_resources_parse(text, len, strcmp(path, "-") == 0 ? "stdin" : path, r, &err);
	if (ret < 0)
		(void) runtime_cmds_report(ret, &err);
	return ret;
}

int runtime_cmd_update(struct runtime_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	struct update_flags f = {0};
	const struct opt_def defs[] = {
		{"resources", 'r', OPT_STRING, &f.resources, "FILE",
		 "a LinuxResources JSON document ('-': stdin); the other flags are ignored"},
		{"blkio-weight", 0, OPT_STRING, &f.blkio_weight, "N", "block I/O weight, 10-1000"},
		{"cpu-period", 0, OPT_STRING, &f.cpu_period, "US", "CFS period"},
		{"cpu-quota", 0, OPT_STRING, &f.cpu_quota, "US", "CFS quota per period (-1: none)"},
		{"cpu-burst", 0, OPT_STRING, &f.cpu_burst, "US", "CFS burst"},
		{"cpu-share", 0, OPT_STRING, &f.cpu_share, "N", "CPU shares"},
		{"cpu-shares", 0, OPT_STRING, &f.cpu_shares, "N", NULL},
		{"cpu-rt-period", 0, OPT_STRING, &f.cpu_rt_period, "US", "realtime period"},
		{"cpu-rt-runtime", 0, OPT_STRING, &f.cpu_rt_runtime, "US", "realtime runtime"},
		{"cpuset-cpus", 0, OPT_STRING, &f.cpuset_cpus, "LIST", "CPUs to use (0-3,7)"},
		{"cpuset-mems", 0, OPT_STRING, &f.cpuset_mems, "LIST", "memory nodes to use"},
		{"cpu-idle", 0, OPT_STRING, &f.cpu_idle, "0|1", "SCHED_IDLE for the cgroup"},
		{"memory", 0, OPT_STRING, &f.memory, "SIZE", "memory limit (512m, -1: none)"},
		{"memory-reservation", 0, OPT_STRING, &f.memory_reservation, "SIZE",
		 "memory soft limit"},
		{"memory-swap", 0, OPT_STRING, &f.memory_swap, "SIZE",
		 "memory+swap limit (-1: unlimited swap)"},
		{"kernel-memory", 0, OPT_STRING, &f.kernel_memory, "SIZE", "ignored, as by runc"},
		{"kernel-memory-tcp", 0, OPT_STRING, &f.kernel_memory_tcp, "SIZE",
		 "ignored, as by runc"},
		{"pids-limit", 0, OPT_STRING, &f.pids_limit, "N", "maximum number of tasks"},
		{"l3-cache-schema", 0, OPT_STRING, &f.l3_cache_schema, "S", "not supported"},
		{"mem-bw-schema", 0, OPT_STRING, &f.mem_bw_schema, "S", "not supported"},
		END_OPTS,
	};
	struct spec_resources r = {0};
	struct berr *err = NULL;
	int ret;

	PARSE_OR_RETURN(runtime_cmds_parse(argc, argv, defs, "[options] ID", 1, 1, &pos));
	if (f.resources)
		ret = read_resources(f.resources, &r);
	else if (f.l3_cache_schema || f.mem_bw_schema)
		ret = flag_error(f.l3_cache_schema ? "l3-cache-schema" : "mem-bw-schema",
				 f.l3_cache_schema ? f.l3_cache_schema : f.mem_bw_schema,
				 "supported: berth does not manage Intel RDT");
	else if ((ret = memory_flags(&f, &r)) >= 0 && (ret = cpu_flags(&f, &r)) >= 0)
		spec_resources_unset_zeros(&r); /* 0 leaves a field as it is, as in runc */
	if (ret >= 0)
		ret = runtime_cmds_report(lifecycle_update(&ctx->opts, pos[0], &r, &err), &err) ? -1
												: 0;
	spec_resources_done(&r);
	return ret < 0 ? 1 : 0;
}

static int pause_or_resume(struct runtime_ctx *ctx, int argc, char **argv, bool pause)
{
	_cleanup_strv_ char **pos = NULL;
	const struct opt_def defs[] = {END_OPTS};
	struct berr *err = NULL;

	PARSE_OR_RETURN(runtime_cmds_parse(argc, argv, defs, "ID", 1, 1, &pos));
	return runtime_cmds_report(pause ? lifecycle_pause(&ctx->opts, pos[0], &err)
					 : lifecycle_resume(&ctx->opts, pos[0], &err),
				   &err);
}

int runtime_cmd_pause(struct runtime_ctx *ctx, int argc, char **argv)
{
	return pause_or_resume(ctx, argc, argv, true);
}

int runtime_cmd_resume(struct runtime_ctx *ctx, int argc, char **argv)
{
	return pause_or_resume(ctx, argc, argv, false);
}

static int print_event(const char *json, void *userdata)
{
	(void) userdata;
	if (printf("%s\n", json) < 0 || fflush(stdout) != 0)
		return -EPIPE;
	return 0;
}

int runtime_cmd_events(struct runtime_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	const char *interval = "5s";
	struct events_opts o = {0};
	const struct opt_def defs[] = {
		{"interval", 0, OPT_STRING, &interval, "DURATION",
		 "time between stats events (default 5s)"},
		{"stats", 0, OPT_BOOL, &o.stats_once, NULL, "print the stats once and exit"},
		END_OPTS,
	};
	struct berr *err = NULL;

	PARSE_OR_RETURN(
		runtime_cmds_parse(argc, argv, defs, "[--interval 5s] [--stats] ID", 1, 1, &pos));
	if (cgroup_parse_duration(interval, &o.interval_ns) < 0 || o.interval_ns == 0) {
		log_error_report("events: --interval: '%s' is not a duration such as 5s or 100ms",
				 interval);
		return 1;
	}
	return runtime_cmds_report(
		lifecycle_events(&ctx->opts, pos[0], &o, print_event, NULL, &err), &err);
}

/* Run ps(1) with args and collect its output. */
static int run_ps(char **args, char **ret)
{
	_cleanup_strv_ char **argv = NULL;
	posix_spawn_file_actions_t fa;
	int p[2], status, r;
	pid_t pid;

	if (strv_push_dup(&argv, "ps") < 0)
		return -ENOMEM;
	STRV_FOREACH (a, args)
		if (strv_push_dup(&argv, *a) < 0)
			return -ENOMEM;
	if (!args || !args[0])
		if (strv_push_dup(&argv, "-ef") < 0)
			return -ENOMEM;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	r = posix_spawnp(&pid, "ps", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	(void) close(p[1]);
	if (r != 0) {
		(void) close(p[0]);
		return -r;
	}
	r = read_fd_all(p[0], PS_OUTPUT_MAX, ret, NULL);
	(void) close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r < 0)
		return r;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

static bool has_pid(const pid_t *pids, size_t n, long pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* ps's header, then the lines whose PID column is one of pids (runc's filter). */
static int print_ps_table(const char *out, const pid_t *pids, size_t n)
{
	_cleanup_strv_ char **lines = strv_split(out, "\n");
	_cleanup_strv_ char **head = NULL;
	size_t col = 0;

	if (!lines || !lines[0] || !(head = strv_split(lines[0], " \t")))
		return -EINVAL;
	while (head[col] && strcmp(head[col], "PID") != 0)
		col++;
	if (!head[col])
		return -EINVAL;
	printf("%s\n", lines[0]);
	for (size_t i = 1; lines[i]; i++) {
		_cleanup_strv_ char **f = strv_split(lines[i], " \t");

		if (f && strv_length(f) > col && has_pid(pids, n, strtol(f[col], NULL, 10)))
			printf("%s\n", lines[i]);
	}
	return 0;
}

static int print_ps_json(const pid_t *pids, size_t n)
{
	_cleanup_jw_ struct jwriter *a = jw_array();
	_cleanup_free_ char *text = NULL;

	for (size_t i = 0; i < n; i++)
		jw_int(a, NULL, pids[i]);
	text = jw_to_string(a, false);
	if (!text)
		return -ENOMEM;
	printf("%s\n", text);
	return 0;
}

int runtime_cmd_ps(struct runtime_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	_cleanup_free_ char *out = NULL, *msg = NULL;
	const char *format = "table";
	const struct opt_def defs[] = {
		{"format", 'f', OPT_STRING, &format, "FMT", "table (ps -ef lines) or json"},
		END_OPTS,
	};
	struct berr *err = NULL;
	size_t n = 0;
	int r;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: berth-runtime ps [--format table|json] ID [PS OPTIONS...]\n");
		argparse_help(defs);
		return 0;
	}
	/* Everything after the id goes to ps(1), as with runc. */
	if (argparse(argc, argv, 1, defs, true, 0, &pos, &msg) < 0 || !pos || !pos[0]) {
		log_error_report("ps: %s", msg ? msg : "usage: berth-runtime ps [options] ID");
		return 1;
	}
	if (strcmp(format, "json") != 0 && strcmp(format, "table") != 0) {
		log_error_report("ps: --format must be 'table' or 'json', not '%s'", format);
		return 1;
	}
	r = lifecycle_pids(&ctx->opts, pos[0], &pids, &n, &err);
	if (r < 0)
		return runtime_cmds_report(r, &err);
	if (strcmp(format, "json") == 0)
		r = print_ps_json(pids, n);
	else if ((r = run_ps(pos + 1, &out)) >= 0)
		r = print_ps_table(out, pids, n);
	if (r < 0)
		log_error_report("ps: running ps%s: %s", pos[1] ? " with your options" : " -ef",
				 strerror(-r));
	return r < 0 ? 1 : 0;
}
