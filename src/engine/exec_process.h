/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `berth exec`: the process.json given to `runtime exec --process`, made from the
 * container's own process (bundle/config.json: capabilities, rlimits, no_new_privs,
 * LSM labels are the container's) with the exec's args, env, user, cwd and terminal.
 */
#ifndef BERTH_ENGINE_EXEC_PROCESS_H
#define BERTH_ENGINE_EXEC_PROCESS_H

#include <stdbool.h>

#include "engine/container.h"
#include "engine/user_lookup.h"
#include "lib/err.h"

struct exec_request {
	char *const *args;
	char *const *env;	      /* K=V added over the container's */
	const char *cwd;	      /* NULL: the container's */
	const struct exec_user *user; /* NULL: the container's */
	bool tty;
	bool privileged; /* every capability */
};

/* process.json's text (malloc'd) from the bundle's config.json text. */
int exec_process_json(const char *config, const struct exec_request *rq, char **ret,
		      struct berr **err);

#endif
