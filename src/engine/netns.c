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

/* In the child: a new network namespace, lo up, bound on path. Returns an errno or 0. */
static int child_setup(const char *path)
{
	struct ifreq ifr = {0};
	int fd;

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
	close(fd);
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

int netns_remove(const char *path, struct berr **err)
{
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return berr_sys(err, errno, "cannot unmount '%s'", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return berr_sys(err, errno, "cannot remove '%s'", path);
	return 0;
}
