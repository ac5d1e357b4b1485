/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/runtime_cmds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/argparse.h"
#include "cli/runtime_cmds_cgroup.h"
#include "config.h"
#include "lib/kernel.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/passwd.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "runtime/config/signals.h"
#include "runtime/lifecycle/lifecycle.h"
#include "runtime/config/spec_default.h"

#define END_OPTS                                                                                   \
	{                                                                                          \
		NULL, 0, 0, NULL, NULL, NULL                                                       \
	}

/* runtime_cmds_parse's result as an exit code for the caller: 0 help, 1 error. */
#define PARSE_OR_RETURN(call)                                                                      \
	do {                                                                                       \
		int _p = (call);                                                                   \
		if (_p > 0)                                                                        \
			return 0;                                                                  \
		if (_p < 0)                                                                        \
			return 1;                                                                  \
	} while (0)

static int cmd_spec(struct runtime_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	_cleanup_close_ int dirfd = -1, fd = -1;
	const char *bundle = ".";
	bool rootless = false;
	const struct opt_def defs[] = {
		{"bundle", 'b', OPT_STRING, &bundle, "DIR", "write DIR/config.json"},
		{"rootless", 0, OPT_BOOL, &rootless, NULL, "a config for rootless containers"},
		END_OPTS,
	};
	_cleanup_free_ char *rootless_text = NULL;
	bool cgroupns = spec_default_host_is_cgroup2();
	const char *text = spec_default_text(cgroupns);

	(void) ctx;
	PARSE_OR_RETURN(
		runtime_cmds_parse(argc, argv, defs, "[--bundle DIR] [--rootless]", 0, 0, &pos));
	if (rootless &&
	    !(text = rootless_text = spec_default_rootless_text(geteuid(), getegid(), cgroupns))) {
		log_error_report("spec: out of memory");
		return 1;
	}
	dirfd = open(bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		log_error_report("spec: bundle '%s': %s", bundle, strerror(errno));
		return 1;
	}
	fd = openat(dirfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_error_report("spec: cannot write '%s/config.json': %s", bundle,
				 errno == EEXIST ? "it exists; remove it first" : strerror(errno));
		return 1;
	}
	if (write_all(fd, text, strlen(text)) < 0) {
		log_error_report("spec: writing config.json: %s", strerror(errno));
		return 1;
	}
	return 0;
}

static int cmd_create_or_run(struct runtime_ctx *ctx, int argc, char **argv)
{
	bool run = strcmp(argv[0], "run") == 0;
	_cleanup_strv_ char **pos = NULL;
	struct create_opts o = {.bundle = "."};
	bool no_subreaper = false;
	const struct opt_def defs[] = {
		{"bundle", 'b', OPT_STRING, &o.bundle, "DIR", "the bundle (default: cwd)"},
		{"console-socket", 0, OPT_STRING, &o.console_socket, "PATH",
		 "unix socket that receives the terminal's master fd"},
		{"pid-file", 0, OPT_STRING, &o.pid_file, "PATH", "write the init's pid to PATH"},
		{"no-pivot", 0, OPT_BOOL, &o.no_pivot, NULL,
		 "use MS_MOVE and chroot, not pivot_root"},
		{"no-new-keyring", 0, OPT_BOOL, &o.no_new_keyring, NULL,
		 "keep the caller's session keyring"},
		{"preserve-fds", 0, OPT_INT, &o.preserve_fds, "N",
		 "pass fds 3..3+N-1 to the container"},
		{"detach", 'd', run ? OPT_BOOL : OPT_BOOL, &o.detach, NULL,
		 run ? "do not wait for the container" : NULL},
		{"keep", 0, OPT_BOOL, &o.keep, NULL,
		 run ? "do not delete the container after it exits" : NULL},
		{"no-subreaper", 0, OPT_BOOL, &no_subreaper, NULL, NULL},
		END_OPTS,
	};
	struct berr *err = NULL;
	int r, code = 0;

	PARSE_OR_RETURN(runtime_cmds_parse(argc, argv, defs, "[options] ID", 1, 1, &pos));
	o.id = pos[0];
	/* tests fake a missing feature; that can only make the check refuse */
	r = kernel_check(secure_getenv("BERTH_FAKE_KERNEL_MISSING"), &err);
	if (r < 0)
		return runtime_cmds_report(r, &err);
	if (!run) {
		o.detach = true;
		return runtime_cmds_report(lifecycle_create(&ctx->opts, &o, &err), &err);
	}
	r = lifecycle_run(&ctx->opts, &o, &code, &err);
	if (r < 0)
		return runtime_cmds_report(r, &err);
	return code;
}

