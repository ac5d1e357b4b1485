/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.json's types (runtime-spec 1.3: config.md, config-linux.md): what
 * oci_config.c fills in and the rest of the runtime reads. Integers keep the spec's exact
 * widths; an optional scalar is a struct opt_* whose .set says whether it was given.
 */
#ifndef BERTH_RUNTIME_SPEC_H
#define BERTH_RUNTIME_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* In the order namespaces are joined: user first (it grants the rights for the
 * others), mount last (it changes how later paths resolve). */
enum ns_type {
	NS_USER,
	NS_IPC,
	NS_UTS,
	NS_NET,
	NS_PID,
	NS_CGROUP,
	NS_TIME,
	NS_MNT,
	_NS_TYPE_MAX,
};

struct opt_int64 {
	int64_t v;
	bool set;
};
struct opt_uint64 {
	uint64_t v;
	bool set;
};
struct opt_uint32 {
	uint32_t v;
	bool set;
};
struct opt_int32 {
	int32_t v;
	bool set;
};
struct opt_uint16 {
	uint16_t v;
	bool set;
};
struct opt_bool {
	bool v;
	bool set;
};

/* A string-to-string map member (annotations, sysctl, unified). */
struct kv {
	char *key;
	char *value;
};

struct id_mapping {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

struct id_mappings {
	struct id_mapping *v;
	size_t n;
};

/* Mount options, sorted out of the "options" strings during validation. */
struct mount_opts {
	unsigned long flags;	   /* MS_* for mount(2) */
	unsigned long clear;	   /* MS_* that an option turned off (rw, suid, ...) */
	unsigned long propagation; /* MS_SHARED/SLAVE/PRIVATE/UNBINDABLE (| MS_REC) */
	uint64_t attr_set;	   /* MOUNT_ATTR_* applied recursively (r* options) */
	uint64_t attr_clr;
	bool bind;
	bool recursive; /* rbind */
	bool idmap;	/* idmap or ridmap */
	bool ridmap;
	bool tmpcopyup;
	bool remount;
	char *data; /* filesystem-specific options, comma-separated; may be NULL */
};

struct spec_mount {
	char *destination; /* absolute (a relative one is made absolute) */
	char *source;
	char *type;
	char **options;
	struct id_mappings uid_mappings;
	struct id_mappings gid_mappings;
	struct mount_opts opts;
};

struct spec_hook {
	char *path;
	char **args;
	char **env;
	struct opt_int64 timeout; /* seconds, >= 1 */
};

enum hook_kind {
	HOOK_PRESTART,
	HOOK_CREATE_RUNTIME,
	HOOK_CREATE_CONTAINER,
	HOOK_START_CONTAINER,
	HOOK_POSTSTART,
	HOOK_POSTSTOP,
	_HOOK_KIND_MAX,
};

struct spec_hooks {
	struct spec_hook *v;
	size_t n;
};

struct spec_rlimit {
	int resource; /* RLIMIT_* */
	uint64_t soft;
	uint64_t hard;
};

/* Capability sets as bitmasks of CAP_* numbers. */
struct spec_capabilities {
	uint64_t bounding;
	uint64_t effective;
	uint64_t inheritable;
	uint64_t permitted;
	uint64_t ambient;
};

struct spec_user {
	uint32_t uid;
	uint32_t gid;
	struct opt_uint32 umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char *username;
};

struct spec_io_priority {
	bool set;
	int class; /* IOPRIO_CLASS_* */
	int32_t priority;
};

struct spec_scheduler {
	bool set;
	int policy; /* SCHED_* */
	struct opt_int32 nice;
	struct opt_int32 priority;
	uint64_t flags; /* SCHED_FLAG_* */
	struct opt_uint64 runtime;
	struct opt_uint64 deadline;
	struct opt_uint64 period;
};

struct spec_process {
	bool terminal;
	struct opt_uint64 console_height;
	struct opt_uint64 console_width;
	struct spec_user user;
	char **args;
	char *command_line;
	char **env;
	char *cwd;
	bool has_capabilities;
	struct spec_capabilities capabilities;
	struct spec_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	char *apparmor_profile;
	char *selinux_label;
	struct opt_int32 oom_score_adj;
	struct spec_io_priority io_priority;
	struct spec_scheduler scheduler;
	char *exec_cpu_affinity_initial;
	char *exec_cpu_affinity_final;
	/* What parsing ignored with a warning (config.md: unknown capabilities). */
	char **warnings;
};

struct spec_namespace {
	bool enabled;
	char *path; /* join this namespace instead of creating one */
};

struct spec_device {
	char type; /* 'c', 'b', 'u' or 'p' */
	char *path;
	int64_t major;
	int64_t minor;
	struct opt_uint32 file_mode;
	struct opt_uint32 uid;
	struct opt_uint32 gid;
};

struct spec_device_rule {
	bool allow;
	char type;	/* 'a', 'c' or 'b' */
	int64_t major;	/* -1: any */
	int64_t minor;	/* -1: any */
	char access[4]; /* subset of "rwm" */
};

struct spec_blkio_device {
	int64_t major;
	int64_t minor;
	struct opt_uint16 weight;
	struct opt_uint16 leaf_weight;
	uint64_t rate; /* throttles */
};

struct spec_blkio_devices {
	struct spec_blkio_device *v;
	size_t n;
};

struct spec_hugepage_limit {
	char *page_size; /* "2MB" */
	uint64_t limit;
};

struct spec_net_priority {
	char *name;
	uint32_t priority;
};

struct spec_rdma {
	char *device;
	struct opt_uint32 hca_handles;
	struct opt_uint32 hca_objects;
};

struct spec_resources {
	bool set;	  /* the object has members */
	bool devices_set; /* "devices" was given (maybe empty) */
	struct spec_device_rule *devices;
	size_t n_devices;
	struct {
		struct opt_int64 limit;
		struct opt_int64 reservation;
		struct opt_int64 swap;
		struct opt_int64 kernel;
		struct opt_int64 kernel_tcp;
		struct opt_uint64 swappiness;
		struct opt_bool disable_oom_killer;
		struct opt_bool use_hierarchy;
		struct opt_bool check_before_update;
	} memory;
	struct {
		struct opt_uint64 shares;
		struct opt_int64 quota;
		struct opt_uint64 burst;
		struct opt_uint64 period;
		struct opt_int64 realtime_runtime;
		struct opt_uint64 realtime_period;
		char *cpus;
		char *mems;
		struct opt_int64 idle;
	} cpu;
	struct opt_int64 pids_limit;
	struct {
		struct opt_uint16 weight;
		struct opt_uint16 leaf_weight;
		struct spec_blkio_devices weight_device;
		struct spec_blkio_devices throttle_read_bps;
		struct spec_blkio_devices throttle_write_bps;
		struct spec_blkio_devices throttle_read_iops;
		struct spec_blkio_devices throttle_write_iops;
	} block_io;
	struct spec_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;
	struct {
		struct opt_uint32 class_id;
		struct spec_net_priority *priorities;
		size_t n_priorities;
	} network;
	struct spec_rdma *rdma;
	size_t n_rdma;
	struct kv *unified;
	size_t n_unified;
};

struct spec_syscall_arg {
	uint32_t index; /* 0..5 */
	uint64_t value;
	uint64_t value_two;
	int op; /* enum seccomp_op from seccomp.h */
};

struct spec_syscall {
	char **names;
	int action; /* enum seccomp_action */
	struct opt_uint32 errno_ret;
	struct spec_syscall_arg *args;
	size_t n_args;
};

struct spec_seccomp {
	bool set;
	int default_action; /* enum seccomp_action */
	struct opt_uint32 default_errno_ret;
	int *architectures; /* enum seccomp_arch */
	size_t n_architectures;
	unsigned flags; /* bits 1u << enum seccomp_flag */
	char *listener_path;
	char *listener_metadata;
	bool uses_notify; /* some syscalls[].action is SCMP_ACT_NOTIFY */
	struct spec_syscall *syscalls;
	size_t n_syscalls;
};

struct spec_time_offset {
	bool set;
	int64_t secs;
	uint32_t nanosecs;
};

struct spec_linux {
	struct spec_namespace ns[_NS_TYPE_MAX];
	struct id_mappings uid_mappings;
	struct id_mappings gid_mappings;
	struct spec_time_offset time_boottime;
	struct spec_time_offset time_monotonic;
	struct spec_device *devices;
	size_t n_devices;
	struct kv *net_devices; /* host name -> name in the container ("" keeps it) */
	size_t n_net_devices;
	char *cgroups_path;
	struct spec_resources resources;
	unsigned long rootfs_propagation; /* MS_* | MS_REC, 0 if not given */
	struct spec_seccomp seccomp;
	struct kv *sysctl;
	size_t n_sysctl;
	char **masked_paths;
	char **readonly_paths;
	char *mount_label;
	bool has_intel_rdt;
	struct {
		char *clos_id;
		char **schemata;
		char *l3_cache_schema;
		char *mem_bw_schema;
		bool enable_monitoring;
	} intel_rdt;
	bool has_memory_policy;
	struct {
		int mode; /* MPOL_* */
		char *nodes;
		unsigned flags;
	} memory_policy;
	bool has_personality;
	struct {
		unsigned long domain; /* PER_LINUX or PER_LINUX32 */
		char **flags;
	} personality;
};

struct spec {
	char *oci_version;
	char *root_path; /* as written; resolved against the bundle by the caller */
	bool root_readonly;
	struct spec_mount *mounts;
	size_t n_mounts;
	struct spec_process *process; /* NULL when absent */
	char *hostname;
	char *domainname;
	struct spec_hooks hooks[_HOOK_KIND_MAX];
	struct kv *annotations;
	size_t n_annotations;
	struct spec_linux linux;
	/* Fields recognised but not (yet) applied by this runtime: the CLI warns about each. */
	char **warnings;
};

#endif
