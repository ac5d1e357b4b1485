/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/caps.h"

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
#include "runtime/oci_config.h"

static const char *const cap_names[] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_DAC_READ_SEARCH",
	"CAP_FOWNER",
	"CAP_FSETID",
	"CAP_KILL",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",
	"CAP_NET_RAW",
	"CAP_IPC_LOCK",
	"CAP_IPC_OWNER",
	"CAP_SYS_MODULE",
	"CAP_SYS_RAWIO",
	"CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",
	"CAP_SYS_ADMIN",
	"CAP_SYS_BOOT",
	"CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",
	"CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG",
	"CAP_MKNOD",
	"CAP_LEASE",
	"CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL",
	"CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN",
	"CAP_SYSLOG",
	"CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",
	"CAP_AUDIT_READ",
	"CAP_PERFMON",
	"CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

/* cache: the kernel's cap_last_cap, read once. */
static int kernel_last_cap = -1;

int cap_from_name(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(cap_names); i++)
		if (strcasecmp(cap_names[i], name) == 0)
			return (int) i;
	return -EINVAL;
}

const char *cap_name(int cap)
{
	return cap >= 0 && (size_t) cap < ELEMENTSOF(cap_names) ? cap_names[cap] : NULL;
}

int cap_last_known(void)
{
	return (int) ELEMENTSOF(cap_names) - 1;
}

int cap_last_kernel(void)
{
	_cleanup_free_ char *text = NULL;

	if (kernel_last_cap >= 0)
		return kernel_last_cap;
	if (read_file_at(AT_FDCWD, "/proc/sys/kernel/cap_last_cap", 64, &text, NULL) >= 0)
		kernel_last_cap = atoi(text);
	if (kernel_last_cap <= 0 || kernel_last_cap > 63)
		kernel_last_cap = CAP_LAST_CAP;
	return kernel_last_cap;
}

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
