/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's cgroup on v1, v2 and hybrid hosts. cgroup.c picks a backend from the
 * host's layout; cgroup_v1.c, cgroup_v2.c and cgroup_hybrid.c fill in the same ops table
 * (STYLE.md §1).
 *
 * The container's path comes from linux.cgroupsPath: absolute, or relative to each
 * hierarchy's root (never to the caller's own cgroup), default /berth/<id>.
 */
#ifndef BERTH_RUNTIME_CGROUP_H
#define BERTH_RUNTIME_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"
#include "lib/cgroup_layout.h"
#include "runtime/config/oci_config.h"

struct cgroup_manager;
struct jwriter;

struct cgroup_ops {
	const char *name;
	/* mkdir the container's cgroup (and missing parents) in every hierarchy. */
	int (*create)(struct cgroup_manager *m, struct berr **err);
	/*
	 * Write the limits of config.json's linux.resources at create: the device rules
	 * always (runc's default list is added), everything else when given.
	 */
	int (*apply)(struct cgroup_manager *m, const struct spec_resources *r, struct berr **err);
	/* Move pid into the hierarchies that clone3's CLONE_INTO_CGROUP did not cover. */
	int (*enter)(struct cgroup_manager *m, pid_t pid, struct berr **err);
	/* Kill what is left in the cgroup and remove it from every hierarchy. */
	int (*destroy)(struct cgroup_manager *m, struct berr **err);
	/* The pids in the container's cgroup (malloc'd array). */
	int (*procs)(struct cgroup_manager *m, pid_t **ret, size_t *ret_n, struct berr **err);
};

typedef void (*cgroup_warn_fn)(const char *message);

struct cgroup_manager {
	const struct cgroup_ops *ops;
	struct cgroup_layout *layout;
	char *path;	       /* the container's path in every hierarchy: "/berth/<id>" */
	int unified_fd;	       /* the container's cgroup2 directory once created, or -1 */
	bool into_clone;       /* the init was cloned into unified_fd (CLONE_INTO_CGROUP) */
	bool v1_joined;	       /* it moved itself into the v1 hierarchies (cgroup_join.h) */
	cgroup_warn_fn warn;   /* settings that are accepted but ignored; may be NULL */
	char **v2_controllers; /* cache: the cgroup2 root's cgroup.controllers */
	bool v2_controllers_read;
};

/*
 * The container's cgroup path from cgroupsPath (may be NULL) and the id, as an absolute
 * path below each hierarchy's root. -EINVAL for a path with "..". Pure.
 */
int cgroup_path_for(const char *cgroups_path, const char *id, char **ret, struct berr **err);

/*
 * Detect the host's layout and set up a manager for path (no kernel change yet). On
 * success *ret is owned by the caller (cgroup_manager_free).
 */
int cgroup_manager_new(const char *path, struct cgroup_manager **ret, struct berr **err);
struct cgroup_manager *cgroup_manager_free(struct cgroup_manager *m);

/* The same with a given layout (taken over, even on failure): tests point it at a temp dir. */
int cgroup_manager_new_layout(const char *path, struct cgroup_layout *layout,
			      struct cgroup_manager **ret, struct berr **err);

/* The fd to pass to clone3 with CLONE_INTO_CGROUP, or -1 (v1-only host, or not created). */
int cgroup_clone_fd(const struct cgroup_manager *m);

/* Send sig to every process of the container's cgroup. */
int cgroup_signal_all(struct cgroup_manager *m, int sig, struct berr **err);

/*
 * Change the limits of a running container (`update`): only the fields set in r are
 * written; devices only when r->devices_set. Errors name the field ("memory.limit: ...").
 */
int cgroup_update(struct cgroup_manager *m, const struct spec_resources *r, struct berr **err);

/* The apply op of every backend: one dispatcher, controller by controller. */
int cgroup_apply_resources(struct cgroup_manager *m, const struct spec_resources *r,
			   struct berr **err);

/*
 * Freeze (pause) or thaw (resume) every process of the container: the v1 freezer, or
 * cgroup.freeze in cgroup2. Returns once the kernel reports the cgroup frozen/thawed.
 */
int cgroup_freeze(struct cgroup_manager *m, bool frozen, struct berr **err);

/*
 * -EBUSY with a message when the container's cgroup is frozen (its own freezer or an
 * ancestor's): a process started there would wait, in D state, until someone thaws it.
 * runc refuses such a cgroup too ("container's cgroup unexpectedly frozen").
 */
int cgroup_check_thawed(struct cgroup_manager *m, struct berr **err);

/*
 * The container's usage as the "data" of runc's stats event (`events --stats`): cpu,
 * memory, pids, blkio, hugetlb. On success the caller owns *ret (jw_free).
 */
int cgroup_stats(struct cgroup_manager *m, struct jwriter **ret, struct berr **err);

/* Helpers shared by the backends: "<mountpoint><path>" of a hierarchy. */
char *cgroup_dir(const struct cgroup_hier *h, const char *path);
int cgroup_mkdir_p(const char *dir, struct berr **err);
/* The pids in dir and in the cgroups below it (malloc'd). -ENOENT when dir is gone. */
int cgroup_read_procs(const char *dir, pid_t **ret, size_t *ret_n);
int cgroup_write_pid(const char *dir, pid_t pid, struct berr **err);
/*
 * Kill every process in dir (and below), wait for it to empty, then rmdir it after its
 * child cgroups (bounded time).
 */
int cgroup_kill_and_rmdir(const char *dir, struct berr **err);

extern const struct cgroup_ops cgroup_v1_ops;
extern const struct cgroup_ops cgroup_v2_ops;
extern const struct cgroup_ops cgroup_hybrid_ops;

#endif
