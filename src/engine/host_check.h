/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's resources checked against this host before anything is created, as
 * dockerd's create checks them (daemon_unix.go verifyPlatformContainerResources): --cpus
 * within the CPUs there are, --cpuset-cpus/--cpuset-mems within those online, and a
 * block IO weight the kernel cannot apply dropped with docker's warning.
 */
#ifndef BERTH_ENGINE_HOST_CHECK_H
#define BERTH_ENGINE_HOST_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/container.h"
#include "lib/err.h"

/* Where the host facts are read (tests point these at files of their own). */
struct host_facts {
	int ncpu;		 /* CPUs berth may run on (sched_getaffinity), docker's NumCPU */
	const char *cpus_online; /* "/sys/devices/system/cpu/online" */
	const char *mems_online; /* "/sys/devices/system/node/online" */
	bool blkio_weight;	 /* the kernel can weigh block IO (cgroup v1 blkio.weight or */
				 /* blkio.bfq.weight; cgroup2's io controller) */
	bool oom_kill_disable;	 /* v1 memory.oom_control: the OOM killer can be disabled */
	char machine[65];	 /* uname's machine: "x86_64", "aarch64", ... */
};

/* This host's facts. */
void host_facts_read(struct host_facts *ret);

/*
 * Check cfg against h in docker's words (-EINVAL with *err). What docker drops is dropped
 * from cfg, and *ret_warnings (a strv the caller frees; NULL when none) has docker's
 * "WARNING:" text for it.
 */
int host_check_config(struct container_config *cfg, const struct host_facts *h,
		      char ***ret_warnings, struct berr **err);

/*
 * docker's --platform OS[/ARCH[/VARIANT]] against this host's (h->machine): linux and
 * the host's architecture (amd64 = x86_64, arm64 = aarch64) with a variant of it are
 * accepted; -EINVAL with what was wanted and what the host is otherwise.
 */
int host_check_platform(const char *platform, const struct host_facts *h, struct berr **err);

/*
 * Parse a cpuset list ("0-3,7") into bits (bit n: CPU or node n, n < 1024). -EINVAL for
 * anything else.
 */
int host_parse_cpuset(const char *s, uint64_t bits[16]);

#endif
