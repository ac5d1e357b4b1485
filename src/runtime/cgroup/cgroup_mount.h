/* SPDX-License-Identifier: Apache-2.0 */
/* The "cgroup" mount of a container: what /sys/fs/cgroup shows inside it. */
#ifndef BERTH_RUNTIME_CGROUP_MOUNT_H
#define BERTH_RUNTIME_CGROUP_MOUNT_H

#include "lib/err.h"
#include "runtime/config/oci_config.h"

struct container_ctx;

/*
 * Mount the host's cgroup hierarchies at m->destination inside the rootfs: cgroup2
 * itself on a v2 host; on v1 and hybrid hosts a tmpfs with one cgroup mount per v1
 * hierarchy (and "unified" for the cgroup2 tree of a hybrid host). In a cgroup
 * namespace each shows the container's own cgroup as its root. Read-only when m says.
 */
int cgroup_mount_in_container(const struct container_ctx *c, int rootfd, const struct spec_mount *m,
			      struct berr **err);

#endif
