/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the runtime knows about a container while it creates it: the parsed config,
 * where things are, and the fds handed to the container's init across clone.
 */
#ifndef BERTH_RUNTIME_CONTAINER_H
#define BERTH_RUNTIME_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "runtime/cgroup/cgroup_join.h"
#include "runtime/process/namespaces.h"
#include "runtime/config/oci_config.h"
#include "runtime/security/security.h"

struct container_ctx {
	const struct spec *spec;
	const char *id;
	const char *bundle;	  /* absolute */
	const char *rootfs;	  /* absolute */
	int bundle_fd;		  /* O_PATH|O_DIRECTORY of the bundle */
	int ns_fds[_NS_TYPE_MAX]; /* namespaces to join (config `path`), -1 otherwise */
	int sync_fd;		  /* the init's end of the sync socket */
	int parent_sync_fd;	  /* the parent's end: closed in the init */
	int parent_only_fds[2];	  /* state root and locked state dir: closed in the init */
	int fifo_fd;		  /* exec.fifo opened O_RDWR (create), or -1 (run) */
	int clone_flags;	  /* CLONE_NEW* given to clone */
	int cgroup_fd;		  /* v2 cgroup dir for CLONE_INTO_CGROUP, or -1 */
	const char *cgroup_path;  /* its path below each hierarchy's root, or NULL */
	struct cgroup_join cgj;	  /* v1 "tasks" fds the init writes itself into */
	bool cgj_used;		  /* after spawn: the init took cgj (else: move it) */
	int preserve_fds;	  /* fds 3 .. 3+n-1 pass into the container */
	int listen_fds;		  /* the first listen_fds of them are LISTEN_FDS (passfds.h) */
	int console_fd;		  /* socket that gets the pty's master (terminal.h), or -1 */
	bool console_proxied;	  /* berth-runtime proxies the pty (foreground run) */
	bool no_pivot;		  /* --no-pivot: MS_MOVE + chroot instead of pivot_root */
	bool no_new_keyring;	  /* --no-new-keyring */
	bool setgroups_denied;	  /* "deny" was written to /proc/PID/setgroups */
	struct security_plan sec; /* seccomp program, listener, binary identity */
	int host_pid;		  /* the init's pid on the host (the init fills it in) */
	int *idmap_trees;  /* per mount: idmapped tree made before clone, or -1; may be NULL */
	int *bind_src_fds; /* per mount: its source opened by the parent (bind_sources.h), or
			      -1; may be NULL. The init's own */
};

/*
 * The container's init, after clone: set everything up inside the new namespaces, tell
 * the parent it is ready, wait for `start`, then exec the user process. Never returns;
 * a failure is sent over sync_fd and the init exits.
 */
_Noreturn void container_init(struct container_ctx *c);

/*
 * Clone the container's init into its new namespaces (clone3, with CLONE_INTO_CGROUP
 * when cgroup_fd >= 0). The init moves itself into cgj's v1 cgroups unless it is made
 * in a new user namespace or through an intermediate process: cgj_used says whether it
 * does; cgj is closed in the parent either way. On success *ret_pid is its pid on the
 * host.
 */
int container_spawn(struct container_ctx *c, pid_t *ret_pid, struct berr **err);

/*
 * clone3 with flags (| CLONE_INTO_CGROUP when cgroup_fd >= 0), falling back to clone on
 * kernels without clone3; fork-like (returns 0 in the child). *ret_into_cgroup says
 * whether the child started in cgroup_fd. -1 with errno on failure.
 */
pid_t spawn_clone(uint64_t flags, int cgroup_fd, bool *ret_into_cgroup);

#endif
