/* SPDX-License-Identifier: Apache-2.0 */
/*
 * berth system boot: after a reboot, start the containers whose restart policy says so
 * (container_boot.h), as dockerd does when it starts. berth-boot.service runs it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/berth_cmds.h"
#include "cli/berth_container.h"
#include "engine/container_boot.h"
#include "engine/container_ops.h"
#include "engine/container_runtime.h"
#include "engine/ns_modes.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/strv.h"

/* Joins another container's namespace: started in the second pass, after the donors. */
static bool joins_another(const struct container_config *cfg)
{
	for (int k = 0; k < _NS_SHARE_MAX; k++)
		if (ns_mode_container(ns_mode_of(cfg, (enum ns_share) k)))
			return true;
	return false;
}

/* One container in pass (0: the others, 1: the joiners); 1 when it failed. */
static int boot_one(struct berth_ctx *ctx, struct image_store *s, const char *id, int pass)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	enum boot_action a;
	bool was_active;
	int r;

	if (container_load_any(ctx->engine, id, true, &c, NULL) < 0)
		return 0; /* removed meanwhile, or dead: nothing boot can do */
	if (joins_another(c->cfg) != (pass == 1))
		return 0;
	was_active = container_active(c);
	(void) container_refresh(ctx->engine, c, NULL);
	a = container_boot_action(c->cfg, &c->st, was_active);
	if (a == BOOT_NOTHING)
		return 0;
	if (a == BOOT_REMOVE)
		r = container_remove(ctx->engine, s, c, false, true, &err);
	else
		r = berth_start_container(ctx, c, -1, false, &err);
	if (r < 0) {
		log_error_report("%s %s: %s", a == BOOT_REMOVE ? "removing" : "starting",
				 c->cfg->name, err ? err->msg : strerror(-r));
		return 1;
	}
	if (a == BOOT_START)
		printf("%s\n", c->cfg->name);
	return 0;
}

int berth_cmd_system_boot(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL, **ids = NULL;
	const struct opt_def defs[] = {END_OPTS};
	struct image_store *s;
	int code = 0;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "", 0, 0, &pos));
	if (!berth_engine(ctx) || !(s = berth_store(ctx)))
		return 1;
	if (container_list_ids(ctx->engine, &ids) < 0) {
		log_error_report("cannot list the containers of %s", ctx->root);
		return 1;
	}
	for (int pass = 0; pass < 2; pass++)
		STRV_FOREACH (id, ids)
			code |= boot_one(ctx, s, *id, pass);
	return code;
}

const struct berth_cmd berth_system_subcmds[] = {
	{"boot", "start the containers a restart policy starts after a reboot",
	 berth_cmd_system_boot},
	{"df", "show the disk space images, containers and volumes use", berth_cmd_system_df},
	{"events", "show the engine's events (follows until interrupted)", berth_cmd_events},
	{"info", "show the engine's and the host's configuration", berth_cmd_info},
	{"prune", "remove stopped containers, unused images and (with --volumes) volumes",
	 berth_cmd_system_prune},
	{"service", "serve the Docker Engine API on a unix socket (DOCKER_HOST)",
	 berth_cmd_system_service},
	{NULL, NULL, NULL},
};

static int cmd_system(struct berth_ctx *ctx, int argc, char **argv)
{
	return berth_run_group(ctx, "system", berth_system_subcmds, 15, argc, argv);
}

const struct berth_cmd berth_system_cmds[] = {
	{"system", "manage berth (berth system --help)", cmd_system},
	{NULL, NULL, NULL},
};
