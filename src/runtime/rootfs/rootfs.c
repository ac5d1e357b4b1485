/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/rootfs/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/safe_path.h"
#include "lib/strv.h"
#include "runtime/process/container.h"
#include "runtime/rootfs/devices.h"
#include "runtime/rootfs/mount_api.h"
#include "runtime/rootfs/mounts.h"
#include "runtime/rootfs/mounts_bind.h"

static unsigned long host_propagation(const struct spec *s)
{
	/* As runc: rslave unless the config asks for private; shared is set at the end. */
	if (s->linux.rootfs_propagation & MS_PRIVATE)
		return MS_PRIVATE | MS_REC;
	return MS_SLAVE | MS_REC;
}

/*
 * A read-only /dev tmpfs is mounted read-write and made read-only once the mounts below
 * it (/dev/pts, /dev/shm, /dev/mqueue) and the devices are in place, as runc does:
 * mounted read-only at once, nothing could be created in it.
 */
static bool is_readonly_dev_tmpfs(const struct spec_mount *m)
{
	return (m->opts.flags & MS_RDONLY) && !m->opts.bind && m->type &&
	       strcmp(m->type, "tmpfs") == 0 && strcmp(m->destination, "/dev") == 0;
}

/* /dev/console's mount point exists before /dev is made read-only (terminal.c binds on it). */
static int make_console_target(int rootfd, const struct spec *s, struct berr **err)
{
	int fd;

	if (!s->process->terminal)
		return 0;
	fd = safe_mount_target(rootfd, "/dev/console", true);
	if (fd < 0)
		return berr_sys(err, -fd, "creating /dev/console");
	(void) close(fd);
	return 0;
}

static int readonly_dev(int rootfd, const struct spec *s, struct berr **err)
{
	struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
	_cleanup_close_ int dev = -1;
	bool wanted = false;

	for (size_t i = 0; i < s->n_mounts; i++)
		wanted = wanted || is_readonly_dev_tmpfs(&s->mounts[i]);
	if (!wanted)
		return 0;
	dev = safe_open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY, 0);
	if (dev < 0)
		return berr_sys(err, -dev, "opening /dev to make it read-only");
	if (sys_mount_setattr(dev, "", AT_EMPTY_PATH, &a) < 0)
		return berr_sys(err, errno, "making /dev read-only");
	return 0;
}

/*
 * A missing process.cwd is made now, as runc does, while the root may still be written:
 * with root.readonly it could not be made later.
 */
static int make_cwd(int rootfd, const char *cwd, struct berr **err)
{
	_cleanup_close_ int fd = -1;

	if (!cwd)
		return 0;
	fd = safe_open_in_root(rootfd, cwd, O_PATH | O_DIRECTORY, 0);
	if (fd == -ENOENT)
		fd = safe_mkdir_p_in_root(rootfd, cwd, 0755);
	/* Anything else (not a directory ...) is reported where the cwd is entered. */
	return fd == -ENOENT ? berr_sys(err, ENOENT, "creating cwd '%s'", cwd) : 0;
}

int rootfs_prepare(const struct container_ctx *c, bool in_userns, int *ret_rootfd,
		   struct berr **err)
{
	const struct spec *s = c->spec;
	_cleanup_close_ int rootfd = -1;
	int r;

