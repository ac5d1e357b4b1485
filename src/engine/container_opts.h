/* SPDX-License-Identifier: Apache-2.0 */
/*
 * docker create/run's flags as the user typed them (strings and lists, struct
 * container_flags), checked and turned into a struct container_config before
 * anything is written: a bad value fails here, with docker's words, and leaves nothing.
 */
#ifndef BERTH_ENGINE_CONTAINER_OPTS_H
#define BERTH_ENGINE_CONTAINER_OPTS_H

#include <stdbool.h>

#include "engine/container.h"
#include "lib/err.h"

struct engine_config;

struct container_flags {
	const char *name, *hostname, *domainname, *user, *workdir, *entrypoint, *runtime,
		*cgroup_parent, *network, *userns, *memory, *memory_swap, *memory_reservation,
		*cpus, *cpu_shares, *cpu_period, *cpu_quota, *cpuset_cpus, *cpuset_mems,
		*pids_limit, *blkio_weight, *shm_size, *stop_signal, *stop_timeout, *restart,
		*log_driver, *pull, *pid, *ipc, *uts, *health_cmd, *health_interval,
		*health_timeout, *health_start_period, *health_start_interval, *health_retries,
		*cidfile, *platform, *ip, *ingress_rate, *egress_rate, *ingress_burst,
		*egress_burst, *mac_address;
	char **env, **env_file, **volumes, **mounts, **tmpfs, **cap_add, **cap_drop, **security_opt,
		**labels, **label_files, **group_add, **ulimits, **sysctls, **devices, **read_bps,
		**write_bps, **log_opts, **uidmap, **gidmap, **volumes_from, **publish, **expose;
	char **dns, **dns_search, **dns_options, **add_hosts, **network_aliases; /* dns_opts.c */
	bool detach, rm, interactive, tty, read_only, privileged, init, quiet, no_healthcheck,
		oom_kill_disable, publish_all;
	const char *image;
	char *const *command;		    /* after the image; may be NULL */
	const struct engine_config *config; /* the engine's defaults (userns-remap); NULL: none */
};

/*
 * Check every flag of f and fill a new config (*ret, freed with
 * container_config_free()). The image's defaults are merged later, at create.
 */
int container_flags_to_config(const struct container_flags *f, struct container_config **ret,
			      struct berr **err);

/* Parse one -v/--volume value into m (docker's SRC:DST[:OPTS] / DST forms). */
int container_parse_volume(const char *spec, struct ctr_mount *m, struct berr **err);

/* Parse one --mount value (type=bind|volume|tmpfs,source=,target=,readonly,...). */
int container_parse_mount(const char *spec, struct ctr_mount *m, struct berr **err);

/* Free the strings of m. */
void ctr_mount_done(struct ctr_mount *m);

#endif
