/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OCI config.json of a container, made from its config with docker's secure
 * defaults: docker's capability set, masked and read-only /proc and /sys paths, the
 * default seccomp profile (data/seccomp_default.json), a device cgroup that denies
 * everything but the usual devices, /dev, /dev/pts, /dev/shm, /dev/mqueue, /proc, /sys
 * and /sys/fs/cgroup mounted as docker mounts them, and the container's hostname,
 * hosts and resolv.conf bound in. --privileged lifts all of it, as docker's does.
 */
#ifndef BERTH_ENGINE_OCI_SPEC_GEN_H
#define BERTH_ENGINE_OCI_SPEC_GEN_H

#include <stdbool.h>

#include "engine/container.h"
#include "engine/ns_modes.h"
#include "engine/user_lookup.h"
#include "lib/err.h"

struct spec_inputs {
	const struct container_config *cfg;
	const char *dir;	    /* the container's directory (hostname, hosts, resolv.conf) */
	const char *netns_path;	    /* NULL: the host's (or joins' donor's) network namespace */
	const char *userns_path;    /* the user namespace to join (with netns_path), or NULL */
	const char *init_path;	    /* the reaper bound at /sbin/docker-init (with --init) */
	const char *seccomp_custom; /* a docker-format profile, for cfg->seccomp "custom" */
	char *const *mount_sources; /* per cfg->mounts[i]: the host path (volumes resolved) */
	char *const
		*volume_tmpfs; /* per cfg->mounts[i]: a type=tmpfs volume's options, else NULL */
	const struct exec_user *user;
	bool swap_limit;  /* the host can limit swap (memsw / memory.swap.max) */
	bool apparmor;	  /* AppArmor is enabled on the host */
	bool selinux;	  /* SELinux is enabled on the host */
	int console_rows; /* terminal size for process.consoleSize, 0 if unknown */
	int console_cols;
	const char *devdir;	      /* "/dev": where --privileged finds the host's devices */
	const char *rootfs_path;      /* root.path; NULL: "rootfs" (the bundle's) */
	const struct ns_joins *joins; /* --pid/--ipc/--uts/--network container:NAME; NULL: none */
};

/* The container's cgroupsPath: "<parent>/<id>", always absolute (malloc'd). */
char *oci_cgroups_path(const struct container_config *cfg);

/* The process's environment: the config's, HOME from the user, TERM with a tty. */
int oci_process_env(const struct container_config *cfg, const struct exec_user *user, char ***ret);

/* Generate config.json (malloc'd JSON text in *ret). */
int oci_spec_generate(const struct spec_inputs *in, char **ret, struct berr **err);

/* The paths docker masks and makes read-only (NULL-terminated tables). */
extern const char *const oci_masked_paths[];
extern const char *const oci_readonly_paths[];

#endif
