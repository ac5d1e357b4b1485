/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/process/process_attrs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"

/* Enough for every NUMA node Linux allows (CONFIG_NODES_SHIFT <= 10). */
#define NODE_BITS 1024
#define LONG_BITS (sizeof(unsigned long) * CHAR_BIT)

enum { POL_OTHER, POL_FIFO, POL_RR, POL_BATCH, POL_ISO, POL_IDLE, POL_DEADLINE };
enum { MP_DEFAULT, MP_PREFERRED, MP_BIND, MP_INTERLEAVE, MP_LOCAL };
#define MPOL_FLAG_STATIC (1u << 15)
#define MPOL_FLAG_RELATIVE (1u << 14)

/* The kernel's struct sched_attr (sched_setattr(2)), with the utilization clamps. */
struct kernel_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
	uint32_t sched_util_min;
	uint32_t sched_util_max;
};

int bitmask_parse_list(const char *list, unsigned long *mask, size_t nbits)
{
	const char *p = list;

	memset(mask, 0, (nbits + LONG_BITS - 1) / LONG_BITS * sizeof(unsigned long));
	while (*p) {
		char *end;
		unsigned long a, b;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		a = strtoul(p, &end, 10);
		b = a;
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				return -EINVAL;
			b = strtoul(end + 1, &end, 10);
		}
		if (a > b || b >= nbits)
			return -EINVAL;
		for (unsigned long i = a; i <= b; i++)
			mask[i / LONG_BITS] |= 1UL << (i % LONG_BITS);
		if (*end == ',' && end[1])
			end++;
		else if (*end)
			return -EINVAL;
		p = end;
	}
	return 0;
}

static bool mask_empty(const unsigned long *mask, size_t nbits)
{
	for (size_t i = 0; i < (nbits + LONG_BITS - 1) / LONG_BITS; i++)
		if (mask[i])
			return false;
	return true;
}

int process_attrs_validate(const struct spec_process *p, struct berr **err)
{
	const struct spec_scheduler *s = &p->scheduler;
	bool rt = s->policy == POL_FIFO || s->policy == POL_RR;

	if (!s->set)
		return 0;
	if (s->policy == POL_ISO)
		return berr_set(err, EINVAL,
				"process.scheduler.policy: SCHED_ISO is not "
				"implemented by Linux");
	if (rt && (!s->priority.set || s->priority.v < 1 || s->priority.v > 99))
		return berr_set(err, EINVAL,
				"process.scheduler.priority: SCHED_FIFO and SCHED_RR need a "
				"priority between 1 and 99");
	if (!rt && s->priority.set && s->priority.v != 0)
		return berr_set(err, EINVAL,
				"process.scheduler.priority: only for SCHED_FIFO or SCHED_RR");
	if (s->policy != POL_DEADLINE && (s->runtime.v || s->deadline.v || s->period.v))
		return berr_set(err, EINVAL,
				"process.scheduler: runtime, deadline and period are only for "
				"SCHED_DEADLINE");
	if (s->policy == POL_DEADLINE && (!s->runtime.v || s->runtime.v > s->deadline.v ||
					  (s->period.v && s->deadline.v > s->period.v)))
		return berr_set(err, EINVAL,
				"process.scheduler: SCHED_DEADLINE needs 0 < runtime <= deadline "
				"<= period (period 0: the deadline)");
	return 0;
}

static int validate_memory_policy(const struct spec_linux *l, struct berr **err)
{
	unsigned long mask[NODE_BITS / LONG_BITS];
	int mode = l->memory_policy.mode;
	const char *nodes = l->memory_policy.nodes;
	bool none;

	if (nodes && bitmask_parse_list(nodes, mask, NODE_BITS) < 0)
		return berr_set(err, EINVAL,
				"linux.memoryPolicy.nodes: '%s' is not a node list like '0-3,7'",
				nodes);
	none = !nodes || mask_empty(mask, NODE_BITS);
	if ((mode == MP_DEFAULT || mode == MP_LOCAL) && !none)
		return berr_set(err, EINVAL, "linux.memoryPolicy.nodes: must be empty for %s",
				mode == MP_DEFAULT ? "MPOL_DEFAULT" : "MPOL_LOCAL");
	if (mode != MP_DEFAULT && mode != MP_LOCAL && mode != MP_PREFERRED && none)
		return berr_set(err, EINVAL, "linux.memoryPolicy.nodes: this mode needs nodes");
	if ((l->memory_policy.flags & MPOL_FLAG_STATIC) &&
	    (l->memory_policy.flags & MPOL_FLAG_RELATIVE))
		return berr_set(err, EINVAL,
				"linux.memoryPolicy.flags: MPOL_F_STATIC_NODES and "
				"MPOL_F_RELATIVE_NODES exclude each other");
	return 0;
}

