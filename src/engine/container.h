/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container as the engine keeps it: what the user asked for (struct container_config,
 * written at create into <root>/containers/<id>/config.json, rewritten by rename and
 * update) and what happened to it (struct container_state, state.json, rewritten under
 * the container's lock).
 */
#ifndef BERTH_ENGINE_CONTAINER_H
#define BERTH_ENGINE_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/units.h"
#include "lib/err.h"

#define CONTAINER_ID_LEN 64
#define CONTAINER_NAME_MAX 128
#define ZERO_TIME "0001-01-01T00:00:00Z"

enum mount_kind {
	MOUNT_BIND,
	MOUNT_VOLUME,
	MOUNT_TMPFS,
	_MOUNT_KIND_MAX,
};

/* One of -v, --mount, --tmpfs. */
struct ctr_mount {
	enum mount_kind kind;
	char *source;	   /* host path (bind), volume name (volume), NULL (tmpfs) */
	char *target;	   /* absolute path in the container */
	bool readonly;	   /* ro */
	bool anonymous;	   /* a volume the engine named (removed by rm -v) */
	bool nocopy;	   /* volume: do not copy the image's files into a new volume */
	char *propagation; /* bind: rprivate (default), rshared, ... */
	char *options;	   /* tmpfs: "size=64m,mode=1777,noexec"; NULL otherwise */
};

/* --device HOST[:CONTAINER[:PERMS]] */
struct ctr_device {
	char *host, *container, *perms;
};

/* --device-read-bps / --device-write-bps PATH:RATE */
struct ctr_throttle {
	char *path;
	uint64_t rate;
};

enum network_mode {
	NETWORK_NONE,	   /* a network namespace of its own with only lo */
	NETWORK_HOST,	   /* the engine's own network namespace */
	NETWORK_BRIDGE,	   /* a bridge network (network_name; src/net): the default "bridge"
			   (container_default_network) or a user-defined one */
	NETWORK_CONTAINER, /* another running container's namespace (network_name:
			      "container:ID", ns_modes.h), its /etc files too */
	_NETWORK_MODE_MAX,
};

struct container_config {
	char *id;      /* 64 hex digits */
	char *name;    /* without docker's leading '/' */
	char *created; /* RFC 3339 */
	char *image;   /* as the user wrote it ("busybox") */
	char *image_id;
	/* the process: docker's Config */
	char **args; /* entrypoint + cmd, resolved at create */
	char **entrypoint, **cmd;
	char **env;
	char *user, *working_dir, *hostname, *domainname;
	char **labels; /* "key=value" */
	char *stop_signal;
	int64_t stop_timeout; /* seconds; -1: the default (10) */
	/* docker's Healthcheck (health.h): Test ["NONE"|"CMD",...|"CMD-SHELL",cmd]; ns; 0: default */
	char **health_test;
	int64_t health_interval, health_timeout, health_start_period, health_start_interval,
		health_retries;
	bool tty, open_stdin;
	/* the host side: docker's HostConfig */
	char *runtime;	    /* name as given ("berth-runtime", "runc", a path) */
	char *runtime_path; /* the binary */
	char *cgroup_parent;
	enum network_mode network;
	char *network_name; /* NETWORK_BRIDGE: the network's name; NETWORK_CONTAINER: its mode */
	char *ip;	    /* --ip, as given; NULL: the network picks */
	char *mac_address;  /* --mac-address, as given (checked: net/mac.h); NULL: docker's */
	char **publish;	    /* -p values, as given (checked: src/net/portspec.h) */
	char **exposed;	    /* "80/tcp": --expose, -p's container ports, the image's EXPOSE */
	bool publish_all;   /* -P */
	char **aliases;	    /* --network-alias (NETWORK_BRIDGE only) */
	char **dns, **dns_search, **dns_options; /* --dns, --dns-search, --dns-option */
	char **extra_hosts;			 /* --add-host NAME:IP, as given */
	char *pid_mode, *ipc_mode, *uts_mode;	 /* NULL, "host", "container:NAME" (ns_modes.h) */
	char *userns; /* as asked: NULL, "host", "auto[:size=N]", "private" (--uidmap) */
	char **uid_map, **gid_map; /* "CONTAINER:HOST:SIZE"; NULL: the host's ids */
	bool userns_remap; /* not kept: the engine configuration's userns-remap chose them */
	bool auto_remove, privileged, read_only, init, no_new_privileges;
	char **cap_add, **cap_drop;
	char **group_add;      /* --group-add: names (looked up at start) or gids */
	bool oom_kill_disable; /* linux.resources.memory.disableOOMKiller */
	char *seccomp;	/* NULL: the default profile; "unconfined"; else "custom" (seccomp.json) */
	char *apparmor; /* NULL: default; "unconfined"; a profile name */
	char **label_opts;
	int64_t memory, memory_swap, memory_reservation, nano_cpus, cpu_shares, cpu_period,
		cpu_quota, pids_limit, shm_size;
	uint16_t blkio_weight;
	char *cpuset_cpus, *cpuset_mems;
	/* --ingress-rate, --egress-rate (bits/s, 0: none), their bursts (bytes, 0: default) */
	int64_t ingress_rate, egress_rate, ingress_burst, egress_burst;
	char **sysctls;	     /* "key=value" */
	char **volumes_from; /* --volumes-from, as given (its mounts are in mounts) */
	struct ctr_mount *mounts;
	size_t n_mounts;
	struct ulimit *ulimits;
	size_t n_ulimits;
	struct ctr_device *devices;
	size_t n_devices;
	struct ctr_throttle *read_bps, *write_bps;
	size_t n_read_bps, n_write_bps;
	struct restart_policy restart;
	int64_t log_max_size; /* bytes; 0: no rotation */
	int64_t log_max_file;
	char *log_driver; /* json-file, local, journald, syslog, none (log_drivers.h) */
	char **log_opts;  /* --log-opt KEY=VALUE, checked */
};

enum container_status {
	STATUS_CREATED,
	STATUS_RUNNING,
	STATUS_PAUSED,
	STATUS_RESTARTING,
	STATUS_REMOVING,
	STATUS_EXITED,
	STATUS_DEAD,
	_STATUS_MAX,
};

struct container_state {
	enum container_status status;
	pid_t pid; /* the container's init (host pid), 0 when not running */
	uint64_t pid_start;
	pid_t monitor_pid;
	uint64_t monitor_start;
	int exit_code;
	bool oom_killed;
	char *error;
	char *started_at, *finished_at; /* RFC 3339, ZERO_TIME when never */
	int64_t restart_count;
	bool manually_stopped; /* stop or kill: no restart until the next start */
	bool cleaned;	       /* runtime state deleted, rootfs and netns unmounted */
	bool rootfs_mounted, netns_made;
};

/* Free the contents of c (and the struct with container_config_free). */
void container_config_done(struct container_config *c);
struct container_config *container_config_free(struct container_config *c);
static inline void container_config_freep(struct container_config **c)
{
	*c = container_config_free(*c);
}
#define _cleanup_container_config_ __attribute__((cleanup(container_config_freep)))

void container_state_done(struct container_state *s);

/* Serialise c as config.json (malloc'd; NULL on OOM). */
char *container_config_to_json(const struct container_config *c);
/* Parse config.json; the caller frees *ret with container_config_free(). */
int container_config_from_json(const char *buf, size_t len, struct container_config **ret,
			       struct berr **err);

char *container_state_to_json(const struct container_state *s);
int container_state_from_json(const char *buf, size_t len, struct container_state *ret,
			      struct berr **err);

/* "created", "running", ... as docker's State.Status. */
const char *container_status_name(enum container_status s);
const char *container_network_name(enum network_mode m);

/*
 * The network of a container made without --network (or with docker's "default"):
 * $BERTH_DEFAULT_NETWORK when set (none, host or a network's name; the test suites set
 * none, as dockerd's --bridge=none), else docker's default, "bridge".
 */
const char *container_default_network(void);

/* c is on docker's default network "bridge" (no name server, no aliases, no --ip). */
bool container_on_default_bridge(const struct container_config *c);
const char *container_mount_kind_name(enum mount_kind k);

/* The seconds `stop` waits before SIGKILL. */
static inline int64_t container_stop_timeout(const struct container_config *c)
{
	return c->stop_timeout >= 0 ? c->stop_timeout : 10;
}

/* A fresh state: created, never started. */
int container_state_init(struct container_state *s);

#endif
