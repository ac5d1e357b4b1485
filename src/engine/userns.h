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

struct engine_config;

/* create's user namespace flags, and the engine configuration's default for them */
struct userns_flags {
	const char *mode;		     /* --userns */
	char *const *uidmap, *const *gidmap; /* --uidmap, --gidmap */
	bool privileged;
	const struct engine_config *config; /* its userns-remap; NULL: none */
};

/*
 * Check --userns MODE, --uidmap and --gidmap and fill c->userns, c->uid_map, c->gid_map
 * ("auto" leaves the maps to userns_allocate at create). Without any of the three, the
 * configuration's userns-remap applies (c->userns_remap): "auto" as --userns=auto, a
 * user's subordinate ids as --uidmap and --gidmap (userns_remap_maps), and --privileged
 * is refused (docker's); --userns=host opts out. Nothing is allocated here.
 */
int userns_from_flags(const struct userns_flags *f, struct container_config *c, struct berr **err);

/*
 * docker's userns-remap mapping of remap ("default", "USER" or "USER:GROUP"): the
 * subordinate uids of USER and gids of GROUP (lines of its name or of its number; USER's
 * own subgid lines without a GROUP; "default": user berth's, else containers'), sorted by
 * start and given consecutive container ids from 0. *ret_uid and *ret_gid are
 * "CONTAINER:HOST:SIZE" vectors the caller frees.
 */
int userns_remap_maps(const char *remap, char ***ret_uid, char ***ret_gid, struct berr **err);

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
