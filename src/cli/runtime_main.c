/* SPDX-License-Identifier: Apache-2.0 */
/* berth-runtime: the OCI runtime's command line (runc-compatible). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/argparse.h"
#include "cli/describe.h"
#include "cli/runtime_cmds.h"
#include "config.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/strv.h"

static const struct runtime_cmd *find_cmd(const char *name)
{
	for (const struct runtime_cmd *c = runtime_cmds; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void usage(const struct opt_def *globals)
{
	printf("Usage: berth-runtime [global options] COMMAND [options] [arguments]\n\n"
	       "berth-runtime runs containers from OCI bundles (runtime-spec %s), with\n"
	       "runc's command line.\n\nCommands:\n",
	       BERTH_OCI_VERSION);
	for (const struct runtime_cmd *c = runtime_cmds; c->name; c++)
		printf("  %-10s %s\n", c->name, c->summary);
	printf("\nGlobal options:\n");
	argparse_help(globals);
	printf("\nRun 'berth-runtime COMMAND --help' for a command's options.\n");
}

static void warn_to_log(const char *message)
{
	log_warn("%s", message);
}

struct globals {
	const char *root;
	const char *log;
	const char *log_format;
	const char *criu;
	const char *rootless;
	bool debug;
	bool systemd_cgroup;
	bool help;
	bool version;
};

static int setup_logging(const struct globals *g)
{
	enum log_format fmt = LOG_FORMAT_TEXT;
	int r;

	if (g->log_format && log_format_from_string(g->log_format, &fmt) < 0) {
		fprintf(stderr, "berth-runtime: --log-format: must be 'text' or 'json', not '%s'\n",
			g->log_format);
		return -EINVAL;
	}
	log_setup("berth-runtime", g->log, fmt, g->debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARN);
	if (g->log && *g->log && (r = log_open()) < 0) {
		fprintf(stderr, "berth-runtime: --log: cannot open '%s': %s\n", g->log,
			strerror(-r));
		return r;
	}
	return 0;
}

/*
 * As runc: root uses /run/berth; anyone else $XDG_RUNTIME_DIR/berth (their own tmpfs
 * under /run/user), falling back to /run/berth, where they will get a clear EACCES.
 */
static const char *default_root(char **buf)
{
	const char *xdg = secure_getenv("XDG_RUNTIME_DIR");

	if (geteuid() == 0 || !xdg || xdg[0] != '/')
		return "/run/berth";
	if (asprintf(buf, "%s/berth", xdg) < 0)
		return NULL;
	return *buf;
}

static int runtime_main(int argc, char **argv)
{
	struct globals g = {0};
	const struct opt_def globals[] = {
		{"root", 0, OPT_STRING, &g.root, "DIR",
		 "state directory (default /run/berth; $XDG_RUNTIME_DIR/berth when not root)"},
		{"log", 0, OPT_STRING, &g.log, "FILE", "log to FILE instead of stderr"},
		{"log-format", 0, OPT_STRING, &g.log_format, "FMT", "log format: text or json"},
		{"debug", 0, OPT_BOOL, &g.debug, NULL, "log debug messages"},
		{"systemd-cgroup", 0, OPT_BOOL, &g.systemd_cgroup, NULL,
		 "use systemd for cgroups (not supported: refused)"},
		{"criu", 0, OPT_STRING, &g.criu, "PATH", "accepted for runc compatibility"},
		{"rootless", 0, OPT_STRING, &g.rootless, "auto|true|false",
		 "accepted for runc compatibility"},
		{"help", 'h', OPT_BOOL, &g.help, NULL, "show this help"},
		{"version", 'v', OPT_BOOL, &g.version, NULL, "print the version"},
		{NULL, 0, 0, NULL, NULL, NULL},
	};
	struct runtime_ctx ctx = {0};
	_cleanup_free_ char *msg = NULL, *root_buf = NULL;
	_cleanup_strv_ char **pos = NULL;
	const struct runtime_cmd *cmd;
	int r;

	/* Global options come before the command: everything from the command on is its. */
	if (argparse(argc, argv, 1, globals, true, 0, &pos, &msg) < 0) {
		fprintf(stderr, "berth-runtime: %s\n", msg ? msg : "out of memory");
		return 2;
	}
	if (g.version) {
		printf("berth-runtime version %s\nspec: %s\n", BERTH_VERSION, BERTH_OCI_VERSION);
		return 0;
	}
	if (g.help || !pos || strcmp(pos[0], "help") == 0) {
		usage(globals);
		return g.help || pos ? 0 : 2;
	}
	if ((r = setup_logging(&g)) < 0)
		return r == -EINVAL ? 2 : 1;
	log_debug("command '%s', state root '%s'", pos[0], g.root ? g.root : "(default)");
	cmd = find_cmd(pos[0]);
	if (!cmd) {
		log_error_report("unknown command '%s' (see 'berth-runtime --help')", pos[0]);
		return 2;
	}
	if (g.systemd_cgroup) {
		log_error_report("--systemd-cgroup: the systemd cgroup driver is not supported");
		return 1;
	}
	if (!g.root && !(g.root = default_root(&root_buf))) {
		log_error_report("out of memory");
		return 1;
	}
	ctx.opts.root = g.root;
	ctx.opts.systemd_cgroup = g.systemd_cgroup;
	ctx.opts.warn = warn_to_log;
	return cmd->run(&ctx, (int) strv_length(pos), pos);
}

int main(int argc, char **argv)
{
	/* hidden: every command and option as JSON lines (describe.h), for scripts/gen-man.py */
	if (argc == 2 && strcmp(argv[1], "__commands") == 0)
		return describe_main("berth-runtime", runtime_main);
	return runtime_main(argc, argv);
}
