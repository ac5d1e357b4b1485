/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/security/caps.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "runtime/config/oci_config.h"

int caps_drop_bounding(uint64_t bounding, struct berr **err)
{
	int last = cap_last_kernel();

	for (int cap = 0; cap <= last; cap++) {
		if (bounding & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return berr_sys(err, errno, "dropping %s from the bounding set",
					cap_name(cap) ? cap_name(cap) : "capability");
	}
	return 0;
}

int caps_apply(const struct spec_capabilities *c, struct berr **err)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	uint64_t mask = cap_last_kernel() >= 63 ? ~0ULL : (1ULL << (cap_last_kernel() + 1)) - 1;
	uint64_t e = c->effective & mask, p = c->permitted & mask, i = c->inheritable & mask;

	data[0].effective = (uint32_t) e;
	data[1].effective = (uint32_t) (e >> 32);
	data[0].permitted = (uint32_t) p;
	data[1].permitted = (uint32_t) (p >> 32);
	data[0].inheritable = (uint32_t) i;
	data[1].inheritable = (uint32_t) (i >> 32);
	if (syscall(SYS_capset, &hdr, data) < 0)
		return berr_sys(err, errno, "setting capabilities");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return berr_sys(err, errno, "clearing ambient capabilities");
	for (int cap = 0; cap <= cap_last_kernel(); cap++) {
		if (!(c->ambient & (1ULL << cap)))
			continue;
		/* As runc: an ambient capability the other sets do not allow is skipped. */
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0 && errno != EPERM)
			return berr_sys(err, errno, "raising ambient %s", cap_name(cap));
	}
	return 0;
}
