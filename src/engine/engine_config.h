/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The engine configuration file: what docker keeps in its daemon's daemon.json, for a
 * daemonless engine. Every berth command reads it (BERTH_CONFIG names another file), so
 * the CLI and the API service create containers with the same defaults:
 *
 *   {"userns-remap": "default"}      docker's: the user namespace of a container made
 *                                    without --userns, --uidmap or --gidmap
 *
 * "userns-remap" is "default" (the subordinate ids of user berth, else containers),
 * "USER" or "USER:GROUP" (names or numeric ids: the subordinate uids of USER and gids of
 * GROUP, one mapping shared by all the remapped containers, as docker's), or "auto"
 * (--userns=auto for each container). "" or null is none. Only the form is checked
 * here; userns.h resolves the names when a container is made.
 */
#ifndef BERTH_ENGINE_ENGINE_CONFIG_H
#define BERTH_ENGINE_ENGINE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

#define ENGINE_CONFIG_DEFAULT "/etc/berth/berth.json"
#define ENGINE_CONFIG_MAX (64u << 10)

struct engine_config {
	char *path;	    /* the file it was read from, for messages ("" when none) */
	char *userns_remap; /* NULL: none; "default", "auto", "USER" or "USER:GROUP" */
};

/*
 * The configuration file to read: $BERTH_CONFIG when set and not empty (then it must
 * exist), else ENGINE_CONFIG_DEFAULT (which may be missing). *ret_missing_ok says which.
 */
const char *engine_config_path(bool *ret_missing_ok);

/*
 * Read path (a regular file, not a symlink, at most ENGINE_CONFIG_MAX bytes) into a new
 * configuration *ret that the caller frees with engine_config_free(). A missing file is
 * all defaults when missing_ok. Errors are "PATH: KEY: what is wrong".
 */
int engine_config_load(const char *path, bool missing_ok, struct engine_config **ret,
		       struct berr **err);

/* The same from len bytes of text; path names it in the messages. */
int engine_config_parse(const char *text, size_t len, const char *path, struct engine_config **ret,
			struct berr **err);

struct engine_config *engine_config_free(struct engine_config *c);
static inline void engine_config_freep(struct engine_config **c)
{
	*c = engine_config_free(*c);
}
#define _cleanup_engine_config_ __attribute__((cleanup(engine_config_freep)))

#endif
