/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/capnames.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <strings.h>

#include "lib/cleanup.h"
#include "lib/fd.h"

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
