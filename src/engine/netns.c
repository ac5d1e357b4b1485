/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/strv.h"

/* In a child: a new network namespace with lo up. Returns an errno or 0. */
static int new_netns_lo_up(void)
{
	struct ifreq ifr = {0};
	_cleanup_close_ int fd = -1;

	if (unshare(CLONE_NEWNET) < 0)
		return errno;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return errno;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return errno;
	return 0;
}

/* In the child: a new network namespace, lo up, bound on path. Returns an errno or 0. */
static int child_setup(const char *path)
{
	int r = new_netns_lo_up();

	if (r)
		return r;
	if (mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0)
		return errno;
	return 0;
}

int netns_create(const char *path, struct berr **err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	int status;
	pid_t pid;

	if (fd < 0)
		return berr_sys(err, errno, "cannot create '%s'", path);
	pid = fork();
	if (pid < 0) {
		(void) unlink(path);
		return berr_sys(err, errno, "cannot fork");
	}
	if (pid == 0)
		_exit(child_setup(path));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			break;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		int e = WIFEXITED(status) ? WEXITSTATUS(status) : EIO;

		(void) umount2(path, MNT_DETACH);
		(void) unlink(path);
		return berr_sys(err, e, "cannot make the network namespace");
	}
	return 0;
}

/*
 * In the child of netns_create_owned: a user namespace, then a network namespace it owns
 * with lo up; says 'r' (or an errno byte) on w and stays until the parent closes r.
 */
static int owned_child(int w, int rd)
{
	char b = 'r';
	int e = 0;

	if (unshare(CLONE_NEWUSER) < 0)
		e = errno;
	else
		e = new_netns_lo_up();
	if (e)
		b = (char) (e > 0 && e < 127 ? e : EIO);
	if (write(w, &b, 1) != 1)
		return EIO;
	while (read(rd, &b, 1) < 0 && errno == EINTR)
		;
	return e;
}

/*
 * "C:H:S" entries (checked at create, userns.h) as uid_map's "C H S" lines, written at
 * once: the kernel takes one write.
 */
static int write_map(pid_t pid, const char *file, char *const *map)
{
	_cleanup_free_ char *text = NULL, *path = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return -ENOMEM;
	STRV_FOREACH (s, map) {
		for (const char *p = *s; *p; p++)
			fputc(*p == ':' ? ' ' : *p, f);
		fputc('\n', f);
	}
	if (fclose(f) != 0 || asprintf(&path, "/proc/%d/%s", (int) pid, file) < 0)
		return -ENOMEM;
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t) len)
		return -errno;
	return 0;
}

static int bind_ns(pid_t pid, const char *kind, const char *target)
{
	char src[64];

	snprintf(src, sizeof(src), "/proc/%d/ns/%s", (int) pid, kind);
	return mount(src, target, NULL, MS_BIND, NULL) < 0 ? -errno : 0;
}

/* The parent's part: the child's namespaces get their maps and are bound; r: 0 or -errno. */
static int owned_parent(pid_t pid, int rd, const char *netns_path, const char *userns_path,
			char *const *uid_map, char *const *gid_map, const char **what)
{
	char b = 0;
	ssize_t n;
	int r;

	while ((n = read(rd, &b, 1)) < 0 && errno == EINTR)
		;
	*what = "cannot make the user and network namespaces";
	if (n != 1)
		return -EIO;
	if (b != 'r')
		return -(int) b;
	*what = "cannot write the user namespace's maps";
	if ((r = write_map(pid, "uid_map", uid_map)) < 0 ||
	    (r = write_map(pid, "gid_map", gid_map)) < 0)
		return r;
	*what = "cannot bind the user and network namespaces";
	if ((r = bind_ns(pid, "user", userns_path)) < 0 ||
	    (r = bind_ns(pid, "net", netns_path)) < 0)
		return r;
	return 0;
}

int netns_create_owned(const char *netns_path, const char *userns_path, char *const *uid_map,
		       char *const *gid_map, struct berr **err)
{
	_cleanup_close_ int nfd = -1, ufd = -1, up_r = -1, up_w = -1, down_r = -1, down_w = -1;
	const char *what = "cannot fork";
	int p[2], r = 0, status;
	pid_t pid;

	nfd = open(netns_path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (nfd < 0)
		return berr_sys(err, errno, "cannot create '%s'", netns_path);
	ufd = open(userns_path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (ufd < 0) {
		r = berr_sys(err, errno, "cannot create '%s'", userns_path);
		(void) unlink(netns_path);
		return r;
	}
	if (pipe2(p, O_CLOEXEC) == 0) {
		up_r = p[0], up_w = p[1];
		if (pipe2(p, O_CLOEXEC) == 0)
			down_r = p[0], down_w = p[1];
	}
	if (down_w < 0) {
		r = -errno;
		what = "cannot make a pipe";
	} else if ((pid = fork()) < 0) {
		r = -errno;
	} else if (pid == 0) {
		close(up_r);
		close(down_w); /* or the child's read would never see the parent close it */
		_exit(owned_child(up_w, down_r));
	} else {
		close(TAKE_FD(up_w));
		close(TAKE_FD(down_r));
		r = owned_parent(pid, up_r, netns_path, userns_path, uid_map, gid_map, &what);
		close(TAKE_FD(down_w)); /* the child may go */
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR)
				break;
	}
	if (r >= 0)
		return 0;
	(void) umount2(netns_path, MNT_DETACH);
	(void) umount2(userns_path, MNT_DETACH);
	(void) unlink(netns_path);
	(void) unlink(userns_path);
	return berr_sys(err, -r, "%s", what);
}

int netns_remove(const char *path, struct berr **err)
{
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return berr_sys(err, errno, "cannot unmount '%s'", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return berr_sys(err, errno, "cannot remove '%s'", path);
	return 0;
}
