/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/process/namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "runtime/config/spec.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

const struct ns_info ns_info[_NS_TYPE_MAX] = {
	[NS_USER] = {"user", "user", CLONE_NEWUSER},
	[NS_IPC] = {"ipc", "ipc", CLONE_NEWIPC},
	[NS_UTS] = {"uts", "uts", CLONE_NEWUTS},
	[NS_NET] = {"network", "net", CLONE_NEWNET},
	[NS_PID] = {"pid", "pid", CLONE_NEWPID},
	[NS_CGROUP] = {"cgroup", "cgroup", CLONE_NEWCGROUP},
	[NS_TIME] = {"time", "time", CLONE_NEWTIME},
	[NS_MNT] = {"mount", "mnt", CLONE_NEWNS},
};

int ns_type_from_spec_name(const char *name)
{
	for (int t = 0; t < _NS_TYPE_MAX; t++)
		if (strcmp(ns_info[t].spec_name, name) == 0)
			return t;
	return -EINVAL;
}

void namespaces_close(int fds[_NS_TYPE_MAX])
{
	for (int t = 0; t < _NS_TYPE_MAX; t++) {
		if (fds[t] >= 0)
			(void) close(fds[t]);
		fds[t] = -1;
	}
}

int namespaces_open_paths(const struct spec_linux *l, int fds[_NS_TYPE_MAX], struct berr **err)
{
	for (int t = 0; t < _NS_TYPE_MAX; t++)
		fds[t] = -1;
	for (int t = 0; t < _NS_TYPE_MAX; t++) {
		const char *path = l->ns[t].path;

		if (!l->ns[t].enabled || !path)
			continue;
		fds[t] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[t] < 0) {
			int e = errno;

			namespaces_close(fds);
			return berr_sys(err, e, "opening %s namespace '%s'", ns_info[t].spec_name,
					path);
		}
	}
	return 0;
}

int namespaces_join(int fds[_NS_TYPE_MAX], unsigned types, struct berr **err)
{
	for (int t = 0; t < _NS_TYPE_MAX; t++) {
		if (fds[t] < 0 || !(types & (1u << t)))
			continue;
		if (setns(fds[t], ns_info[t].clone_flag) < 0)
			return berr_sys(err, errno, "joining %s namespace", ns_info[t].spec_name);
		(void) close(fds[t]);
		fds[t] = -1;
	}
	return 0;
}

int namespaces_new_flags(const struct spec_linux *l)
{
	int flags = 0;

	for (int t = 0; t < _NS_TYPE_MAX; t++)
		if (l->ns[t].enabled && !l->ns[t].path)
			flags |= ns_info[t].clone_flag;
	return flags;
}

static bool has_time_offsets(const struct spec_linux *l)
{
	return l->time_boottime.set || l->time_monotonic.set;
}

int namespaces_clone_flags(const struct spec_linux *l)
{
	int flags = namespaces_new_flags(l) & ~CLONE_NEWCGROUP;

	if (has_time_offsets(l))
		flags &= ~CLONE_NEWTIME;
	return flags;
}

int namespaces_enter_time(const struct spec_linux *l, struct berr **err)
{
	_cleanup_close_ int fd = -1;
	char text[160];
	int r;

	if (!has_time_offsets(l))
		return 0;
	if (unshare(CLONE_NEWTIME) < 0)
		return berr_sys(err, errno, "creating the time namespace");
	snprintf(text, sizeof(text),
		 "monotonic %" PRId64 " %" PRIu32 "\nboottime %" PRId64 " %" PRIu32 "\n",
		 l->time_monotonic.secs, l->time_monotonic.nanosecs, l->time_boottime.secs,
		 l->time_boottime.nanosecs);
	r = write_file_at(AT_FDCWD, "/proc/self/timens_offsets", text, O_WRONLY);
	if (r < 0)
		return berr_sys(err, -r, "linux.timeOffsets: writing the offsets");
	fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, errno, "opening the new time namespace");
	if (setns(fd, CLONE_NEWTIME) < 0)
		return berr_sys(err, errno, "entering the time namespace");
	return 0;
}
