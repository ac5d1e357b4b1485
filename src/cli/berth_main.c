/* SPDX-License-Identifier: Apache-2.0 */
/* berth: the engine's command line (docker's and podman's commands and output). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/argparse.h"
#include "cli/berth_cmds.h"
#include "cli/describe.h"
#include "config.h"
#include "engine/rootless.h"
#include "engine/engine_config.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/strv.h"

/* Each half of the engine contributes a table. */
static const struct berth_cmd *const cmd_tables[] = {
	berth_container_cmds,  berth_image_cmds,  berth_build_cmds,
	berth_system_cmds,     berth_volume_cmds, berth_network_cmds,
	berth_completion_cmds, berth_info_cmds,	  berth_rootless_cmds};

static const struct berth_cmd *find_cmd(const char *name)
{
	for (size_t t = 0; t < ELEMENTSOF(cmd_tables); t++)
		for (const struct berth_cmd *c = cmd_tables[t]; c->name; c++)
			if (strcmp(c->name, name) == 0)
				return c;
	return NULL;
}

static void usage(FILE *out, const struct opt_def *globals)
{
	fprintf(out, "Usage: berth [global options] COMMAND [options] [arguments]\n\n"
		     "berth is a daemonless container engine.\n\nCommands:\n");
	for (size_t t = 0; t < ELEMENTSOF(cmd_tables); t++)
		for (const struct berth_cmd *c = cmd_tables[t]; c->name; c++)
			/* a name in two tables runs the first (inspect): list that one */
			if (c->summary && find_cmd(c->name) == c)
				fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\nGlobal options:\n");
	argparse_help_to(out, globals);
	fprintf(out, "\nRun 'berth COMMAND --help' for a command's options.\n");
}

/*
 * Rootless (rootless.h): the user's directories, then, for every command but those that
 * only print, the user's namespaces. Returns 0 or the exit code after reporting.
 */
static int rootless_setup(struct berth_ctx *ctx, struct rootless_paths *rp,
			  const struct berth_cmd *cmd)
{
	_cleanup_berr_ struct berr *err = NULL;

	if (rootless_paths_get(rp, &err) < 0) {
		log_error_report("%s", err->msg);
		return 125;
	}
	if (strcmp(ctx->root, STORE_DEFAULT_ROOT) == 0)
		ctx->root = rp->data;
	ctx->rootless = rp;
	if (strcmp(cmd->name, "completion") == 0)
		return 0;
	if (rootless_enter(rp->run, &err) < 0) {
		log_error_report("%s", err->msg);
		return 125;
	}
	return 0;
}

int berth_main(int argc, char **argv)
{
	struct berth_ctx ctx = {.root = STORE_DEFAULT_ROOT};
	bool help = false, version = false;
	const char *log_level = NULL;
	const struct opt_def globals[] = {
		{"root", 0, OPT_STRING, &ctx.root, "DIR",
		 "where the engine keeps its state (default " STORE_DEFAULT_ROOT ")"},
		{"registry-config", 0, OPT_STRING, &ctx.registry_config, "FILE",
		 "registry mirrors and insecure registries (default $BERTH_REGISTRY_CONFIG, "
		 "else " REGISTRY_CONFIG_DEFAULT ")"},
		{"debug", 'D', OPT_BOOL, &ctx.debug, NULL, "log debug messages"},
		{"log-level", 'l', OPT_STRING, &log_level, "LEVEL", "debug, info, warn or error"},
		{"help", 'h', OPT_BOOL, &help, NULL, "show this help"},
		{"version", 'v', OPT_BOOL, &version, NULL, "print the version"},
		END_OPTS,
	};
	_cleanup_(rootless_paths_done) struct rootless_paths rp = {0};
	_cleanup_free_ char *msg = NULL, *rootless_config = NULL;
	_cleanup_strv_ char **pos = NULL;
	_cleanup_engine_config_ struct engine_config *config = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	bool missing_ok;
	const char *path = engine_config_path(&missing_ok);
	const struct berth_cmd *cmd;
	int code, r;

	if (argparse(argc, argv, 1, globals, true, 0, &pos, &msg) < 0) {
		fprintf(stderr, "berth: %s\n", msg ? msg : "out of memory");
		return 125;
	}
	if (version) {
		printf("berth version %s\n", BERTH_VERSION);
		return 0;
	}
	if (help || !pos || strcmp(pos[0], "help") == 0) {
		/* docker: with no command, the help goes to stderr, and the exit code is 0 */
		usage(help || pos ? stdout : stderr, globals);
		return 0;
	}
	if (log_level && strcmp(log_level, "debug") == 0)
		ctx.debug = true;
	log_setup("berth", NULL, LOG_FORMAT_TEXT, ctx.debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARN);
	cmd = find_cmd(pos[0]);
	if (!cmd) {
		log_error_report("unknown command '%s' (see 'berth --help')", pos[0]);
		return 125;
	}
	if (rootless_mode() && (code = rootless_setup(&ctx, &rp, cmd)) != 0)
		return code;
	/* rootless: the user's own file, $XDG_CONFIG_HOME/berth/berth.json */
	if (ctx.rootless && missing_ok &&
	    asprintf(&rootless_config, "%s/berth.json", ctx.rootless->config) >= 0)
		path = rootless_config;
	if ((r = engine_config_load(path, missing_ok, &config, &err)) < 0) {
		log_error_report("%s", err ? err->msg : strerror(-r));
		return 125;
	}
	ctx.config = config;
	code = cmd->run(&ctx, (int) strv_length(pos), pos);
	ctx.store = image_store_free(ctx.store);
	ctx.engine = engine_free(ctx.engine);
	ctx.registries = registry_config_free(ctx.registries);
	return code;
}

int main(int argc, char **argv)
{
	/* hidden: every command and option as JSON lines (describe.h), for scripts/gen-man.py */
	if (argc == 2 && strcmp(argv[1], "__commands") == 0)
		return describe_main("berth", berth_main);
	return berth_main(argc, argv);
}
