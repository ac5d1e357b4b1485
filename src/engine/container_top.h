/* SPDX-License-Identifier: Apache-2.0 */
/*
 * docker top: the host's `ps` (default -ef) run with the caller's arguments, its lines kept
 * for the processes of a running container (the runtime's `ps`), as dockerd's does.
 */
#ifndef BERTH_ENGINE_CONTAINER_TOP_H
#define BERTH_ENGINE_CONTAINER_TOP_H

#include "engine/container_store.h"
#include "lib/err.h"

/*
 * The lines of ps ps_args (NULL or empty: -ef) for c's processes, ps's header first, in
 * *ret (a malloc'd vector). c runs (or is paused). -errno with *err: "Couldn't find PID
 * field in ps output" when the header has no PID column.
 */
int container_top(struct engine *e, const struct container *c, char *const *ps_args, char ***ret,
		  struct berr **err);

#endif
