/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The engine's containers on disk, under the engine root (default /var/lib/berth):
 *
 *   containers/<id>/config.json   what the user asked for (written at create; rename, update)
 *   containers/<id>/state.json    status, pids, exit code, times (replaced atomically)
 *   containers/<id>/lock          flock(2): held while state.json is read and changed
 *   containers/<id>/bundle/       the OCI bundle: config.json and rootfs/ (the overlay)
 *   containers/<id>/hostname, hosts, resolv.conf, <id>-json.log, netns
 *   names/<name> -> <id>          a symlink: creating it reserves the name (atomic)
 *   runtime/<runtime>/            the OCI runtime's --root
 *   volumes/<name>/_data          volumes (and volume.json: engine/volume.h)
 *
 * Every `berth` command and every monitor takes a container's lock for the short time
 * it reads and changes the state, never while it waits for a process, so concurrent
 * commands see one consistent state.
 */
#ifndef BERTH_ENGINE_CONTAINER_STORE_H
#define BERTH_ENGINE_CONTAINER_STORE_H

#include <stdbool.h>

#include "engine/container.h"
#include "lib/err.h"

struct engine {
	char *root;	   /* absolute */
	int rootfd;	   /* O_PATH of root */
	int containers_fd; /* O_PATH of root/containers */
	int names_fd;	   /* O_PATH of root/names */
};

/* Open (creating them) the engine's directories under root. */
int engine_open(const char *root, struct engine **ret, struct berr **err);
struct engine *engine_free(struct engine *e);
static inline void engine_freep(struct engine **e)
{
	*e = engine_free(*e);
}
#define _cleanup_engine_ __attribute__((cleanup(engine_freep)))

/* A container loaded from disk, maybe with its lock held. */
struct container {
	struct container_config *cfg;
	struct container_state st;
	char *dir;  /* absolute path of containers/<id> */
	int dirfd;  /* O_DIRECTORY of dir */
	int lockfd; /* the flock'd lock file, or -1 */
	/* at start, for the monitor to hold: the published ports' sockets and lock */
	int *held_fds;
	size_t n_held_fds;
};

/* Close and forget c->held_fds. */
void container_close_held(struct container *c);

struct container *container_free(struct container *c);
static inline void container_freep(struct container **c)
{
	*c = container_free(*c);
}
#define _cleanup_container_ __attribute__((cleanup(container_freep)))

/* Release the lock of c (kept loaded). */
void container_unlock(struct container *c);

/* Take the lock again and reload the state (another command may have changed it). */
int container_relock(struct container *c, struct berr **err);

/*
 * The id of the container ref names: a full id, a name (with or without docker's
 * leading '/'), or a unique id prefix. -ENOENT ("No such container: REF") or -EINVAL
 * (ambiguous) with *err set. *ret is malloc'd.
 */
int container_resolve(struct engine *e, const char *ref, char **ret, struct berr **err);

/* Load container id, with its lock held when lock is true. */
int container_load(struct engine *e, const char *id, bool lock, struct container **ret,
		   struct berr **err);

/*
 * As container_load, but a container whose config.json or state.json is missing or
 * corrupt (and that no create is still writing) is loaded with status STATUS_DEAD,
 * st.error saying why, and what could be found of its config (container_dead.c), for
 * ps and rm. container_load refuses it: "container X is dead (why): remove it ...".
 */
int container_load_any(struct engine *e, const char *id, bool lock, struct container **ret,
		       struct berr **err);
int container_open_any(struct engine *e, const char *ref, bool lock, struct container **ret,
		       struct berr **err);

/*
 * A dead container whose runtime still has state for it: it may be running, and only
 * rm (which kills it) removes it, not prune.
 */
bool container_dead_may_run(struct engine *e, const struct container *c);

/* Internal to the store (container_dead.c): make c (cfg maybe NULL) a dead container. */
int container_dead_fill(struct engine *e, struct container *c, const char *id, const char *why);

/* container_resolve + container_load. */
int container_open(struct engine *e, const char *ref, bool lock, struct container **ret,
		   struct berr **err);

/* Write c->st to state.json (atomically). The caller holds the lock. */
int container_save_state(struct container *c, struct berr **err);

/* The ids of every container (malloc'd vector, unsorted). */
int container_list_ids(struct engine *e, char ***ret);

/* A new random id (65 bytes: 64 hex digits and NUL). */
int container_new_id(char id[static CONTAINER_ID_LEN + 1]);

/* 64 lowercase hex digits. */
bool container_id_valid(const char *s);

/* containers/<id> exists (complete or not). */
bool container_dir_exists(struct engine *e, const char *id);

/* The id names/<name> points at, if its directory exists (malloc'd), else NULL. */
char *container_name_target(struct engine *e, const char *name);

/* Docker's name rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
bool container_name_valid(const char *name);

/*
 * container_names.c. Reserve name for id: -EEXIST with docker's "Conflict" message when
 * another container has it. A stale name is taken over: its container is gone (the caller
 * made the container's directory first, so a name whose directory is missing is stale), or
 * a killed rename left it (the container's config.json carries another name and its lock
 * is free). A name that already points at id is success.
 */
int container_name_reserve(struct engine *e, const char *name, const char *id, struct berr **err);

/*
 * Draw a free "adjective_surname" name (docker's style) and reserve it for id in one
 * step (the exclusive symlinkat), drawing again on a clash. *ret is malloc'd.
 */
int container_name_reserve_generated(struct engine *e, const char *id, char **ret,
				     struct berr **err);

/* Release name if it still points at id. */
void container_name_release(struct engine *e, const char *name, const char *id);

/* Release every name that points at id (rm: with names a killed rename left). */
void container_name_release_all(struct engine *e, const char *id);

/*
 * names/<name> points at id: is it the name id's config.json carries? A killed rename
 * leaves a name that is not (stale). True when the config cannot be read (a create in
 * progress, a dead container), which keeps their names.
 */
bool container_name_current(struct engine *e, const char *name, const char *id);

/*
 * Rename c (locked) to new_name (docker's leading '/' allowed): the new name reserved,
 * config.json rewritten, the old name released, in that order (crash-safe: ARCHITECTURE.md).
 * Docker's messages: the same name, "Error when allocating new name: Conflict. ...".
 */
int container_rename(struct engine *e, struct container *c, const char *new_name,
		     struct berr **err);

/*
 * The steps of create that write the container's directory (container_create.c calls
 * them in this order, with the other steps between):
 * 1. container_dir_create makes containers/<id> and its lock, flock'd: *ret_lockfd is
 *    held until create is done, so that nobody takes the directory for abandoned;
 * 2. container_dir_write_config writes config.json (durably);
 * 3. container_dir_complete writes the first state.json (durably), last: a directory
 *    without a state.json whose lock is free is what a killed create left (a "dead"
 *    container, that rm and prune remove).
 */
int container_dir_create(struct engine *e, const char *id, int *ret_dirfd, int *ret_lockfd,
			 struct berr **err);
int container_dir_write_config(int dirfd, const struct container_config *cfg, struct berr **err);
int container_dir_complete(int dirfd, struct berr **err);

/* Remove containers/<id> and everything in it (the caller unmounted what was mounted). */
int container_dir_remove(struct engine *e, const char *id, struct berr **err);

/* "<root>/runtime/<name>": the runtime's --root for this engine (malloc'd). */
char *engine_runtime_root(const struct engine *e, const char *runtime_name);

/* "<dir>/<rel>" of a container (malloc'd). */
char *container_path(const struct container *c, const char *rel);

#endif
