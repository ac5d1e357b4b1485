/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hooks (config.md "POSIX-platform Hooks"): running one kind of hook in order, each with
 * the container's state on stdin, its args and env, and its timeout.
 *
 * Who runs which (runtime.md "Lifecycle"):
 * - prestart, createRuntime: berth-runtime create, in the runtime namespace, when the
 *   init asks (SYNC_HOOKS) after its mounts and before pivot_root;
 * - createContainer: the init itself, in the container's namespaces, right after, with
 *   its cwd at the rootfs (as runc);
 * - startContainer: the init, after start, right before it executes the process: with
 *   the process's user, capabilities, no_new_privs, seccomp filter and environment, and
 *   no fd of the runtime (its path resolves in the container: the image may supply it);
 * - poststart: berth-runtime start (or run) once the process is executed;
 * - poststop: berth-runtime delete, after the container is gone; a failure is a warning.
 */
#ifndef BERTH_RUNTIME_HOOKS_H
#define BERTH_RUNTIME_HOOKS_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/err.h"
#include "runtime/config/oci_config.h"

/* The state a hook reads on stdin: runtime.md "State". */
struct hook_state {
	const char *id;
	const char *status; /* "creating", "created", "running", "stopped" */
	pid_t pid;	    /* as seen in the hook's namespace; 0 leaves it out */
	const char *bundle;
	const struct kv *annotations;
	size_t n_annotations;
};

/* The state as JSON (malloc'd), or NULL on OOM. Never touches NSS or files. */
char *hooks_state_json(const struct hook_state *st);

/* Does s have hooks of kind k? */
bool hooks_have(const struct spec *s, enum hook_kind k);

/*
 * Run the hooks of kind k in order, each with state_json on stdin. The first that fails
 * (cannot start, exits non-zero, is killed, or runs past its timeout, then it is
 * SIGKILLed) stops the run: "hooks.createRuntime[1] '/x': exited with status 3: <its
 * output>". The hooks' stdout and stderr are captured for that message.
 */
int hooks_run(const struct spec *s, enum hook_kind k, const char *state_json, struct berr **err);

typedef void (*hooks_warn_fn)(const char *message);

/* Run every hook of kind k; a failure is passed to warn and the rest still run. */
void hooks_run_warn(const struct spec *s, enum hook_kind k, const char *state_json,
		    hooks_warn_fn warn);

/* Run s's hooks of kind k with st as their state (see hooks_run). */
int hooks_run_state(const struct spec *s, enum hook_kind k, const struct hook_state *st,
		    struct berr **err);

struct container_ctx;

/*
 * In the init, after its mounts and before pivot_root: when the config has create-phase
 * hooks, send SYNC_HOOKS so that berth-runtime runs prestart and createRuntime, wait for
 * SYNC_HOOKS_DONE, then run createContainer here, in the container's namespaces.
 */
int hooks_init_create(const struct container_ctx *c, struct berr **err);

/* In the init, after start, as the process, right before its exec: startContainer. */
int hooks_init_start(const struct container_ctx *c, struct berr **err);

#endif
