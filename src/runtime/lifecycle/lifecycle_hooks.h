/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hooks that berth-runtime itself runs, in the runtime namespace, for create, start,
 * run and delete (hooks.h says who runs which). Internal to lifecycle*.c.
 */
#ifndef BERTH_RUNTIME_LIFECYCLE_HOOKS_H
#define BERTH_RUNTIME_LIFECYCLE_HOOKS_H

#include "lib/err.h"
#include "runtime/lifecycle/runtime_opts.h"
#include "runtime/config/oci_config.h"
#include "runtime/lifecycle/state.h"

/*
 * The config that create saved in the state dir, parsed, when its text mentions needle
 * (a hook kind): *ret is NULL otherwise (nothing to run, nothing parsed).
 */
int lifecycle_saved_config(int dirfd, const char *needle, struct spec **ret, struct berr **err);

/* prestart then createRuntime, with the state "creating" and the init's host pid. */
int lifecycle_create_hooks(const struct spec *s, const struct container_state *st,
			   struct berr **err);

/*
 * poststart, with the state "running". A failure stops the container (SIGKILL to its
 * init) and is returned: runtime.md's lifecycle then goes on at delete.
 */
int lifecycle_poststart(const struct spec *s, const struct container_state *st, struct berr **err);

/* poststart for `start`: the hooks from the saved config (see lifecycle_saved_config). */
int lifecycle_poststart_saved(int dirfd, const struct container_state *st, struct berr **err);

/* poststop, with the state "stopped"; each failure is a warning (runtime.md step 13). */
void lifecycle_poststop(const struct spec *s, const struct container_state *st, warn_fn warn);

#endif
