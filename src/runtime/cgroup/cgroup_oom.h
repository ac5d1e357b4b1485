/* SPDX-License-Identifier: Apache-2.0 */
/* Watching a container's cgroup for OOM kills (`events`). */
#ifndef BERTH_RUNTIME_CGROUP_OOM_H
#define BERTH_RUNTIME_CGROUP_OOM_H

#include <stdint.h>

#include "lib/err.h"
#include "runtime/cgroup/cgroup.h"

struct cgroup_oom;

/* Start watching (kills before this call are not reported). Caller owns *ret. */
int cgroup_oom_open(struct cgroup_manager *m, struct cgroup_oom **ret, struct berr **err);

/* An fd that polls readable (POLLIN) when an OOM kill may have happened. */
int cgroup_oom_fd(const struct cgroup_oom *o);

/* The number of OOM kills since the last call. -ENOENT once the cgroup is gone. */
int cgroup_oom_read(struct cgroup_oom *o, uint64_t *ret_new);

struct cgroup_oom *cgroup_oom_free(struct cgroup_oom *o);

#endif
