/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Process attributes beyond identity and capabilities (config.md "Linux Process",
 * config-linux.md): process.ioPriority, process.scheduler, linux.personality and
 * linux.memoryPolicy. Each is validated while parsing (or, for what depends on the host
 * such as NUMA nodes, in the parent before anything is made) and applied in the init.
 */
#ifndef BERTH_RUNTIME_PROCESS_ATTRS_H
#define BERTH_RUNTIME_PROCESS_ATTRS_H

#include "lib/err.h"
#include "runtime/config/oci_config.h"

/* Rules between the fields of process.scheduler and process.ioPriority (as runc's). Pure. */
int process_attrs_validate(const struct spec_process *p, struct berr **err);

/* Rules of linux.memoryPolicy and linux.personality. Pure. */
int linux_attrs_validate(const struct spec_linux *l, struct berr **err);

/*
 * In the parent, before clone: the NUMA nodes of linux.memoryPolicy must exist on this
 * host (/sys/devices/system/node/online), for a clear error instead of EINVAL later.
 */
int memory_policy_check_nodes(const struct spec_linux *l, struct berr **err);

/*
 * In the init, while it is still privileged (SCHED_FIFO and a negative nice need
 * CAP_SYS_NICE, IOPRIO_CLASS_RT CAP_SYS_ADMIN): the I/O priority and the scheduler.
 */
int process_attrs_apply(const struct spec_process *p, struct berr **err);

/* In the init, right before execve: personality and memory policy (both kept by exec). */
int linux_attrs_apply(const struct spec_linux *l, struct berr **err);

/*
 * A node or CPU list ("0-3,7") as a bitmask of nbits bits (words of unsigned long).
 * -EINVAL for a malformed list or a number >= nbits. Pure.
 */
int bitmask_parse_list(const char *list, unsigned long *mask, size_t nbits);

#endif
