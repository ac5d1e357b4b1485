/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the cgroup*.c files only: where each controller's files are for a container,
 * and reading and writing them with messages that name the file and the value.
 *
 * A controller lives in the v1 hierarchy that has it when there is one, else in the
 * cgroup2 tree when the kernel offers it there (a hybrid host such as this one has
 * hugetlb only in cgroup2), else nowhere. So one dispatcher serves v1, v2 and hybrid.
 */
#ifndef BERTH_RUNTIME_CGROUP_INTERNAL_H
#define BERTH_RUNTIME_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"
#include "runtime/cgroup/cgroup.h"

enum cgroup_ctrl {
	CG_CPU,
	CG_CPUACCT,
	CG_CPUSET,
	CG_MEMORY,
	CG_PIDS,
	CG_BLKIO,
	CG_HUGETLB,
	CG_NET_CLS,
	CG_NET_PRIO,
	CG_RDMA,
	CG_DEVICES,
	CG_FREEZER,
	_CG_CTRL_MAX,
};

/* The container's directory for one controller. */
struct cgroup_target {
	enum cgroup_ctrl ctrl;
	bool v2;
	char *dir; /* absolute */
	int fd;	   /* O_DIRECTORY of dir */
};

/* Name of c in v1 ("blkio") and in v2 ("io"; NULL: v1 only; "": the cgroup2 core). */
const char *cgroup_ctrl_v1_name(enum cgroup_ctrl c);
const char *cgroup_ctrl_v2_name(enum cgroup_ctrl c);

/*
 * Open the container's directory for c (which must exist: after create). With enable, a
 * v2 controller is first enabled in cgroup.subtree_control from the root down to the
 * container's parent. -ENOENT with a message naming the controller when this host does
 * not have it. The caller owns ret (cgroup_target_done).
 */
int cgroup_target_open(struct cgroup_manager *m, enum cgroup_ctrl c, bool enable,
		       struct cgroup_target *ret, struct berr **err);
void cgroup_target_done(struct cgroup_target *t);

/* cgroup2's root cgroup.controllers (cached in m; NULL without cgroup2). */
char **cgroup_v2_controllers(struct cgroup_manager *m);

/* Is c usable for the container on this host (v1 hierarchy or cgroup2 controller)? */
bool cgroup_has_ctrl(struct cgroup_manager *m, enum cgroup_ctrl c);

/*
 * Enable controllers (v2 names) in cgroup.subtree_control of every level above the
 * container (root included); one write per level when it can. best_effort ignores
 * refusals.
 */
int cgroup_v2_enable(struct cgroup_manager *m, char *const *controllers, bool best_effort,
		     struct berr **err);
int cgroup_v2_enable_one(struct cgroup_manager *m, const char *controller, struct berr **err);

/*
 * Write value to file in t. field ("memory.limit") prefixes the message:
 * "memory.limit: writing '1' to memory.max: <strerror>".
 */
int cgroup_set(const struct cgroup_target *t, const char *file, const char *value,
	       const char *field, struct berr **err);
int cgroup_set_u64(const struct cgroup_target *t, const char *file, uint64_t value,
		   const char *field, struct berr **err);
int cgroup_set_i64(const struct cgroup_target *t, const char *file, int64_t value,
		   const char *field, struct berr **err);

/* Read a whole file of t (malloc'd, NUL-terminated). -errno. */
int cgroup_get(const struct cgroup_target *t, const char *file, char **ret);
/* A single number ("max" reads as UINT64_MAX). */
int cgroup_get_u64(const struct cgroup_target *t, const char *file, uint64_t *ret);
/* The value of key in a "key value" per line file (cpu.stat, memory.events). */
int cgroup_get_keyed(const struct cgroup_target *t, const char *file, const char *key,
		     uint64_t *ret);
bool cgroup_has_file(const struct cgroup_target *t, const char *file);

/* Report a warning through the manager's warn function, if it has one. */
void cgroup_warn(const struct cgroup_manager *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The per-controller writers (cgroup_v1_resources.c, cgroup_v2_resources.c). */
typedef int (*cgroup_setter_fn)(struct cgroup_manager *m, const struct cgroup_target *t,
				const struct spec_resources *r, struct berr **err);
int cgroup_v1_set_memory(struct cgroup_manager *m, const struct cgroup_target *t,
			 const struct spec_resources *r, struct berr **err);
int cgroup_v1_set_cpu(struct cgroup_manager *m, const struct cgroup_target *t,
		      const struct spec_resources *r, struct berr **err);
int cgroup_v1_set_cpuset(struct cgroup_manager *m, const struct cgroup_target *t,
			 const struct spec_resources *r, struct berr **err);
int cgroup_v1_set_pids(struct cgroup_manager *m, const struct cgroup_target *t,
		       const struct spec_resources *r, struct berr **err);
int cgroup_v1_set_blkio(struct cgroup_manager *m, const struct cgroup_target *t,
			const struct spec_resources *r, struct berr **err);
int cgroup_v1_set_hugetlb(struct cgroup_manager *m, const struct cgroup_target *t,
			  const struct spec_resources *r, struct berr **err);
int cgroup_v1_set_net_cls(struct cgroup_manager *m, const struct cgroup_target *t,
			  const struct spec_resources *r, struct berr **err);
int cgroup_v1_set_net_prio(struct cgroup_manager *m, const struct cgroup_target *t,
			   const struct spec_resources *r, struct berr **err);
/* hugetlb.<size>.<suffix> (and .<rsvd_suffix> where the kernel has it) for each limit. */
int cgroup_hugetlb_write(const struct cgroup_target *t, const struct spec_resources *r,
			 const char *suffix, const char *rsvd_suffix, struct berr **err);
int cgroup_set_rdma(struct cgroup_manager *m, const struct cgroup_target *t,
		    const struct spec_resources *r, struct berr **err);
int cgroup_v2_set_memory(struct cgroup_manager *m, const struct cgroup_target *t,
			 const struct spec_resources *r, struct berr **err);
int cgroup_v2_set_cpu(struct cgroup_manager *m, const struct cgroup_target *t,
		      const struct spec_resources *r, struct berr **err);
int cgroup_v2_set_cpuset(struct cgroup_manager *m, const struct cgroup_target *t,
			 const struct spec_resources *r, struct berr **err);
int cgroup_v2_set_pids(struct cgroup_manager *m, const struct cgroup_target *t,
		       const struct spec_resources *r, struct berr **err);
int cgroup_v2_set_io(struct cgroup_manager *m, const struct cgroup_target *t,
		     const struct spec_resources *r, struct berr **err);
int cgroup_v2_set_hugetlb(struct cgroup_manager *m, const struct cgroup_target *t,
			  const struct spec_resources *r, struct berr **err);
/* linux.resources.unified: each key's controller enabled, then the file written. */
int cgroup_v2_set_unified(struct cgroup_manager *m, const struct spec_resources *r,
			  struct berr **err);
/* Device rules (cgroup_devices.c): v1 devices.allow/deny, or the v2 eBPF program. */
int cgroup_devices_set_v1(struct cgroup_manager *m, const struct cgroup_target *t,
			  const struct spec_resources *r, struct berr **err);
int cgroup_devices_set_v2(struct cgroup_manager *m, const struct cgroup_target *t,
			  const struct spec_resources *r, struct berr **err);

#endif
