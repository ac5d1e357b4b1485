/* SPDX-License-Identifier: Apache-2.0 */
/*
 * User namespaces of rootful containers: --userns=auto[:size=N] takes a free range of the
 * subordinate ids of user "berth" (or "containers", as podman) in /etc/subuid and
 * /etc/subgid; --uidmap/--gidmap give the mapping. The mapping is written into the
 * container's config.json at create (UidMap, GidMap), so the range is in use exactly as
 * long as the container's directory exists: rm frees it. The rootfs is shown to the
 * container through idmapped layers (image_snapshot_mount), never a chown'd copy.
 */
#ifndef BERTH_ENGINE_USERNS_H
#define BERTH_ENGINE_USERNS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/container.h"
#include "lib/err.h"

struct engine;

/* The largest --userns=auto size, and the default (podman's default is the image's). */
#define USERNS_AUTO_DEFAULT 65536u
#define USERNS_MAX_MAPS 32

/*
 * Where the runtime finds a user-namespaced container's rootfs: RUN_DIR/<id>/rootfs, a
 * bind of bundle/rootfs. The container's root bind-mounts it from inside its user
 * namespace, where the engine root's 0700 directories are closed to it; RUN_DIR is
 * 0711 (search only, as docker's /var/lib/docker under userns-remap) and RUN_DIR/<id> is
 * 0700 and the container root's, so no other host user reaches the rootfs.
 */
#define USERNS_RUN_DIR "/run/berth-userns"

/*
 * Bind bundle_rootfs on USERNS_RUN_DIR/<id>/rootfs for c's root. container_release_mounts
 * unmounts it and removes the directory.
 */
int userns_bind_rootfs(const struct container_config *c, const char *bundle_rootfs,
		       struct berr **err);

struct idmap_range {
	uint32_t container, host, size;
};

/*
 * Check --userns MODE, --uidmap and --gidmap and fill c->userns, c->uid_map, c->gid_map
 * ("auto" leaves the maps to userns_allocate at create). Nothing is allocated here.
 */
int userns_from_flags(const char *mode, char *const *uidmap, char *const *gidmap,
		      struct container_config *c, struct berr **err);

/* Parse "CONTAINER:HOST:SIZE" (flag names the option in the message). */
int userns_parse_range(const char *flag, const char *s, struct idmap_range *ret, struct berr **err);

/* Does the container have a user namespace of its own? */
bool userns_enabled(const struct container_config *c);
/*
 * c asks for a user namespace: enabled, or --userns auto (its maps are allocated at
 * create, after the flags are checked).
 */
bool userns_wanted(const struct container_config *c);

/*
 * For --userns=auto: lock <root>/userns.lock, pick the lowest free range of the subid
 * files' range for "berth" (or "containers") that no other container's UidMap/GidMap
 * overlaps, and write it into cfg. *ret_lockfd holds the lock: the caller keeps it until
 * config.json is written, then closes it. Other modes: 0 and *ret_lockfd = -1.
 */
int userns_allocate(struct engine *e, struct container_config *cfg, int *ret_lockfd,
		    struct berr **err);

/* The host uid and gid of the container's root (0 and 0 without a user namespace). */
void userns_root_ids(const struct container_config *c, uid_t *ret_uid, gid_t *ret_gid);

/*
 * A user namespace with c's mappings, for MOUNT_ATTR_IDMAP: *ret_fd is an fd of
 * /proc/PID/ns/user of a child that has exited; the caller owns it.
 */
int userns_open_fd(const struct container_config *c, int *ret_fd, struct berr **err);

#endif