static int cmd_start(struct runtime_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	const struct opt_def defs[] = {END_OPTS};
	struct berr *err = NULL;

	PARSE_OR_RETURN(runtime_cmds_parse(argc, argv, defs, "ID", 1, 1, &pos));
	return runtime_cmds_report(lifecycle_start(&ctx->opts, pos[0], &err), &err);
}

static int cmd_state(struct runtime_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	_cleanup_free_ char *json = NULL;
	const struct opt_def defs[] = {END_OPTS};
	struct berr *err = NULL;
	int r;

	PARSE_OR_RETURN(runtime_cmds_parse(argc, argv, defs, "ID", 1, 1, &pos));
	r = lifecycle_state(&ctx->opts, pos[0], &json, &err);
	if (r < 0)
		return runtime_cmds_report(r, &err);
	printf("%s\n", json);
	return 0;
}

static int cmd_kill(struct runtime_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	bool all = false;
	const struct opt_def defs[] = {
		{"all", 'a', OPT_BOOL, &all, NULL, "signal every process of the container"},
		END_OPTS,
	};
	struct berr *err = NULL;
	int sig;

	PARSE_OR_RETURN(runtime_cmds_parse(argc, argv, defs, "[--all] ID [SIGNAL]", 1, 2, &pos));
	/* 0 checks that the container is alive without signalling it (runc takes it too). */
	sig = pos[1] && strcmp(pos[1], "0") == 0 ? 0 : signal_from_string(pos[1] ? pos[1] : "TERM");
	if (sig < 0) {
		log_error_report("kill: unknown signal '%s'", pos[1]);
		return 1;
	}
	return runtime_cmds_report(lifecycle_kill(&ctx->opts, pos[0], sig, all, &err), &err);
}

static int cmd_delete(struct runtime_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	bool force = false;
	const struct opt_def defs[] = {
		{"force", 'f', OPT_BOOL, &force, NULL, "kill the container if it runs"},
		END_OPTS,
	};
	struct berr *err = NULL;

	PARSE_OR_RETURN(runtime_cmds_parse(argc, argv, defs, "[--force] ID", 1, 1, &pos));
	return runtime_cmds_report(lifecycle_delete(&ctx->opts, pos[0], force, &err), &err);
}

struct list_rows {
	struct jwriter *json;
	char **cells; /* 6 per row */
	bool quiet;
};

static int list_row(const struct container_state *st, enum container_status status, void *userdata)
{
	struct list_rows *rows = userdata;
	/* Not getpwuid: no NSS modules in the static runtime. */
	_cleanup_free_ char *owner = passwd_host_name(st->owner);
	bool has_pid = status != STATUS_STOPPED && status != STATUS_CREATING;
	char pid[16];

	snprintf(pid, sizeof(pid), "%d", has_pid ? (int) st->pid : 0);
	if (rows->json) {
		struct jwriter *o = jw_object();

		jw_str(o, "ociVersion", BERTH_OCI_VERSION);
		jw_str(o, "id", st->id);
		jw_int(o, "pid", has_pid ? st->pid : 0);
		jw_str(o, "status", status_name(status));
		jw_str(o, "bundle", st->bundle);
		jw_str(o, "rootfs", st->rootfs);
		jw_str(o, "created", st->created);
		jw_str(o, "owner", owner ? owner : "");
		jw_put(rows->json, NULL, o);
		return 0;
	}
	if (strv_push_dup(&rows->cells, st->id) < 0 || strv_push_dup(&rows->cells, pid) < 0 ||
	    strv_push_dup(&rows->cells, status_name(status)) < 0 ||
	    strv_push_dup(&rows->cells, st->bundle) < 0 ||
	    strv_push_dup(&rows->cells, st->created ? st->created : "") < 0 ||
	    strv_push_dup(&rows->cells, owner ? owner : "") < 0)
		return -ENOMEM;
	return 0;
}

