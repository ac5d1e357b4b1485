/* SPDX-License-Identifier: Apache-2.0 */
/*
 * --pid, --ipc, --uts and --network container:NAME (docker's PidMode, IpcMode, UTSMode,
 * NetworkMode): a namespace of the container's own (the default), the host's ("host":
 * none in config.json), or another running container's ("container:NAME": recorded as
 * "container:ID" at create, as dockerd does, and joined by /proc/PID/ns/TYPE at each
 * start, so a restarted or renamed donor is followed). IPC also has docker's "private",
 * "shareable" and "none": a shareable container's /dev/shm is a tmpfs on the host, in its
 * directory (<dir>/shm, 0700 above it), bound into it and into every container that
 * joins its IPC namespace; a private one's lives only in its own mount namespace, so it
 * cannot be joined (as docker: "non-shareable IPC"). A network joiner also binds the
 * donor's /etc/hostname, /etc/hosts and /etc/resolv.conf and takes its hostname, as
 * docker's; the network's other modes (none, host, bridges) are container.h's.
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
	NS_SHARE_NET, /* only "container:NAME" here (NETWORK_CONTAINER) */
	_NS_SHARE_MAX,
};

/* "pid", "ipc", "uts", "network": the OCI namespace type. */
const char *ns_share_type(enum ns_share k);

/*
 * The mode of kind k in cfg ("" when not set); for NS_SHARE_NET "container:ID" of a
 * NETWORK_CONTAINER container, else "".
 */
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
 * At create: the containers named exist (and are not cfg itself) and each mode names
 * its donor by id from then on; no mode conflicts with a user namespace (either side's);
 * --uts host / container:NAME take that hostname, --network container:NAME the donor's
 * hostname and domain name (a --uts mode's name wins).
 */
int ns_modes_create(struct engine *e, struct container_config *cfg, struct berr **err);

/*
 * What a start joins: per kind, /proc/PID/ns/TYPE of the donor; /dev/shm's source; the
 * directory whose hostname, hosts and resolv.conf are bound in.
 */
struct ns_joins {
	char *path[_NS_SHARE_MAX];
	char *shm_source; /* NULL: a tmpfs of the container's own */
	char *etc_dir;	  /* the network donor's directory; NULL: the container's own */
};

/*
 * At start: each container:NAME must be running; its init's namespace paths, for IPC
 * its /dev/shm (it must be shareable), for the network its directory (/etc files). c's
 * own shareable /dev/shm is mounted here.
 */
int ns_modes_resolve(struct engine *e, struct container *c, struct ns_joins *j, struct berr **err);
void ns_joins_done(struct ns_joins *j);

#endif
