/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/process/affinity.h"

#include <errno.h>
#include <string.h>

#include "runtime/process/process_attrs.h"

int affinity_parse(const char *list, const char *field, cpu_set_t *ret, struct berr **err)
{
	unsigned long mask[CPU_SETSIZE / (8 * sizeof(unsigned long))];

	if (bitmask_parse_list(list, mask, CPU_SETSIZE) < 0)
		return berr_set(err, EINVAL, "%s: '%s' is not a CPU list like '0-3,7'", field,
				list);
	CPU_ZERO(ret);
	for (size_t cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (mask[cpu / (8 * sizeof(unsigned long))] &
		    (1UL << (cpu % (8 * sizeof(unsigned long)))))
			CPU_SET(cpu, ret);
	return 0;
}

int affinity_apply(pid_t pid, const char *list, const char *field, struct berr **err)
{
	cpu_set_t set;
	int r;

	if (!list || !*list)
		return 0;
	r = affinity_parse(list, field, &set, err);
	if (r < 0)
		return r;
	if (sched_setaffinity(pid, sizeof(set), &set) < 0)
		return berr_sys(err, errno, "%s: setting CPUs '%s'%s", field, list,
				errno == EINVAL ? " (none of them is online here)" : "");
	return 0;
}
