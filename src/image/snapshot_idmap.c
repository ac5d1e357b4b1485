/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A snapshot's overlay over idmapped layers (Linux >= 5.19 stacks overlayfs on idmapped
 * mounts; an overlayfs mount itself cannot be idmapped). A child in a private mount
 * namespace covers each layer with an idmapped clone of itself, mounts the overlay there,
 * and hands a detached clone of it to the parent over a socket; the parent attaches it
 * to the target. The layer mounts die with the child's namespace, so no kill at any
 * point leaves one behind, and the image's files are never chowned or copied.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/overlay.h"
#include "image/snapshot.h"
#include "lib/cleanup.h"
#include "runtime/rootfs/mount_api.h"

#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif

static int send_fd(int sock, int fd)
{
	char data = 'f';
	struct iovec iov = {.iov_base = &data, .iov_len = 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u = {0};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -errno;
}

/* The fd, or -errno: the child sends either an fd or an errno as 4 bytes. */
static int recv_fd(int sock)
{
	int code = 0, fd = -1;
	struct iovec iov = {.iov_base = &code, .iov_len = sizeof(code)};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u = {0};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;

	if (c && c->cmsg_type == SCM_RIGHTS) {
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
		return fd;
	}
	if (n == (ssize_t) sizeof(code) && code > 0)
		return -code;
	return n < 0 ? -errno : -EIO;
}

/* In the child: cover path with an idmapped clone of itself. */
static int idmap_in_place(const char *path, int userns_fd)
{
	struct mount_attr a = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t) userns_fd};
	_cleanup_close_ int tree =
		sys_open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

	if (tree < 0 || sys_mount_setattr(tree, "", AT_EMPTY_PATH, &a) < 0 ||
	    sys_move_mount(tree, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

static int child_mount(const struct overlay_spec *spec, const char *target, int userns_fd)
{
	_cleanup_close_ int tree = -1;
	int r;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	for (char *const *l = spec->lowerdirs; *l; l++)
		if ((r = idmap_in_place(*l, userns_fd)) < 0)
			return r;
	if ((r = overlay_mount(spec, target, NULL)) < 0)
		return r;
	tree = sys_open_tree(AT_FDCWD, target, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	return tree < 0 ? -errno : TAKE_FD(tree);
}

static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int snapshot_mount_idmapped(const struct overlay_spec *spec, const char *target,
			    const struct snapshot_idmap *idmap, struct berr **err)
{
	_cleanup_close_ int tree = -1;
	int sk[2];
	pid_t pid;

	if (chown(spec->upperdir, idmap->uid, idmap->gid) < 0)
		return berr_sys(err, errno, "cannot give the container's layer to its root");
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sk) < 0)
		return berr_sys(err, errno, "cannot make a socket pair");
	pid = fork();
	if (pid < 0) {
		close(sk[0]);
		close(sk[1]);
		return berr_sys(err, errno, "cannot fork");
	}
	if (pid == 0) {
		int r = child_mount(spec, target, idmap->userns_fd);

		if (r >= 0 ? send_fd(sk[1], r) < 0 : send(sk[1], &(int){-r}, sizeof(int), 0) < 0)
			_exit(1);
		_exit(0);
	}
	close(sk[1]);
	tree = recv_fd(sk[0]);
	close(sk[0]);
	(void) wait_child(pid);
	if (tree < 0)
		return berr_sys(err, -tree, "cannot mount the rootfs on idmapped layers%s",
				tree == -EINVAL ? " (this kernel cannot idmap the image store's "
						  "filesystem: overlayfs stacks on idmapped layers "
						  "from Linux 5.19, on ext4, xfs and btrfs, and on "
						  "tmpfs from 6.3)"
						: "");
	if (sys_move_mount(tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return berr_sys(err, errno, "cannot attach the idmapped rootfs on '%s'", target);
	return 0;
}