	/* Nothing the container mounts may propagate back to the host. */
	if (mount(NULL, "/", NULL, host_propagation(s), NULL) < 0)
		return berr_sys(err, errno, "making / %s",
				s->linux.rootfs_propagation & MS_PRIVATE ? "rprivate" : "rslave");
	if (mount(c->rootfs, c->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return berr_sys(err, errno, "bind-mounting the rootfs '%s'", c->rootfs);
	rootfd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return berr_sys(err, errno, "opening the rootfs '%s'", c->rootfs);
	for (size_t i = 0; i < s->n_mounts; i++) {
		struct spec_mount dev;

		if (is_readonly_dev_tmpfs(&s->mounts[i])) {
			dev = s->mounts[i];
			dev.opts.flags &= ~(unsigned long) MS_RDONLY;
			r = mounts_apply(c, rootfd, &dev, err);
		} else {
			r = mounts_apply(c, rootfd, &s->mounts[i], err);
		}
		if (r < 0)
			return r;
	}
	r = devices_setup(rootfd, s, in_userns, err);
	if (r < 0 || (r = make_cwd(rootfd, s->process->cwd, err)) < 0 ||
	    (r = make_console_target(rootfd, s, err)) < 0 || (r = readonly_dev(rootfd, s, err)) < 0)
		return r;
	*ret_rootfd = TAKE_FD(rootfd);
	return 0;
}

/*
 * pivot_root(".", ".") stacks the old root on top of the new one; unmounting it then
 * drops it, with no put_old directory needed inside the rootfs. The old root is made
 * rslave first so the detach cannot propagate unmounts to the host. Which of the two
 * "." names after pivot_root is the kernel's business: we fchdir to the old root
 * explicitly, or the rslave would hit the container's own mounts (and undo "shared").
 */
static int do_pivot(int rootfd, struct berr **err)
{
	_cleanup_close_ int oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (oldroot < 0)
		return berr_sys(err, errno, "opening the old root");
	if (fchdir(rootfd) < 0)
		return berr_sys(err, errno, "entering the rootfs");
	if (sys_pivot_root(".", ".") < 0)
		return berr_sys(err, errno, "pivot_root");
	if (fchdir(oldroot) < 0)
		return berr_sys(err, errno, "entering the old root");
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return berr_sys(err, errno, "making the old root rslave");
	if (umount2(".", MNT_DETACH) < 0)
		return berr_sys(err, errno, "detaching the old root");
	if (chdir("/") < 0)
		return berr_sys(err, errno, "entering /");
	return 0;
}

/* Undo mountinfo's octal escapes (\040 for a space ...) in place. */
static void unescape_mountinfo(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char) ((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* A procfs or sysfs mount point of a mountinfo line outside rootfs, or NULL. */
static char *kernel_fs_outside(char *line, const char *rootfs)
{
	char *mnt = NULL, *sep, *type, *save = NULL;
	size_t n = strlen(rootfs);
	int field = 0;

	sep = strstr(line, " - ");
	if (!sep)
		return NULL;
	*sep = '\0';
	type = strtok_r(sep + 3, " ", &save);
	if (!type || (strcmp(type, "proc") != 0 && strcmp(type, "sysfs") != 0))
		return NULL;
	for (char *tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (++field == 5) {
			mnt = tok;
			break;
		}
	if (!mnt)
		return NULL;
	unescape_mountinfo(mnt);
	if (strncmp(mnt, rootfs, n) == 0 && (mnt[n] == '\0' || mnt[n] == '/'))
		return NULL;
	return mnt;
}

/*
 * --no-pivot leaves the old root's mounts in the container's mount namespace, below the
 * moved rootfs. A fully visible procfs or sysfs anywhere in the namespace lets a process
 * in a new user namespace mount a fresh, unmasked one (the kernel's mount_too_revealing
 * test): the "bare /proc" runc closed in 1.1. So, as runc does, each one outside the
 * rootfs is detached, or covered with an empty read-only tmpfs where it cannot be.
 */
static int hide_kernel_fs_outside(const char *rootfs, struct berr **err)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_strv_ char **targets = NULL;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	if (!f)
		return berr_sys(err, errno, "reading /proc/self/mountinfo");
	while (getline(&line, &cap, f) > 0) {
		char *mnt;

		line[strcspn(line, "\n")] = '\0';
		mnt = kernel_fs_outside(line, rootfs);
		if (mnt && strv_push_dup(&targets, mnt) < 0)
			return berr_set(err, ENOMEM, "out of memory");
	}
	/* Deepest first: detaching a parent takes its children along. */
	for (size_t i = strv_length(targets); i-- > 0;) {
		/* ENOENT: went with a parent. EINVAL, EPERM: locked (a user namespace's). */
		if (umount2(targets[i], MNT_DETACH) == 0 || errno == ENOENT)
			continue;
		if (mount("tmpfs", targets[i], "tmpfs",
			  MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0,mode=0") < 0)
			return berr_sys(err, errno, "hiding '%s' (--no-pivot)", targets[i]);
	}
	return 0;
}

static int do_move_chroot(const char *rootfs, int rootfd, struct berr **err)
{
	int r = hide_kernel_fs_outside(rootfs, err);

	if (r < 0)
		return r;
	if (fchdir(rootfd) < 0)
		return berr_sys(err, errno, "entering the rootfs");
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return berr_sys(err, errno, "moving the rootfs to /");
	if (chroot(".") < 0)
		return berr_sys(err, errno, "chroot");
	if (chdir("/") < 0)
		return berr_sys(err, errno, "entering /");
	return 0;
}

static int mount_detached_on(int tree, int target)
{
	if (sys_move_mount(tree, "", target, "",
			   MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

/*
 * The /dev/null that covers masked files (CVE-2025-31133): the container's /dev may be a
 * directory another container writes, its null a symlink to /proc/sys/kernel/core_pattern
 * or a planted file, and binding that over every masked file would hand the container
 * what masking hides. So, before pivot_root: a detached clone of the host's /dev/null,
 * not followed if a symlink, checked to be the 1:3 character device, and made read-only.
 */
static int host_devnull(int *ret, struct berr **err)
{
	_cleanup_close_ int tree = -1;
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
	struct stat st;

	tree = sys_open_tree(AT_FDCWD, "/dev/null",
			     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);
	if (tree < 0)
		return berr_sys(err, errno, "cloning the host's /dev/null to mask paths");
	if (fstat(tree, &st) < 0)
		return berr_sys(err, errno, "inspecting the host's /dev/null");
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		return berr_set(err, EPERM, "the host's /dev/null is not the 1:3 character device");
	if (sys_mount_setattr(tree, "", AT_EMPTY_PATH, &ro) < 0)
		return berr_sys(err, errno, "making the masking /dev/null read-only");
	*ret = TAKE_FD(tree);
	return 0;
}

static bool has_masks(const struct spec *s)
{
	return s->linux.masked_paths && *s->linux.masked_paths;
}

/*
 * Cover target with the host's /dev/null: the clone itself the first time; once it is
 * attached (then in our namespace, where open_tree may clone it) a clone of it.
 */
static int mask_file(int devnull, bool *used, int target)
{
	_cleanup_close_ int tree = -1;
	int r;

	if (!*used) {
		r = mount_detached_on(devnull, target);
		*used = r == 0;
		return r;
	}
	tree = sys_open_tree(devnull, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0)
		return -errno;
	return mount_detached_on(tree, target);
}

/* A masked file gets the host's /dev/null over it; a directory an empty read-only tmpfs. */
static int mask_path(int root, const char *path, const char *mount_label, int devnull,
		     bool *devnull_used, struct berr **err)
{
	_cleanup_close_ int target = -1, tree = -1, fs = -1;
	struct stat st;
	int r;

	target = safe_open_in_root(root, path, O_PATH, 0);
	if (target == -ENOENT || target == -ENOTDIR)
		return 0;
	if (target < 0 || fstat(target, &st) < 0)
		return berr_sys(err, target < 0 ? -target : errno, "masking '%s'", path);
	if (!S_ISDIR(st.st_mode)) {
		r = mask_file(devnull, devnull_used, target);
		return r < 0 ? berr_sys(err, -r, "masking '%s'", path) : 0;
	}
	fs = sys_fsopen("tmpfs", FSOPEN_CLOEXEC);
	/* linux.mountLabel: the mask carries the container's label, as runc's does. */
	if (fs >= 0 && mount_label && *mount_label &&
	    sys_fsconfig(fs, FSCONFIG_SET_STRING, "context", mount_label, 0) < 0)
		return berr_sys(err, errno, "masking '%s' (context '%s')", path, mount_label);
	if (fs >= 0 && sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
		tree = sys_fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
	if (tree < 0)
		return berr_sys(err, errno, "masking '%s'", path);
	r = mount_detached_on(tree, target);
	if (r < 0)
		return berr_sys(err, -r, "masking '%s'", path);
	return 0;
}

static int readonly_path(int root, const char *path, struct berr **err)
{
	_cleanup_close_ int target = -1;
	int r;

	target = safe_open_in_root(root, path, O_PATH, 0);
	if (target == -ENOENT || target == -ENOTDIR)
		return 0;
	if (target < 0)
		return berr_sys(err, -target, "making '%s' read-only", path);
	r = mounts_bind_fd(target, target, true, 0, 0, MOUNT_ATTR_RDONLY, 0, 0);
	if (r < 0)
		return berr_sys(err, -r, "making '%s' read-only", path);
	return 0;
}

static int finish_root(const struct spec *s, int devnull, struct berr **err)
{
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	bool devnull_used = false;
	int r;

	if (root < 0)
		return berr_sys(err, errno, "opening /");
	for (char **p = s->linux.masked_paths; p && *p; p++) {
		r = mask_path(root, *p, s->linux.mount_label, devnull, &devnull_used, err);
		if (r < 0)
			return r;
	}
	for (char **p = s->linux.readonly_paths; p && *p; p++) {
		r = readonly_path(root, *p, err);
		if (r < 0)
			return r;
	}
	if (s->root_readonly) {
		struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};

		if (sys_mount_setattr(root, "", AT_EMPTY_PATH, &a) < 0)
			return berr_sys(err, errno, "making / read-only");
	}
	if (s->linux.rootfs_propagation &&
	    mount(NULL, "/", NULL, s->linux.rootfs_propagation, NULL) < 0)
		return berr_sys(err, errno, "setting the rootfs propagation");
	return 0;
}

int rootfs_enter(const struct container_ctx *c, int rootfd, struct berr **err)
{
	_cleanup_close_ int devnull = -1;
	int r = 0;

	/* While the host's /dev is still reachable. */
	if (has_masks(c->spec))
		r = host_devnull(&devnull, err);
	if (r >= 0)
		r = c->no_pivot ? do_move_chroot(c->rootfs, rootfd, err) : do_pivot(rootfd, err);
	if (r < 0)
		return r;
	return finish_root(c->spec, devnull, err);
}

int rootfs_chroot(const struct container_ctx *c, int *ret_rootfd, struct berr **err)
{
	_cleanup_close_ int rootfd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (rootfd < 0)
		return berr_sys(err, errno, "opening the rootfs '%s'", c->rootfs);
	if (fchdir(rootfd) < 0)
		return berr_sys(err, errno, "entering the rootfs");
	if (chroot(".") < 0)
		return berr_sys(err, errno, "chroot to the rootfs");
	*ret_rootfd = TAKE_FD(rootfd);
	return 0;
}
