/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What `berth info` and `berth version` report about the host and the engine, read
 * from the kernel (uname, /proc/meminfo, sched_getaffinity, statfs, mountinfo's cgroup
 * layout, the LSMs), /etc/os-release, the container store and the image store.
 */
#ifndef BERTH_ENGINE_HOST_INFO_H
#define BERTH_ENGINE_HOST_INFO_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/container_store.h"
#include "image/store.h"
#include "lib/err.h"

struct host_info {
	int64_t containers, running, paused, stopped, images;
	char *backing_fs;	    /* docker's name of the root's filesystem: "extfs", "xfs" */
	const char *cgroup_version; /* docker's CgroupVersion: "1" (v1 and hybrid) or "2" */
	const char *cgroup_mode;    /* "v1", "hybrid", "v2", "none" */
	char *kernel;		    /* uname -r */
	char *os_name;		    /* PRETTY_NAME of /etc/os-release, else "Linux" */
	char *os_version;	    /* VERSION_ID, or "" */
	char *machine;		    /* uname -m: "x86_64" */
	char *hostname;
	int64_t ncpu;	   /* the CPUs this process may run on, as Go's NumCPU */
	int64_t mem_total; /* bytes, /proc/meminfo MemTotal */
	bool apparmor;	   /* the kernel has AppArmor enabled */
	bool selinux;	   /* SELinux is mounted (enforcing or not) */
	bool rootless;
};

/* Fill *ret for the engine e and image store s. Only OOM fails: unknown facts are "". */
int host_info_read(struct engine *e, struct image_store *s, struct host_info *ret);
void host_info_done(struct host_info *h);

/* Go's name of this machine's architecture ("amd64" for x86_64, "arm64" for aarch64). */
const char *host_go_arch(const char *machine);

/*
 * The version the runtime binary at path prints ("berth-runtime version 0.1.0", "runc
 * version 1.1.5": the word after "version" on its first line; malloc'd), or NULL.
 */
char *host_runtime_version(const char *path);

#endif
