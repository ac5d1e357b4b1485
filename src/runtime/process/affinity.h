/* SPDX-License-Identifier: Apache-2.0 */
/*
 * process.execCPUAffinity (config.md, Linux Process). The spec makes it an `exec`
 * setting: "not applicable to the container's init process". For exec, `initial` is
 * the CPU list of the runtime's process that joins the container, before it moves
 * into the container's cgroup; `final` the list after the move (the cgroup's cpuset
 * may have changed it); no `final` leaves the kernel's choice.
 */
#ifndef BERTH_RUNTIME_AFFINITY_H
#define BERTH_RUNTIME_AFFINITY_H

#include <sched.h>
#include <sys/types.h>

#include "lib/err.h"

/*
 * Parse a CPU list ("0-3,7") into *ret. field names it in errors
 * ("process.execCPUAffinity.initial"). -EINVAL for a malformed list or a CPU beyond
 * CPU_SETSIZE. Pure.
 */
int affinity_parse(const char *list, const char *field, cpu_set_t *ret, struct berr **err);

/*
 * Set the affinity of pid (0: the caller) to list; NULL or "" does nothing. A list with
 * no CPU this host has online is refused with a clear error (EINVAL from the kernel).
 */
int affinity_apply(pid_t pid, const char *list, const char *field, struct berr **err);

#endif
