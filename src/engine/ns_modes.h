/* SPDX-License-Identifier: Apache-2.0 */
/*
 * --pid, --ipc and --uts (docker's PidMode, IpcMode, UTSMode): a namespace of the
 * container's own (the default), the host's ("host": none in config.json), or another
 * running container's ("container:NAME": joined by /proc/PID/ns/TYPE at each start, so a
 * restarted donor is followed). IPC also has docker's "private", "shareable" and "none":
 * a shareable container's /dev/shm is a tmpfs on the host, in its directory
 * (<dir>/shm, 0700 above it), bound into it and into every container that joins its
 * IPC namespace; a private one's lives only in its own mount namespace, so it cannot be
 * joined (as docker: "non-shareable IPC").
 */
#ifndef BERTH_ENGINE_NS_MODES_H
#define BERTH_ENGINE_NS_MODES_H

#include <stdbool.h>

#include "engine/container.h"
#include "lib/err.h"

struct engine;
struct container;

enum ns_share {
	NS_SHARE_PID,
	NS_SHARE_IPC,
	NS_SHARE_UTS,
	_NS_SHARE_MAX,
};

/* "pid", "ipc", "uts": the OCI namespace type. */
const char *ns_share_type(enum ns_share k);

/* The mode of kind k in cfg ("" when not set). */
const char *ns_mode_of(const struct container_config *cfg, enum ns_share k);

/* Check --pid/--ipc/--uts MODE as docker's CLI does ("--pid: invalid PID mode"). */
int ns_mode_check(enum ns_share k, const char *mode, struct berr **err);

/* "host"? */
bool ns_mode_host(const char *mode);

/* NAME of "container:NAME", else NULL. */
const char *ns_mode_container(const char *mode);

/* The container has a namespace of kind k of its own (neither host nor joined). */
bool ns_mode_own(const struct container_config *cfg, enum ns_share k);

/* --ipc shareable: /dev/shm is <dir>/shm on the host. */
bool ns_ipc_shareable(const struct container_config *cfg);

/*
 * At create: the containers named exist (and are not cfg itself), no mode conflicts
 * with a user namespace, and --uts host / container:NAME take that hostname.
 */
int ns_modes_create(struct engine *e, struct container_config *cfg, struct berr **err);

/* What a start joins: per kind, /proc/PID/ns/TYPE of the donor; /dev/shm's source. */
struct ns_joins {
	char *path[_NS_SHARE_MAX];
	char *shm_source; /* NULL: a tmpfs of the container's own */
};

/*
 * At start: each container:NAME must be running; its init's namespace paths, and for
 * IPC its /dev/shm (it must be shareable). c's own shareable /dev/shm is mounted here.
 */
int ns_modes_resolve(struct engine *e, struct container *c, struct ns_joins *j, struct berr **err);
void ns_joins_done(struct ns_joins *j);

#endif
