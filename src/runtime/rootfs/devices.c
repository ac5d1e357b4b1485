/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/rootfs/devices.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/safe_path.h"
#include "runtime/rootfs/mounts.h"
#include "runtime/rootfs/mounts_bind.h"

static const struct spec_device default_devices[] = {
	{'c', (char *) "/dev/null", 1, 3, {0666, true}, {0, false}, {0, false}},
	{'c', (char *) "/dev/zero", 1, 5, {0666, true}, {0, false}, {0, false}},
	{'c', (char *) "/dev/full", 1, 7, {0666, true}, {0, false}, {0, false}},
	{'c', (char *) "/dev/random", 1, 8, {0666, true}, {0, false}, {0, false}},
	{'c', (char *) "/dev/urandom", 1, 9, {0666, true}, {0, false}, {0, false}},
	{'c', (char *) "/dev/tty", 5, 0, {0666, true}, {0, false}, {0, false}},
};

static const struct {
	const char *target;
	const char *link;
} dev_symlinks[] = {
	{"/proc/self/fd", "fd"},
	{"/proc/self/fd/0", "stdin"},
	{"/proc/self/fd/1", "stdout"},
	{"/proc/self/fd/2", "stderr"},
};

bool devices_dev_is_bind(const struct spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];

		if (strcmp(m->destination, "/dev") == 0 &&
		    (m->opts.bind || (m->type && strcmp(m->type, "bind") == 0)))
			return true;
	}
	return false;
}

static mode_t type_bits(char type)
{
	switch (type) {
	case 'b':
		return S_IFBLK;
	case 'p':
		return S_IFIFO;
	case 'c':
	case 'u':
	default:
		return S_IFCHR;
	}
}

/* In a user namespace mknod is refused: bind the host's node on an empty file. */
static int bind_host_device(int rootfd, const struct spec_device *d)
{
	_cleanup_close_ int src = -1, target = -1;

	src = open(d->path, O_PATH | O_CLOEXEC);
	if (src < 0)
		return -errno;
	target = safe_mount_target(rootfd, d->path, true);
	if (target < 0)
		return target;
	return mounts_bind_fd(src, target, false, 0, 0, 0, 0, 0);
}

static int split_parent(int rootfd, const char *path, const char **ret_base)
{
	_cleanup_free_ char *dir = NULL;
	const char *slash = strrchr(path, '/');

	*ret_base = slash + 1;
	if (!**ret_base)
		return -EINVAL;
	dir = strndup(path, (size_t) (slash - path));
	if (!dir)
		return -ENOMEM;
	return safe_mkdir_p_in_root(rootfd, dir, 0755);
}

/*
 * config-linux.md: a file already at a device's path that is not that device is an
 * error. The same device is made again, so that fileMode, uid and gid are the config's.
 */
