/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.sysctl (config-linux.md, Sysctl): kernel parameters written inside the
 * container's namespaces. Only namespaced ones are accepted, as runc's validator has
 * it, so that a config can never change the host:
 * - the IPC ones (kernel.msgmax, msgmnb, msgmni, sem, shmall, shmmax, shmmni,
 *   shm_rmid_forced, fs.mqueue.*) with an IPC namespace;
 * - net.* with a network namespace that is not the runtime's own;
 * - kernel.domainname and kernel.hostname with a UTS namespace (kernel.hostname only
 *   when the config's `hostname` is not also set: they would fight).
 */
#ifndef BERTH_RUNTIME_SYSCTL_H
#define BERTH_RUNTIME_SYSCTL_H

#include "lib/err.h"
#include "runtime/config/spec.h"

/*
 * The rules above on the parsed config, and the shape of each key (no empty or ".."
 * component): pure, called while parsing. Errors name the key: "linux.sysctl.vm.x: ...".
 */
int sysctl_validate(const struct spec *s, struct berr **err);

/*
 * net.* keys with a network namespace joined by path: refuse the runtime's own (what
 * runc checks too). Reads /proc, changes nothing.
 */
int sysctl_check_host_netns(const struct spec *s, struct berr **err);

/*
 * In the init, once its namespaces exist (and before /proc/sys is made read-only): write
 * every key under /proc/sys. The values land in the namespaces of the writer.
 */
int sysctl_apply(const struct spec *s, struct berr **err);

#endif