static void print_table(char **cells, bool quiet)
{
	static const char *const head[] = {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"};
	size_t n = strv_length(cells) / 6, width[6];

	if (quiet) {
		for (size_t i = 0; i < n; i++)
			printf("%s\n", cells[i * 6]);
		return;
	}
	for (size_t c = 0; c < 6; c++) {
		width[c] = strlen(head[c]);
		for (size_t i = 0; i < n; i++)
			if (strlen(cells[i * 6 + c]) > width[c])
				width[c] = strlen(cells[i * 6 + c]);
		width[c] = width[c] + 3 < 12 ? 12 : width[c] + 3;
	}
	for (size_t c = 0; c < 6; c++)
		printf("%-*s%s", c < 5 ? (int) width[c] : 0, head[c], c < 5 ? "" : "\n");
	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < 6; c++)
			printf("%-*s%s", c < 5 ? (int) width[c] : 0, cells[i * 6 + c],
			       c < 5 ? "" : "\n");
}

static int cmd_list(struct runtime_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	const char *format = "table";
	struct list_rows rows = {0};
	const struct opt_def defs[] = {
		{"format", 'f', OPT_STRING, &format, "FMT", "table or json"},
		{"quiet", 'q', OPT_BOOL, &rows.quiet, NULL, "print the ids only"},
		END_OPTS,
	};
	_cleanup_free_ char *text = NULL;
	struct berr *err = NULL;
	int r;

	PARSE_OR_RETURN(runtime_cmds_parse(argc, argv, defs, "[--format table|json] [--quiet]", 0,
					   0, &pos));
	if (strcmp(format, "json") == 0)
		rows.json = jw_array();
	else if (strcmp(format, "table") != 0) {
		log_error_report("list: --format must be 'table' or 'json', not '%s'", format);
		return 1;
	}
	r = lifecycle_list(&ctx->opts, list_row, &rows, &err);
	if (r < 0) {
		jw_free(rows.json);
		strv_free(rows.cells);
		return runtime_cmds_report(r, &err);
	}
	if (rows.json) {
		text = jw_to_string(rows.json, false);
		jw_free(rows.json);
		printf("%s\n", text ? text : "[]");
	} else {
		print_table(rows.cells, rows.quiet);
		strv_free(rows.cells);
	}
	return 0;
}

const struct runtime_cmd runtime_cmds[] = {
	{"spec", "write a default config.json into a bundle", cmd_spec},
	{"create", "create a container from a bundle (its process waits for start)",
	 cmd_create_or_run},
	{"start", "run the user process of a created container", cmd_start},
	{"run", "create and start a container, and wait for it unless --detach", cmd_create_or_run},
	{"state", "print the state of a container as JSON", cmd_state},
	{"kill", "send a signal (default TERM) to the container's init", cmd_kill},
	{"delete", "delete a stopped container (--force: kill it first)", cmd_delete},
	{"list", "list the containers", cmd_list},
	{"update", "change the resource limits of a container", runtime_cmd_update},
	{"pause", "freeze every process of a container", runtime_cmd_pause},
	{"resume", "thaw a paused container", runtime_cmd_resume},
	{"events", "print a container's stats and OOM events (--stats: once)", runtime_cmd_events},
	{"ps", "list the processes of a container", runtime_cmd_ps},
	{"exec", "run another process in a container", runtime_cmd_exec},
	{"features", "print the features of this runtime as JSON", runtime_cmd_features},
	{NULL, NULL, NULL},
};
