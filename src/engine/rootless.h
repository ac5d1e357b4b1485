/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rootless berth: the engine run by an unprivileged user, with no setuid helper of its
 * own. Its state goes under the user's XDG directories; every command runs in one user
 * namespace (the user's uid as root, then the user's subordinate ids from /etc/subuid and
 * /etc/subgid, mapped by Debian's setuid newuidmap/newgidmap) and one mount namespace it
 * owns. A pause process holds both, as podman's does, so that run, exec, cp and rm see the
 * same mapping and the same mounts (the containers' overlays); its pid is in
 * RUN_DIR/pause.pid. Inside, berth is uid 0 of that namespace: overlays mount with
 * "userxattr" (Linux 5.11), the runtime binds /dev's nodes and goes on without a cgroup
 * it may not create.
 */
#ifndef BERTH_ENGINE_ROOTLESS_H
#define BERTH_ENGINE_ROOTLESS_H

#include <stdbool.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "lib/err.h"

/* Set in the environment of a command that runs in the rootless namespaces. */
#define ROOTLESS_ENV "_BERTH_ROOTLESS_UID"

struct rootless_paths {
	char *data;   /* $XDG_DATA_HOME/berth (~/.local/share/berth): the engine root */
	char *run;    /* $XDG_RUNTIME_DIR/berth: the pause process, the API's socket */
	char *config; /* $XDG_CONFIG_HOME/berth (~/.config/berth) */
};

/*
 * Is berth rootless: not run by the host's root, or run inside the namespaces
 * (ROOTLESS_ENV set by rootless_enter, inherited by berth-monitor and `berth unshare`)?
 */
static inline bool rootless_mode(void)
{
	return geteuid() != 0 || getenv(ROOTLESS_ENV);
}

/* The user's directories (nothing is created); the caller frees with rootless_paths_done. */
int rootless_paths_get(struct rootless_paths *ret, struct berr **err);
void rootless_paths_done(struct rootless_paths *p);

/*
 * Join the user's rootless namespaces, making them (and the pause process) first when
 * none are alive. Afterwards the process is uid 0 there, with ROOTLESS_ENV set, and in the
 * same working directory. A no-op inside them already.
 */
int rootless_enter(const char *run_dir, struct berr **err);

struct container_config;

/*
 * What rootless berth cannot do yet for c: a user namespace of its own is refused;
 * resource limits are not applied (berth has no cgroup it may write): one warning.
 */
int rootless_check_config(const struct container_config *c, struct berr **err);

/* The pause process's pid, or -ESRCH when none is alive (berth info). */
pid_t rootless_pause_pid(const char *run_dir);

#endif
