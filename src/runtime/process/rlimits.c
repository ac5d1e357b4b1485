/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/process/rlimits.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/resource.h>

#include "lib/cleanup.h"
#include "runtime/config/oci_config.h"

static const char *const rlimit_names[RLIMIT_NLIMITS] = {
	[RLIMIT_CPU] = "RLIMIT_CPU",	       [RLIMIT_FSIZE] = "RLIMIT_FSIZE",
	[RLIMIT_DATA] = "RLIMIT_DATA",	       [RLIMIT_STACK] = "RLIMIT_STACK",
	[RLIMIT_CORE] = "RLIMIT_CORE",	       [RLIMIT_RSS] = "RLIMIT_RSS",
	[RLIMIT_NPROC] = "RLIMIT_NPROC",       [RLIMIT_NOFILE] = "RLIMIT_NOFILE",
	[RLIMIT_MEMLOCK] = "RLIMIT_MEMLOCK",   [RLIMIT_AS] = "RLIMIT_AS",
	[RLIMIT_LOCKS] = "RLIMIT_LOCKS",       [RLIMIT_SIGPENDING] = "RLIMIT_SIGPENDING",
	[RLIMIT_MSGQUEUE] = "RLIMIT_MSGQUEUE", [RLIMIT_NICE] = "RLIMIT_NICE",
	[RLIMIT_RTPRIO] = "RLIMIT_RTPRIO",     [RLIMIT_RTTIME] = "RLIMIT_RTTIME",
};

int rlimit_from_name(const char *name)
{
	for (int i = 0; i < RLIMIT_NLIMITS; i++)
		if (rlimit_names[i] && strcmp(rlimit_names[i], name) == 0)
			return i;
	return -EINVAL;
}

const char *rlimit_name(int resource)
{
	return resource >= 0 && resource < RLIMIT_NLIMITS ? rlimit_names[resource] : "?";
}

int rlimits_apply(const struct spec_rlimit *v, size_t n, struct berr **err)
{
	for (size_t i = 0; i < n; i++) {
		struct rlimit rl = {.rlim_cur = v[i].soft, .rlim_max = v[i].hard};
		struct rlimit cur;

		if (setrlimit((__rlimit_resource_t) v[i].resource, &rl) == 0)
			continue;
		if (errno == EPERM && getrlimit((__rlimit_resource_t) v[i].resource, &cur) == 0 &&
		    rl.rlim_max > cur.rlim_max)
			return berr_set(
				err, EPERM,
				"setting %s: hard limit %" PRIu64 " is above the current "
				"hard limit %" PRIu64 " and raising it needs CAP_SYS_RESOURCE",
				rlimit_name(v[i].resource), v[i].hard, (uint64_t) cur.rlim_max);
		return berr_sys(err, errno, "setting %s", rlimit_name(v[i].resource));
	}
	return 0;
}
