/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The v1 half of CLONE_INTO_CGROUP: a new process moves itself into the container's v1
 * cgroups, through fds its parent opened before clone.
 *
 * Why: a v1 migration by pid (`echo PID > cgroup.procs`) write-locks the kernel's global
 * cgroup_threadgroup_rwsem, which waits for an RCU grace period (about 10 ms on this
 * machine when no other migration ran just before: more than the rest of `run`). A
 * single thread that moves itself (`echo 0 > tasks`) cannot exit or exec under the
 * kernel's feet, and the kernel skips that lock for it (measured on 6.18: 0.4 ms for
 * fork, 9 joins and exit, against 10 ms by pid; a kernel that takes the lock anyway is
 * no slower than before). The fds are opened by the runtime (the kernel checks the opener's
 * credentials), are close-on-exec, and the child closes them right after writing, before
 * anything of the container runs.
 */
#ifndef BERTH_RUNTIME_CGROUP_JOIN_H
#define BERTH_RUNTIME_CGROUP_JOIN_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

struct cgroup_manager;

#define CGROUP_JOIN_MAX 16

struct cgroup_join {
	int fds[CGROUP_JOIN_MAX];	    /* "tasks" of each v1 hierarchy, O_WRONLY */
	const char *where[CGROUP_JOIN_MAX]; /* their mount points, for messages (not owned) */
	size_t n;
};

/*
 * Open the container's "tasks" file in every v1 hierarchy of m (none on a cgroup2-only
 * host, or with m NULL). All or nothing: when one cannot be opened, j is left empty and
 * the manager's enter op moves the child by pid, as before (and reports why it cannot).
 * The caller closes the fds with cgroup_join_done(). m must outlive j (where[] points
 * into it).
 */
void cgroup_join_open(const struct cgroup_manager *m, struct cgroup_join *j);

/* In the child: move the calling thread into each cgroup of j, then close the fds. */
int cgroup_join_self(struct cgroup_join *j, struct berr **err);

/* Close j's fds (the parent after clone, or when the child will not use them). */
void cgroup_join_done(struct cgroup_join *j);

#endif
