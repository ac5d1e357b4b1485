/* SPDX-License-Identifier: Apache-2.0 */
/* The config.json that `berth-runtime spec` writes: as strict as runc's. */
#ifndef BERTH_RUNTIME_SPEC_DEFAULT_H
#define BERTH_RUNTIME_SPEC_DEFAULT_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * The default config (tab-indented JSON text, static), with a cgroup namespace when
 * cgroupns: runc adds one only on a pure cgroup v2 host, where the container's view of
 * /sys/fs/cgroup is then its own subtree; on v1 and hybrid hosts exec'd processes would
 * see "/" paths and a caller adding its own cgroup namespace would name it twice.
 */
const char *spec_default_text(bool cgroupns);

/* Whether /sys/fs/cgroup is a cgroup2 mount (a pure v2 host), as runc decides it. */
bool spec_default_host_is_cgroup2(void);

/*
 * The rootless config (`spec --rootless`, as runc's) for a caller with these ids: a user
 * namespace mapping them to root, and a cgroup namespace when cgroupns. Malloc'd, NULL on OOM.
 */
char *spec_default_rootless_text(uid_t uid, gid_t gid, bool cgroupns);

#endif
