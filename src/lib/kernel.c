/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/kernel.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

/* One required feature: the Linux version that brought it, and a probe that is false only
 * when the call does not exist (ENOSYS). Every probe passes arguments the kernel refuses
 * before doing anything. */
struct kernel_feature {
	const char *name;
	int major, minor;
	long nr;
};

static const struct kernel_feature features[] = {
	/* the fd-based mount API: every mount of the container's root and binds */
	{"open_tree", 5, 2, SYS_open_tree},
	{"move_mount", 5, 2, SYS_move_mount},
	{"fsopen", 5, 2, SYS_fsopen},
	/* mount attributes on a detached tree (read-only, nosuid, idmap ...), no fallback */
	{"mount_setattr", 5, 12, SYS_mount_setattr},
};

static bool present(long nr)
{
	/* bad fds and NULL pointers: EBADF, EINVAL or EFAULT where the call exists */
	return syscall(nr, -1, NULL, NULL, NULL, 0) == 0 || errno != ENOSYS;
}

static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && *p;) {
		const char *end = strchrnul(p, ',');

		if ((size_t) (end - p) == n && strncmp(p, name, n) == 0)
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

int kernel_check(const char *fake_missing, struct berr **err)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		snprintf(u.release, sizeof(u.release), "unknown");
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		const struct kernel_feature *f = &features[i];
		bool new_enough = major > f->major || (major == f->major && minor >= f->minor);

		if (!listed(fake_missing, f->name) && present(f->nr))
			continue;
		if (new_enough && !listed(fake_missing, f->name))
			return berr_set(
				err, ENOSYS,
				"%s is blocked on this kernel (%s, which has it since Linux "
				"%d.%d): a seccomp filter around berth may refuse it",
				f->name, u.release, f->major, f->minor);
		return berr_set(err, ENOSYS,
				"this kernel (%s) lacks %s (Linux %d.%d): berth needs "
				"Linux " KERNEL_MIN_VERSION " or later",
				u.release, f->name, f->major, f->minor);
	}
	return 0;
}
