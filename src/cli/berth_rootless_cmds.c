/* SPDX-License-Identifier: Apache-2.0 */
/* berth unshare: a command in rootless berth's user and mount namespaces (podman's). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/berth_cmds.h"
#include "engine/rootless.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/strv.h"

static int cmd_unshare(struct berth_ctx *ctx, int argc, char **argv)
{
	const char *shell = getenv("SHELL");
	char *sh[] = {(char *) (shell && *shell ? shell : "/bin/sh"), NULL};
	char **cmd;

	/* no options of its own: all after it is the command, as podman's */
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("Usage: berth unshare [COMMAND [ARG...]]\n\n"
		       "Run a command (default $SHELL) in rootless berth's user and mount "
		       "namespaces,\nwhere the engine's files and the containers' mounts are "
		       "as berth sees them.\n");
		return 0;
	}
	if (!ctx->rootless) {
		log_error_report("please use unshare with rootless");
		return 125;
	}
	/* berth_main joined the namespaces before running us (rootless_enter) */
	cmd = argc > 1 ? argv + 1 : sh;
	if (setenv("CONTAINERS_GRAPHROOT", ctx->root, 1) < 0 ||
	    setenv("BERTH_ROOT", ctx->root, 1) < 0) {
		log_error_report("setenv: %s", strerror(errno));
		return 125;
	}
	execvp(cmd[0], cmd);
	log_error_report("exec %s: %s", cmd[0], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}

const struct berth_cmd berth_rootless_cmds[] = {
	{"unshare", "Run a command in rootless berth's user and mount namespaces", cmd_unshare},
	{},
};
