/* SPDX-License-Identifier: Apache-2.0 */
/* The user process: environment, executable lookup, identity, capabilities, exec. */
#ifndef BERTH_RUNTIME_PROCESS_H
#define BERTH_RUNTIME_PROCESS_H

#include <sys/types.h>

#include "lib/err.h"
#include "runtime/config/oci_config.h"

/*
 * Inside the container (after pivot_root): build the environment (adding HOME from
 * the container's /etc/passwd when it is missing, as runc does) and find args[0] on
 * the environment's PATH. *ret_path and *ret_env are owned by the caller.
 */
int process_prepare_exec(const struct spec_process *p, char **ret_path, char ***ret_env,
			 struct berr **err);

/*
 * Become the configured user with the configured capabilities, in the order that keeps
 * it possible: drop the bounding set while still privileged, keep capabilities across
 * setresuid, then set the final sets and ambient ones, no_new_privs and the umask.
 * Changes into cwd as the new user.
 */
int process_become_user(const struct spec_process *p, bool setgroups_allowed, struct berr **err);

/* The two halves of process_become_user: the bounding set, ids and cwd ... */
int process_set_identity(const struct spec_process *p, bool setgroups_allowed, struct berr **err);
/* ... then the capability sets, ambient ones, no_new_privs and the umask. */
int process_set_capabilities(const struct spec_process *p, struct berr **err);

/*
 * Write oomScoreAdj for process pid (0: the caller), from the runtime (the container's process is not
 * dumpable during setup, so in a user namespace it cannot write its own).
 */
int process_set_oom_score_adj(pid_t pid, const struct spec_process *p, struct berr **err);

#endif
