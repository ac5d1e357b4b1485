/* SPDX-License-Identifier: Apache-2.0 */
/* The commands of berth, the engine: tables of commands, the context they share. */
#ifndef BERTH_CLI_BERTH_CMDS_H
#define BERTH_CLI_BERTH_CMDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli/argparse.h"
#include "engine/container_store.h"
#include "image/registry_config.h"
#include "image/store.h"
#include "lib/err.h"
#include "lib/json.h"

struct rootless_paths;
struct engine_config;

struct berth_ctx {
	const char *root; /* engine state (default /var/lib/berth) */
	bool debug;
	struct image_store *store; /* opened on first use */
	struct engine *engine;	   /* the container store, opened on first use */
	const char
		*registry_config; /* --registry-config; NULL: $BERTH_REGISTRY_CONFIG or default */
	struct registry_config *registries; /* loaded on first use */
	/* the engine configuration (engine/engine_config.h), read before every command */
	const struct engine_config *config;
	const struct rootless_paths *rootless; /* rootless.h; NULL: run by the host's root */
};

struct berth_cmd {
	const char *name;
	const char *summary;
	/* argv[0] is the command's name, then its arguments; returns the exit code. */
	int (*run)(struct berth_ctx *ctx, int argc, char **argv);
};

/* The container commands (berth_container_cmds.c), NULL-terminated. */
extern const struct berth_cmd berth_container_cmds[];
/* `berth container SUBCOMMAND` */
extern const struct berth_cmd berth_container_subcmds[];

/* The container store, opened on first use; NULL after reporting why. */
struct engine *berth_engine(struct berth_ctx *ctx);

/* The image commands (NULL-terminated); the containers half adds its own table. */
extern const struct berth_cmd berth_image_cmds[];
/* `berth image SUBCOMMAND` */
extern const struct berth_cmd berth_image_subcmds[];

/*
 * docker inspect: refs as type ("container", "image", or NULL for either, containers
 * first), a JSON array or format rendered for each. Returns the exit code.
 */
int berth_inspect(struct berth_ctx *ctx, char *const *refs, const char *format, const char *type);

/* `berth volume SUBCOMMAND` (berth_volume_cmds.c), NULL-terminated. */
extern const struct berth_cmd berth_volume_cmds[];
/* docker's volume inspect document of volume name, or NULL (no such volume). */
struct jwriter *berth_volume_inspect_json(struct berth_ctx *ctx, const char *name);
/* docker's volume inspect document of v (the CLI's and the API's); the caller frees it. */
struct volume;
struct jwriter *berth_volume_json(const struct volume *v);

/* `berth network SUBCOMMAND` (berth_network_cmds.c), NULL-terminated. */
extern const struct berth_cmd berth_network_cmds[];
/* docker's network inspect document of network ref, or NULL (no such network). */
struct jwriter *berth_network_inspect_json(struct berth_ctx *ctx, const char *ref);
/* docker's network inspect document of n, its containers from e (the CLI's and the API's). */
struct network;
struct jwriter *berth_network_json(struct engine *e, const struct network *n);
/*
 * Remove every network no container has an address on (not none and host); the names of
 * the removed ones are appended to *ret_names. Returns 0 or the exit code after reporting.
 */
int berth_prune_networks(struct berth_ctx *ctx, char ***ret_names);

/* unshare (berth_rootless_cmds.c), NULL-terminated. */
extern const struct berth_cmd berth_rootless_cmds[];

/* commit and build (berth_build_cmds.c), NULL-terminated. */
extern const struct berth_cmd berth_build_cmds[];

/* system boot (berth_system_boot.c), NULL-terminated. */
extern const struct berth_cmd berth_system_cmds[];
int berth_cmd_system_boot(struct berth_ctx *ctx, int argc, char **argv);
/* system df and system prune (berth_system_df.c). */
int berth_cmd_system_df(struct berth_ctx *ctx, int argc, char **argv);
int berth_cmd_system_prune(struct berth_ctx *ctx, int argc, char **argv);
/* also `berth container commit` and `berth image build` */
int berth_cmd_commit(struct berth_ctx *ctx, int argc, char **argv);
int berth_cmd_build(struct berth_ctx *ctx, int argc, char **argv);

