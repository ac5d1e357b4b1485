/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/security/lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "runtime/config/oci_config.h"

/* Labels are short; a limit keeps a hostile config from writing megabytes to /proc. */
#define LABEL_MAX 4096

static bool set(const char *s)
{
	return s && *s;
}

bool lsm_apparmor_enabled(int rootfd)
{
	_cleanup_free_ char *text = NULL;

	/* runc's test: the module says Y, and the task has an attr file to write. */
	if (read_file_at(rootfd, "sys/module/apparmor/parameters/enabled", 64, &text, NULL) < 0)
		return false;
	if (text[0] != 'Y')
		return false;
	return faccessat(rootfd, "proc/thread-self/attr/apparmor/exec", F_OK, 0) == 0 ||
	       faccessat(rootfd, "proc/thread-self/attr/exec", F_OK, 0) == 0;
}

bool lsm_selinux_enabled(int rootfd)
{
	/* selinuxfs only has an "enforce" file when SELinux is on (either mode). */
	return faccessat(rootfd, "sys/fs/selinux/enforce", F_OK, 0) == 0;
}

static int check_label(const char *field, const char *label, struct berr **err)
{
	if (strlen(label) > LABEL_MAX)
		return berr_set(err, EINVAL, "config.json: %s: longer than %d bytes", field,
				LABEL_MAX);
	if (strpbrk(label, "\n\""))
		return berr_set(err, EINVAL, "config.json: %s: must not contain '\\n' or '\"'",
				field);
	return 0;
}

int lsm_check(const struct spec *s, const struct spec_process *p, int rootfd, struct berr **err)
{
	const char *mount_label = s ? s->linux.mount_label : NULL;
	int r;

	if (p && set(p->apparmor_profile)) {
		if ((r = check_label("process.apparmorProfile", p->apparmor_profile, err)) < 0)
			return r;
		if (!lsm_apparmor_enabled(rootfd))
			return berr_set(err, ENOTSUP,
					"config.json: process.apparmorProfile: '%s' was asked "
					"for, but AppArmor is not enabled on this host",
					p->apparmor_profile);
	}
	if (p && set(p->selinux_label)) {
		if ((r = check_label("process.selinuxLabel", p->selinux_label, err)) < 0)
			return r;
		if (!lsm_selinux_enabled(rootfd))
			return berr_set(err, ENOTSUP,
					"config.json: process.selinuxLabel: '%s' was asked for, "
					"but SELinux is not enabled on this host",
					p->selinux_label);
	}
	if (set(mount_label)) {
		if ((r = check_label("linux.mountLabel", mount_label, err)) < 0)
			return r;
		if (!lsm_selinux_enabled(rootfd))
			return berr_set(err, ENOTSUP,
					"config.json: linux.mountLabel: '%s' was asked for, but "
					"SELinux is not enabled on this host",
					mount_label);
	}
	return 0;
}

bool lsm_mount_takes_context(const char *type)
{
	/*
	 * As runc: proc and sysfs keep the kernel's labels, cgroup filesystems and
	 * binds cannot take a context, and mqueue is labelled after mounting.
	 */
	static const char *const no[] = {"proc", "sysfs", "cgroup",	"cgroup2", "mqueue",
					 "bind", "rbind", "securityfs", "debugfs", "tracefs"};

	if (!type)
		return false;
	for (size_t i = 0; i < ELEMENTSOF(no); i++)
		if (strcmp(type, no[i]) == 0)
			return false;
	return true;
}

int lsm_mount_data(const char *type, const char *data, const char *label, char **ret)
{
	*ret = NULL;
	if (!set(label) || !lsm_mount_takes_context(type))
		return 0;
	/* Quoted: MLS labels carry commas ("s0:c1,c2"), which separate mount options. */
	if (asprintf(ret, "%s%scontext=\"%s\"", set(data) ? data : "", set(data) ? "," : "",
		     label) < 0) {
		*ret = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int write_attr(int attr_dirfd, const char *name, const char *text)
{
	_cleanup_close_ int fd = openat(attr_dirfd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t len = strlen(text);
	ssize_t n;

	if (fd < 0)
		return -errno;
	/* One write: the LSMs parse each write(2) as a whole command. */
	n = write(fd, text, len);
	if (n < 0)
		return -errno;
	return (size_t) n == len ? 0 : -EIO;
}

static int set_apparmor(int attr_dirfd, const char *profile, struct berr **err)
{
	_cleanup_free_ char *cmd = NULL;
	int r;

	if (asprintf(&cmd, "exec %s", profile) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	r = write_attr(attr_dirfd, "apparmor/exec", cmd);
	if (r == -ENOENT) /* kernels before 5.8 have only the shared file */
		r = write_attr(attr_dirfd, "exec", cmd);
	if (r == -ENOENT)
		return berr_sys(err, ENOENT,
				"process.apparmorProfile: cannot switch to '%s' on exec (is the "
				"profile loaded?)",
				profile);
	if (r < 0)
		return berr_sys(err, -r, "process.apparmorProfile: cannot switch to '%s' on exec",
				profile);
	return 0;
}

int lsm_set_exec_labels(int attr_dirfd, const struct spec_process *p, struct berr **err)
{
	int r;

	if (set(p->apparmor_profile)) {
		r = set_apparmor(attr_dirfd, p->apparmor_profile, err);
		if (r < 0)
			return r;
	}
	if (set(p->selinux_label)) {
		r = write_attr(attr_dirfd, "exec", p->selinux_label);
		if (r < 0)
			return berr_sys(err, -r, "process.selinuxLabel: cannot set '%s' for exec",
					p->selinux_label);
	}
	return 0;
}
