/* SPDX-License-Identifier: Apache-2.0 */
#include "image/overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/userns_detect.h"
#include "runtime/rootfs/mount_api.h"

#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 0x00000001
#endif
#ifndef FSMOUNT_CLOEXEC
#define FSMOUNT_CLOEXEC 0x00000001
#endif

/* The most layers one overlay takes (the kernel's OVL_MAX_STACK). */
#define OVERLAY_MAX_LAYERS 500

/*
 * 1: mounted; 0: the kernel lacks "lowerdir+" (the caller falls back to mount(2)); -errno.
 *
 * Linux 6.5-6.7 parse each option as it is set and refuse an unknown "lowerdir+" with
 * EINVAL at once. Before 6.5 overlayfs has no fs_context of its own: the generic legacy
 * context stores every key without looking at it and only FSCONFIG_CMD_CREATE fails
 * (EINVAL: unrecognized mount option). Both fall back; so does a failed CMD_CREATE, since
 * nothing tells the two apart and mount(2) with the same layers reports the real error.
 */
static int mount_fsconfig(const struct overlay_spec *spec, const char *target)
{
	_cleanup_close_ int fs = -1, mnt = -1;

	fs = sys_fsopen("overlay", FSOPEN_CLOEXEC);
	if (fs < 0)
		return errno == ENOSYS ? 0 : -errno;
	/* the mount's source in mountinfo, as mount(2)'s and docker's: "overlay", not "none" */
	if (sys_fsconfig(fs, FSCONFIG_SET_STRING, "source", "overlay", 0) < 0)
		return -errno;
	for (char *const *l = spec->lowerdirs; *l; l++) {
		if (sys_fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", *l, 0) < 0) {
			if (l == spec->lowerdirs && errno == EINVAL)
				return 0;
			return -errno;
		}
	}
	if (in_nested_userns() && sys_fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0)
		return -errno;
	if (spec->upperdir &&
	    (sys_fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", spec->upperdir, 0) < 0 ||
	     sys_fsconfig(fs, FSCONFIG_SET_STRING, "workdir", spec->workdir, 0) < 0))
		return -errno;
	if (sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return errno == EINVAL ? 0 : -errno;
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

int overlay_options(char *const *lowerdirs, const char *upperdir, const char *workdir, char *buf,
		    size_t size)
{
	size_t off = 0;
	int r;

	if (size == 0)
		return -E2BIG;
	buf[0] = '\0';
	r = append_raw(buf, size, &off, "lowerdir=");
	for (char *const *l = lowerdirs; r >= 0 && *l; l++) {
		if (l != lowerdirs)
			r = append_raw(buf, size, &off, ":");
		if (r >= 0)
			r = append_escaped(buf, size, &off, *l);
	}
	if (r >= 0 && upperdir) {
		r = append_raw(buf, size, &off, ",upperdir=");
		if (r >= 0)
			r = append_escaped(buf, size, &off, upperdir);
		if (r >= 0)
			r = append_raw(buf, size, &off, ",workdir=");
		if (r >= 0)
			r = append_escaped(buf, size, &off, workdir);
	}
	/* rootless: overlay's xattrs in user.overlay.*, the only ones a user namespace may set */
	if (r >= 0 && in_nested_userns())
		r = append_raw(buf, size, &off, ",userxattr");
	return r < 0 ? r : (int) off;
}

static size_t option_page(void)
{
	long page = sysconf(_SC_PAGESIZE);

	return page > 0 ? (size_t) page : 4096;
}

/*
 * The same mount with every directory named by an O_PATH fd: "/proc/self/fd/N" is at most
 * 19 bytes, where a layer's own path is ~100, so ~200 layers fit in a page instead of
 * ~40. overlayfs resolves each name (following the magic link) while it mounts and keeps
 * the resolved path; the fds may be closed right after. /proc/mounts then shows the fd
 * names, as it shows docker's short "l/" links.
 */
static int mount_legacy_by_fd(const struct overlay_spec *spec, const char *target, char *opts,
			      size_t size, unsigned long flags)
{
	size_t n = 0;
	int fds[OVERLAY_MAX_LAYERS + 2];
	char names[OVERLAY_MAX_LAYERS + 2][32], *lowers[OVERLAY_MAX_LAYERS + 1];
	int r = 0, nfds = 0;

	while (spec->lowerdirs[n])
		n++;
	if (n > OVERLAY_MAX_LAYERS)
		return -E2BIG;
	for (size_t i = 0; i < n + (spec->upperdir ? 2 : 0); i++) {
		const char *path = i < n    ? spec->lowerdirs[i]
				   : i == n ? spec->upperdir
					    : spec->workdir;

		fds[i] = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fds[i] < 0) {
			r = -errno;
			break;
		}
		nfds++;
		snprintf(names[i], sizeof(names[i]), "/proc/self/fd/%d", fds[i]);
		if (i < n)
			lowers[i] = names[i];
	}
	if (r >= 0) {
		lowers[n] = NULL;
		r = overlay_options(lowers, spec->upperdir ? names[n] : NULL,
				    spec->upperdir ? names[n + 1] : NULL, opts, size);
	}
	if (r >= 0 && mount("overlay", target, "overlay", flags, opts) < 0)
		r = -errno;
	while (nfds > 0)
		close(fds[--nfds]);
	return r < 0 ? r : 0;
}

/* mount(2) with the joined option string, which the kernel takes up to a page long. */
static int mount_legacy(const struct overlay_spec *spec, const char *target)
{
	size_t size = option_page();
	_cleanup_free_ char *opts = malloc(size);
	unsigned long flags = spec->readonly || !spec->upperdir ? MS_RDONLY : 0;
	int r;

	if (!opts)
		return -ENOMEM;
	r = overlay_options(spec->lowerdirs, spec->upperdir, spec->workdir, opts, size);
	if (r == -E2BIG)
		return mount_legacy_by_fd(spec, target, opts, size, flags);
	if (r < 0)
		return r;
	if (mount("overlay", target, "overlay", flags, opts) < 0)
		return -errno;
	return 0;
}

bool overlay_release_has_lowerdir_plus(const char *release)
{
	int major = 0, minor = 0;

	/* unparsable: try it, the failed create falls back */
	if (sscanf(release, "%d.%d", &major, &minor) != 2)
		return true;
	return major > 6 || (major == 6 && minor >= 8);
}

/*
 * Whether to try "lowerdir+" first: on a kernel that has it (6.8+). An older one would
 * only fail, and before 6.5 it would log "unrecognized mount option" at every mount.
 * BERTH_TEST_OVERLAY (tests) overrides: "legacy" skips it as a kernel before 6.8 must,
 * "fsconfig" tries it on any kernel, so that the fallback after a failed create runs on
 * an old kernel. It is read with secure_getenv and only ever picks the other of two
 * equivalent ways to mount the same layers.
 */
static bool try_lowerdir_plus(const struct overlay_spec *spec)
{
	const char *v = secure_getenv("BERTH_TEST_OVERLAY");
	struct utsname u;

	if (spec->legacy || (v && strcmp(v, "legacy") == 0))
		return false;
	if (v && strcmp(v, "fsconfig") == 0)
		return true;
	return uname(&u) < 0 || overlay_release_has_lowerdir_plus(u.release);
}

int overlay_mount(const struct overlay_spec *spec, const char *target, struct berr **err)
{
	int r = 0;

	if (!spec->lowerdirs || !spec->lowerdirs[0])
		return berr_set(err, EINVAL, "an overlay needs at least one layer");
	if (spec->upperdir && !spec->workdir)
		return berr_set(err, EINVAL, "an overlay with an upper dir needs a work dir");
	if (try_lowerdir_plus(spec))
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