/* version, info, events (berth_info_cmds.c, berth_events_cmd.c), NULL-terminated. */
extern const struct berth_cmd berth_info_cmds[];
int berth_cmd_info(struct berth_ctx *ctx, int argc, char **argv);
/* docker's version document (Client and Server); the caller frees it. NULL on OOM. */
struct jwriter *berth_version_json(void);
/* docker's info document of ctx's engine; NULL after reporting why not. */
struct jwriter *berth_info_json(struct berth_ctx *ctx);
/* `berth system service` (berth_system_service.c): the Docker Engine API (src/api). */
int berth_cmd_system_service(struct berth_ctx *ctx, int argc, char **argv);
int berth_cmd_events(struct berth_ctx *ctx, int argc, char **argv);

/* The registry commands (berth_registry_cmds.c). */
int berth_cmd_pull(struct berth_ctx *ctx, int argc, char **argv);
int berth_cmd_push(struct berth_ctx *ctx, int argc, char **argv);
int berth_cmd_login(struct berth_ctx *ctx, int argc, char **argv);
int berth_cmd_logout(struct berth_ctx *ctx, int argc, char **argv);
/* ctx->registries loaded on first use; -errno after reporting why. */
int berth_load_registries(struct berth_ctx *ctx);

/*
 * Pull name with default options, drawing docker's progress on out unless quiet (run and
 * create's pull of a missing image). Returns 0, or the exit code after reporting the error.
 */
int berth_pull(struct berth_ctx *ctx, const char *name, FILE *out, bool quiet);

/* completion (berth_completion.c), NULL-terminated. */
extern const struct berth_cmd berth_completion_cmds[];

/* main() without the hidden __commands: `berth ARGS...` in-process (describe.h walks it). */
int berth_main(int argc, char **argv);

#define END_OPTS                                                                                   \
	{                                                                                          \
		NULL, 0, 0, NULL, NULL, NULL                                                       \
	}

/*
 * Run the subcommand argv[1] of the group command argv[0] from subcmds (NULL-terminated);
 * without one, or with --help, list them (names padded to width) as docker's groups do.
 */
int berth_run_group(struct berth_ctx *ctx, const char *group, const struct berth_cmd *subcmds,
		    int width, int argc, char **argv);

/*
 * Parse a command's options with between min_pos and max_pos positionals. Returns 0,
 * 1 after printing help (exit 0), or -1 after reporting a usage error (exit 125, as
 * docker's usage errors).
 */
int berth_parse(int argc, char **argv, const struct opt_def *defs, const char *usage,
		size_t min_pos, size_t max_pos, char ***ret_pos);

/*
 * For a usage error msg about a global option given after the command ("unknown option
 * '--root'"): a second line saying where it goes; else "".
 */
const char *berth_global_hint(const char *msg);

/*
 * docker's prompt before a prune: "WARNING! <warning>" and "Are you sure you want to
 * continue? [y/N] " on stdout; true when stdin answers y or Y.
 */
bool berth_confirm(const char *warning);

#define BERTH_PARSE_OR_RETURN(call)                                                                \
	do {                                                                                       \
		int _p = (call);                                                                   \
		if (_p > 0)                                                                        \
			return 0;                                                                  \
		if (_p < 0)                                                                        \
			return 125;                                                                \
	} while (0)

/* Print *err (or strerror) as "berth: ..." and return 1. */
int berth_report(int r, struct berr **err);

/* The store, opened on first use; NULL after reporting why. */
struct image_store *berth_store(struct berth_ctx *ctx);

#define STORE_OR_RETURN_PLAIN(s, ctx)                                                              \
	struct image_store *s = berth_store(ctx);                                                  \
	if (!s)                                                                                    \
	return 1

/* "<root>/auth.json", the credentials of `berth login` (malloc'd). */
char *berth_auth_file(const struct berth_ctx *ctx);

#endif