int linux_attrs_validate(const struct spec_linux *l, struct berr **err)
{
	if (l->has_memory_policy && validate_memory_policy(l, err) < 0)
		return -EINVAL;
	if (l->has_personality && l->personality.flags && l->personality.flags[0])
		return berr_set(err, EINVAL,
				"linux.personality.flags: no flags are supported ('%s')",
				l->personality.flags[0]);
	return 0;
}

int memory_policy_check_nodes(const struct spec_linux *l, struct berr **err)
{
	unsigned long want[NODE_BITS / LONG_BITS], online[NODE_BITS / LONG_BITS];
	_cleanup_free_ char *text = NULL;
	int r;

	if (!l->has_memory_policy || !l->memory_policy.nodes)
		return 0;
	r = read_file_at(AT_FDCWD, "/sys/devices/system/node/online", 4096, &text, NULL);
	if (r < 0)
		return berr_set(err, ENOTSUP,
				"linux.memoryPolicy: this host has no NUMA support "
				"(/sys/devices/system/node/online: %s)",
				strerror(-r));
	text[strcspn(text, "\n")] = '\0';
	if (bitmask_parse_list(l->memory_policy.nodes, want, NODE_BITS) < 0 ||
	    bitmask_parse_list(text, online, NODE_BITS) < 0)
		return berr_set(err, EINVAL, "linux.memoryPolicy.nodes: cannot read '%s'",
				l->memory_policy.nodes);
	for (size_t i = 0; i < NODE_BITS / LONG_BITS; i++)
		if (want[i] & ~online[i])
			return berr_set(err, ENODEV,
					"linux.memoryPolicy.nodes: '%s' names a node this host "
					"does not have (online: %s)",
					l->memory_policy.nodes, text);
	return 0;
}

static int set_scheduler(const struct spec_scheduler *s, struct berr **err)
{
	struct kernel_sched_attr a = {
		.size = sizeof(a),
		.sched_policy = (uint32_t) s->policy,
		.sched_flags = s->flags,
		.sched_nice = s->nice.set ? s->nice.v : 0,
		.sched_priority = s->priority.set ? (uint32_t) s->priority.v : 0,
		.sched_runtime = s->runtime.v,
		.sched_deadline = s->deadline.v,
		.sched_period = s->period.v,
	};

	if (syscall(SYS_sched_setattr, 0, &a, 0) == 0)
		return 0;
	/* With RT_GROUP_SCHED on cgroup v1, a realtime task needs its cgroup's budget. */
	if (errno == EPERM && (s->policy == SCHED_FIFO || s->policy == SCHED_RR))
		return berr_sys(
			err, errno,
			"process.scheduler: sched_setattr (a realtime policy: where the "
			"kernel schedules realtime by cgroup, the container's cpu cgroup "
			"needs linux.resources.cpu.realtimeRuntime, and its parent a budget "
			"of its own)");
	return berr_sys(err, errno, "process.scheduler: sched_setattr");
}

int process_attrs_apply(const struct spec_process *p, struct berr **err)
{
	const struct spec_io_priority *io = &p->io_priority;

	/* IOPRIO_WHO_PROCESS (1), ourselves; the value is class << 13 | level. */
	if (io->set && syscall(SYS_ioprio_set, 1, 0, (io->class << 13) | io->priority) < 0)
		return berr_sys(err, errno, "process.ioPriority: ioprio_set");
	if (p->scheduler.set)
		return set_scheduler(&p->scheduler, err);
	return 0;
}

int linux_attrs_apply(const struct spec_linux *l, struct berr **err)
{
	unsigned long mask[NODE_BITS / LONG_BITS] = {0};
	int mode;

	if (l->has_personality && personality(l->personality.domain) < 0)
		return berr_sys(err, errno, "linux.personality");
	if (!l->has_memory_policy)
		return 0;
	if (l->memory_policy.nodes)
		(void) bitmask_parse_list(l->memory_policy.nodes, mask, NODE_BITS);
	mode = l->memory_policy.mode | (int) l->memory_policy.flags;
	if (syscall(SYS_set_mempolicy, mode, mask_empty(mask, NODE_BITS) ? NULL : mask,
		    mask_empty(mask, NODE_BITS) ? 0 : NODE_BITS + 1) < 0)
		return berr_sys(err, errno, "linux.memoryPolicy: set_mempolicy");
	return 0;
}
