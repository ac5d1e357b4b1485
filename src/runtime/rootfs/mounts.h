/* SPDX-License-Identifier: Apache-2.0 */
/* The config's mounts: one entry at a time, onto targets resolved inside the rootfs. */
#ifndef BERTH_RUNTIME_MOUNTS_H
#define BERTH_RUNTIME_MOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"
#include "runtime/config/oci_config.h"

struct container_ctx;

/* A bind mount: "bind" among the options, or type "bind". */
bool mounts_is_bind(const struct spec_mount *m);

/*
 * Mount m inside the rootfs open at rootfd. The destination is resolved (and created)
 * inside the rootfs: a symlink in the rootfs never leads the mount out of it. Bind
 * sources are absolute or relative to the bundle.
 */
int mounts_apply(const struct container_ctx *c, int rootfd, const struct spec_mount *m,
		 struct berr **err);

/*
 * For type "proc" or "sysfs": fail unless fd (the mount point, reopened after the
 * mount) is on a real procfs or sysfs (CVE-2019-16884). Other types pass.
 */
int mounts_check_fs_type(int fd, const char *type, struct berr **err);

/*
 * Before clone, as the host's root (only it may idmap a host filesystem): for every
 * mount with idmap or ridmap, clone its source as a detached tree and apply
 * MOUNT_ATTR_IDMAP (recursively for ridmap) with the mount's own mappings, or else the
 * container's (a user namespace made for them, or the one joined by path). *ret_trees
 * gets one fd per mount (-1 for the others), or NULL when no mount is idmapped; free it
 * with mounts_close_trees. Errors name the mount ("mounts[2]: ...").
 */
int mounts_prepare_idmapped(const struct spec *s, int bundle_fd, int **ret_trees,
			    struct berr **err);

/* Close the fds of trees (n of them) and free it; NULL is fine. Returns NULL. */
int *mounts_close_trees(int *trees, size_t n);

#endif
