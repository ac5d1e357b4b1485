/* SPDX-License-Identifier: Apache-2.0 */
#include "image/overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "runtime/mount_api.h"

#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 0x00000001
#endif
#ifndef FSMOUNT_CLOEXEC
#define FSMOUNT_CLOEXEC 0x00000001
#endif

/* 1: mounted; 0: the kernel lacks lowerdir+ (caller falls back); -errno. */
static int mount_fsconfig(const struct overlay_spec *spec, const char *target)
{
	_cleanup_close_ int fs = -1, mnt = -1;

	fs = sys_fsopen("overlay", FSOPEN_CLOEXEC);
	if (fs < 0)
		return errno == ENOSYS ? 0 : -errno;
	for (char *const *l = spec->lowerdirs; *l; l++) {
		if (sys_fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", *l, 0) < 0) {
			if (l == spec->lowerdirs && errno == EINVAL)
				return 0;
			return -errno;
		}
	}
	if (spec->upperdir &&
	    (sys_fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", spec->upperdir, 0) < 0 ||
	     sys_fsconfig(fs, FSCONFIG_SET_STRING, "workdir", spec->workdir, 0) < 0))
		return -errno;
	if (sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	mnt = sys_fsmount(fs, FSMOUNT_CLOEXEC,
			  spec->readonly || !spec->upperdir ? MOUNT_ATTR_RDONLY : 0);
	if (mnt < 0)
		return -errno;
	if (sys_move_mount(mnt, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return -errno;
	return 1;
}

/* Append s to buf at *off, escaping what the option parser splits on. */
static int append_escaped(char *buf, size_t size, size_t *off, const char *s)
{
	for (; *s; s++) {
		if (strchr(":,\\", *s)) {
			if (*off + 1 >= size)
				return -E2BIG;
			buf[(*off)++] = '\\';
		}
		if (*off + 1 >= size)
			return -E2BIG;
		buf[(*off)++] = *s;
	}
	buf[*off] = '\0';
	return 0;
}

static int append_raw(char *buf, size_t size, size_t *off, const char *s)
{
	size_t n = strlen(s);

	if (*off + n + 1 >= size)
		return -E2BIG;
	memcpy(buf + *off, s, n + 1);
	*off += n;
	return 0;
}

static int mount_legacy(const struct overlay_spec *spec, const char *target)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t size = page > 0 ? (size_t) page : 4096, off = 0;
	_cleanup_free_ char *opts = malloc(size);
	unsigned long flags = spec->readonly || !spec->upperdir ? MS_RDONLY : 0;
	int r;

	if (!opts)
		return -ENOMEM;
	r = append_raw(opts, size, &off, "lowerdir=");
	for (char *const *l = spec->lowerdirs; r >= 0 && *l; l++) {
		if (l != spec->lowerdirs)
			r = append_raw(opts, size, &off, ":");
		if (r >= 0)
			r = append_escaped(opts, size, &off, *l);
	}
	if (r >= 0 && spec->upperdir) {
		r = append_raw(opts, size, &off, ",upperdir=");
		if (r >= 0)
			r = append_escaped(opts, size, &off, spec->upperdir);
		if (r >= 0)
			r = append_raw(opts, size, &off, ",workdir=");
		if (r >= 0)
			r = append_escaped(opts, size, &off, spec->workdir);
	}
	if (r < 0)
		return r;
	if (mount("overlay", target, "overlay", flags, opts) < 0)
		return -errno;
	return 0;
}

int overlay_mount(const struct overlay_spec *spec, const char *target, struct berr **err)
{
	int r;

	if (!spec->lowerdirs || !spec->lowerdirs[0])
		return berr_set(err, EINVAL, "an overlay needs at least one layer");
	if (spec->upperdir && !spec->workdir)
		return berr_set(err, EINVAL, "an overlay with an upper dir needs a work dir");
	r = mount_fsconfig(spec, target);
	if (r == 0)
		r = mount_legacy(spec, target);
	if (r == -E2BIG)
		return berr_set(err, E2BIG,
				"too many layers for one overlay mount on this kernel (Linux 6.8 "
				"lifts the limit)");
	if (r < 0)
		return berr_sys(err, -r, "cannot mount the overlay on '%s'", target);
	return 0;
}

int overlay_unmount(const char *target, struct berr **err)
{
	if (umount2(target, MNT_DETACH) < 0)
		return berr_sys(err, errno, "cannot unmount '%s'", target);
	return 0;
}
