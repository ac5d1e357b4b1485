/* SPDX-License-Identifier: Apache-2.0 */
/* The container's root filesystem: mounts, devices, pivot_root, masks, read-only root. */
#ifndef BERTH_RUNTIME_ROOTFS_H
#define BERTH_RUNTIME_ROOTFS_H

#include "lib/err.h"

struct container_ctx;

/*
 * In the init's new mount namespace: make the host's mounts slave (or private) so
 * nothing propagates back, bind the rootfs on itself, apply the config's mounts and
 * devices inside it, and open it. On success *ret_rootfd is an O_PATH fd of the rootfs.
 */
int rootfs_prepare(const struct container_ctx *c, bool in_userns, int *ret_rootfd,
		   struct berr **err);

/*
 * Make the rootfs the root: pivot_root (or MS_MOVE + chroot with no_pivot), detach the
 * old root, then mask and write-protect paths (masked files get a read-only clone of the
 * host's /dev/null, taken before pivot_root), make / read-only if asked, and set the
 * rootfs propagation. The cwd is "/" afterwards.
 */
int rootfs_enter(const struct container_ctx *c, int rootfd, struct berr **err);

/*
 * Without a mount namespace (a config validation allows only with no mounts, masks or
 * devices): chroot into the rootfs and mount nothing, since every mount would land in the
 * host's namespace. On success *ret_rootfd is an O_PATH fd of the new root; cwd is "/".
 */
int rootfs_chroot(const struct container_ctx *c, int *ret_rootfd, struct berr **err);

#endif
