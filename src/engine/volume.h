/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Volumes (docker's `volume` commands and the local driver) under the engine root:
 *
 *   volumes/<name>/_data          what containers see (the mount point's contents)
 *   volumes/<name>/volume.json    Driver, Labels, Options, CreatedAt, Scope (durable)
 *   volumes.lock                  flock(2): exclusive while a volume is made or removed,
 *                                 shared by a container create from its volumes to its
 *                                 config.json (so a volume is never removed under a
 *                                 container that is about to use it)
 *
 * A volume made by `run -v name:/dst` before volume.json existed has no volume.json: it
 * is a local volume without labels or options. Only the local driver exists; its
 * options (type, device, o) are used when a container starts (container_start.c): a
 * tmpfs or a bind of device replaces _data as the container's mount.
 */
#ifndef BERTH_ENGINE_VOLUME_H
#define BERTH_ENGINE_VOLUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/container_store.h"
#include "lib/err.h"

struct volume {
	char *name;
	char *driver;	  /* "local" */
	char *created_at; /* RFC 3339 (seconds) */
	char *mountpoint; /* <root>/volumes/<name>/_data */
	char **labels;	  /* "k=v"; NULL when made implicitly (docker's null) */
	char **options;	  /* "k=v"; NULL when made implicitly */
};

void volume_done(struct volume *v);

struct volume_list {
	struct volume *v;
	size_t n;
};

void volume_list_done(struct volume_list *l);

/* docker's local volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
bool volume_name_valid(const char *s);

/*
 * Check the local driver's options ("k=v"): only type, device and o; with any option,
 * type and device both. -EINVAL with docker's words ("invalid option key: \"x\"").
 */
int volume_opts_check(char *const *opts, struct berr **err);

/* What a container mounts for a volume. */
enum volume_mount_kind {
	VOLUME_MOUNT_DATA,  /* bind volumes/<name>/_data */
	VOLUME_MOUNT_TMPFS, /* type=tmpfs: a tmpfs with the o= options */
	VOLUME_MOUNT_BIND,  /* type=none o=bind: bind device */
};

/*
 * From a volume's options: the kind, and (malloc'd, maybe NULL) the bind source or the
 * tmpfs options. -EINVAL with *err for a type the engine does not mount itself.
 */
int volume_mount_plan(char *const *opts, enum volume_mount_kind *ret_kind, char **ret_arg,
		      struct berr **err);

/*
 * What a container that uses volume name mounts: *ret_arg (malloc'd) is the host path
 * (_data or the bind device, which must exist: docker's "error while mounting volume")
 * or the tmpfs options (maybe NULL). A volume removed since is its _data.
 */
int volume_mount_source(struct engine *e, const char *name, enum volume_mount_kind *ret_kind,
			char **ret_arg, struct berr **err);

/* ls and prune's --filter KEY=VALUE, docker's meaning (filters of one key OR'd). */
struct volume_filter {
	char **names;	   /* name=REGEX */
	char **drivers;	   /* driver=NAME */
	char **labels;	   /* label=K or K=V: every one must match */
	char **not_labels; /* label!=K or K=V: none may match (prune) */
	int dangling;	   /* -1: no filter, 0 or 1 */
};

void volume_filter_done(struct volume_filter *f);

/* Parse filters ("k=v") accepting only the keys in allowed (NULL-terminated). */
int volume_filter_parse(char *const *filters, const char *const *allowed, struct volume_filter *ret,
			struct berr **err);

/* v passes f; in_use: a container uses it. */
bool volume_filter_match(const struct volume_filter *f, const struct volume *v, bool in_use);

/*
 * Take volumes.lock (LOCK_EX or LOCK_SH); the fd releases it on close. -errno with
 * *err.
 */
int volume_lock(struct engine *e, int how, struct berr **err);

/*
 * Make volume name (a new 64-hex name when NULL) with driver, labels and options; an
 * existing one is kept as it is (docker's create is idempotent). *ret_name malloc'd.
 */
int volume_create(struct engine *e, const char *name, const char *driver, char *const *labels,
		  char *const *opts, char **ret_name, struct berr **err);

/*
 * The part of volume_create that container create uses with volumes.lock held (shared):
 * make name's directories and, when it is new, its volume.json (no labels, no options).
 */
int volume_ensure(struct engine *e, const char *name, struct berr **err);

/* Load name: -ENOENT with "No such volume: NAME". */
int volume_load(struct engine *e, const char *name, struct volume *ret, struct berr **err);

/* Every volume (sorted by name). */
int volume_list(struct engine *e, struct volume_list *ret, struct berr **err);

/* The ids of the containers (any state) whose mounts use volume name (malloc'd strv). */
int volume_users(struct engine *e, const char *name, char ***ret);

/*
 * v passes f, asking which containers use it only when f has dangling: 1 or 0, or
 * -errno when the containers cannot be listed.
 */
int volume_matches(struct engine *e, const struct volume_filter *f, const struct volume *v);

/*
 * Remove name unless a container uses it ("remove NAME: volume is in use - [ID, ...]",
 * -EBUSY). With force, a missing volume is success.
 */
int volume_remove(struct engine *e, const char *name, bool force, struct berr **err);

/*
 * Remove every volume no container uses that f passes; *ret_names (malloc'd strv, maybe
 * NULL) the names removed, *ret_bytes the size of the files they held.
 */
int volume_prune(struct engine *e, const struct volume_filter *f, char ***ret_names,
		 uint64_t *ret_bytes, struct berr **err);

#endif