static int check_existing(int dir, const char *base, const struct spec_device *d, struct berr **err)
{
	struct stat st;

	if (fstatat(dir, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : berr_sys(err, errno, "inspecting '%s'", d->path);
	if ((st.st_mode & S_IFMT) != type_bits(d->type) ||
	    (d->type != 'p' && st.st_rdev != makedev((unsigned) d->major, (unsigned) d->minor)))
		return berr_set(err, EEXIST, "'%s' exists and is not that device", d->path);
	return 0;
}

/*
 * mknod's mode went through the umask; fileMode is exact. The /dev directory may be one
 * another container writes: the node is pinned (never following a symlink swapped in
 * since mknod), checked to be the device just made, and changed through that fd
 * (fchmod refuses O_PATH fds; chmod of its /proc/self/fd link reaches that inode alone).
 */
static int set_mode_owner(int dir, const char *base, const struct spec_device *d, mode_t mode,
			  struct berr **err)
{
	_cleanup_close_ int node = openat(dir, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	char proc[32];

	if (node < 0 || fstat(node, &st) < 0)
		return berr_sys(err, errno, "opening device '%s'", d->path);
	if ((st.st_mode & S_IFMT) != type_bits(d->type) ||
	    (d->type != 'p' && st.st_rdev != makedev((unsigned) d->major, (unsigned) d->minor)))
		return berr_set(err, EEXIST, "'%s' was replaced while being made", d->path);
	if (chmod(fd_proc_path(node, proc), mode & 07777) < 0)
		return berr_sys(err, errno, "setting the mode of '%s'", d->path);
	if ((d->uid.set || d->gid.set) &&
	    fchownat(node, "", d->uid.set ? d->uid.v : (uid_t) -1,
		     d->gid.set ? d->gid.v : (gid_t) -1, AT_EMPTY_PATH) < 0)
		return berr_sys(err, errno, "setting the owner of '%s'", d->path);
	return 0;
}

static int make_device(int rootfd, const struct spec_device *d, bool in_userns, bool strict,
		       struct berr **err)
{
	_cleanup_close_ int dir = -1;
	mode_t mode = d->file_mode.set ? (mode_t) d->file_mode.v : 0666;
	const char *base;
	int r;

	if (in_userns && d->type != 'p') {
		r = bind_host_device(rootfd, d);
		return r < 0 ? berr_sys(err, -r, "bind-mounting device '%s'", d->path) : 0;
	}
	dir = split_parent(rootfd, d->path, &base);
	if (dir < 0)
		return berr_sys(err, -dir, "creating the parent of device '%s'", d->path);
	if (strict && (r = check_existing(dir, base, d, err)) < 0)
		return r;
	if (unlinkat(dir, base, 0) < 0 && errno != ENOENT)
		return berr_sys(err, errno, "replacing '%s'", d->path);
	if (mknodat(dir, base, type_bits(d->type) | (mode & 07777),
		    makedev((unsigned) d->major, (unsigned) d->minor)) < 0)
		return berr_sys(err, errno, "creating device '%s'", d->path);
	return set_mode_owner(dir, base, d, mode, err);
}

static bool listed(const struct spec *s, const char *path)
{
	for (size_t i = 0; i < s->linux.n_devices; i++)
		if (strcmp(s->linux.devices[i].path, path) == 0)
			return true;
	return false;
}

static int make_symlinks(int rootfd, bool has_devpts, struct berr **err)
{
	_cleanup_close_ int dev = safe_mkdir_p_in_root(rootfd, "/dev", 0755);

	if (dev < 0)
		return berr_sys(err, -dev, "opening /dev");
	for (size_t i = 0; i < ELEMENTSOF(dev_symlinks); i++) {
		if (symlinkat(dev_symlinks[i].target, dev, dev_symlinks[i].link) < 0 &&
		    errno != EEXIST)
			return berr_sys(err, errno, "creating /dev/%s", dev_symlinks[i].link);
	}
	if (access("/proc/kcore", F_OK) == 0)
		(void) symlinkat("/proc/kcore", dev, "core");
	if (has_devpts) {
		(void) unlinkat(dev, "ptmx", 0);
		if (symlinkat("pts/ptmx", dev, "ptmx") < 0)
			return berr_sys(err, errno, "creating /dev/ptmx");
	}
	return 0;
}

int devices_setup(int rootfd, const struct spec *s, bool in_userns, struct berr **err)
{
	bool has_devpts = false;
	int r;

	if (devices_dev_is_bind(s))
		return 0;
	for (size_t i = 0; i < ELEMENTSOF(default_devices); i++) {
		if (listed(s, default_devices[i].path))
			continue;
		r = make_device(rootfd, &default_devices[i], in_userns, false, err);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < s->linux.n_devices; i++) {
		r = make_device(rootfd, &s->linux.devices[i], in_userns, true, err);
		if (r < 0)
			return berr_wrap(err, "linux.devices[%zu]", i);
	}
	for (size_t i = 0; i < s->n_mounts; i++)
		has_devpts |= strcmp(s->mounts[i].destination, "/dev/pts") == 0;
	return make_symlinks(rootfd, has_devpts, err);
}
