/* SPDX-License-Identifier: Apache-2.0 */
/*
 * docker cp, safe against symlinks in the container: every path inside the container is
 * resolved in its root (openat2 RESOLVE_IN_ROOT, safe_path.c), and every file below it is
 * opened, created or walked relative to its parent's fd with O_NOFOLLOW, so a symlink the
 * container planted (even one swapped in while the copy runs) cannot make berth read or
 * write a host file. Symlinks are copied as symlinks, never followed.
 */
#ifndef BERTH_ENGINE_CONTAINER_CP_H
#define BERTH_ENGINE_CONTAINER_CP_H

#include <stdbool.h>
#include <stdint.h>

#include "image/store.h"
#include <sys/types.h>

#include "lib/err.h"

/* Copy src (a path in the root rootfd) to host_dst (into it when it is a directory). */
int container_cp_out(int rootfd, const char *src, const char *host_dst, struct berr **err);

/* Who owns what cp makes in a container with a user namespace: the host ids of its root. */
struct cp_owner {
	uid_t uid;
	gid_t gid;
};

/*
 * Copy host_src into the root rootfd at dst (into it when it is a directory). What is made
 * belongs to owner (NULL: to the caller, the host's root).
 */
int container_cp_in(int rootfd, const char *host_src, const char *dst, const struct cp_owner *owner,
		    struct berr **err);

/*
 * Copy what the host directory host_dir holds into the directory dst in the root rootfd
 * (cp - CTR:DIR, a tar unpacked first): -ENOTDIR when dst is not a directory there.
 */
int container_cp_in_contents(int rootfd, const char *host_dir, const char *dst,
			     const struct cp_owner *owner, struct berr **err);
/* The same, giving new files the owners they have in host_dir (build's COPY). */
int container_cp_in_staged(int rootfd, const char *host_dir, const char *dst, struct berr **err);

/*
 * Copy what the directory src holds (in the root rootfd) into the directory dstfd: a new
 * volume gets the image's files at its mount point, as docker's do. A src that is not
 * there (or not a directory) copies nothing.
 */
int container_cp_contents(int rootfd, const char *src, int dstfd);

/* What docker's archive HEAD tells of a path (X-Docker-Container-Path-Stat). */
struct cp_stat {
	char name[256]; /* the last component ("/" for the root) */
	int64_t size;
	mode_t mode; /* st_mode, the path itself (a symlink is not followed) */
	int64_t mtime_ns;
	char link_target[4096]; /* a symlink's target, else "" */
};

/*
 * Stat path (resolved in the root rootfd, its last component not followed) into *ret.
 * -ENOENT with docker's "Could not find the file PATH in container".
 */
int container_cp_stat(int rootfd, const char *path, struct cp_stat *ret, struct berr **err);

enum cp_mode {
	CP_OUT,		/* container_cp_out() */
	CP_IN,		/* container_cp_in() */
	CP_IN_CONTENTS, /* container_cp_in_contents() */
	CP_IN_STAGED,	/* as CP_IN_CONTENTS, keeping owners (build's COPY, staged by berth) */
};

/* The function of mode (container_cp_out, _in, _in_contents, _in_staged) on rootfd. */
int container_cp_mode(int rootfd, enum cp_mode mode, const char *src, const char *dst,
		      const struct cp_owner *owner, struct berr **err);

/*
 * Copy out of or into a stopped container: src and dst as the function of mode takes
 * them. The snapshot key is mounted on target (a directory in the
 * container's private directory) in a mount namespace of a child process, nosuid, nodev
 * and noexec, and goes away with that child: the host's mount table never shows it, so
 * no host user can enter it and run the image's set-uid files.
 */
int container_cp_stopped(struct image_store *s, const char *key, const char *target,
			 enum cp_mode mode, const char *src, const char *dst,
			 const struct cp_owner *owner, struct berr **err);

/*
 * The same for any fn: the snapshot key mounted on target in a child's private mount
 * namespace (nosuid, nodev, noexec), and fn(rootfd, data, err) run there. fn's error
 * comes back through a pipe; fds the caller opened (an output file) are the child's too.
 */
typedef int (*snapshot_fn)(int rootfd, void *data, struct berr **err);
int container_in_snapshot(struct image_store *s, const char *key, const char *target,
			  snapshot_fn fn, void *data, struct berr **err);

#endif
