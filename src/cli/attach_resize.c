/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/attach.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "engine/container_store.h"
#include "lib/cleanup.h"

#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/* The pidfd of pid if it is a berth-monitor (the state names it; pid reuse is checked). */
static int monitor_pidfd(pid_t pid)
{
	_cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
	char path[64], comm[32] = "";
	_cleanup_close_ int fd = -1;
	ssize_t n;

	if (pidfd < 0)
		return -errno;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int) pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, comm, sizeof(comm) - 1);
	if (n <= 0 || strncmp(comm, "berth-monitor\n", 14) != 0)
		return -ESRCH;
	/* the pidfd was opened first: a pid reused since then makes every call on it fail */
	return TAKE_FD(pidfd);
}

/* A copy of the monitor's fd n if that is a pty master (/dev/ptmx: 5, 2). */
static int take_if_master(int pidfd, int n)
{
	_cleanup_close_ int fd = (int) syscall(SYS_pidfd_getfd, pidfd, n, 0);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 ||
	    minor(st.st_rdev) != 2)
		return -ENOTTY;
	return TAKE_FD(fd);
}

int attach_console_master(struct engine *e, const char *id)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_close_ int pidfd = -1;
	char path[64];
	struct dirent *de;
	int r;

	if ((r = container_load(e, id, true, &c, NULL)) < 0)
		return r;
	if (c->st.monitor_pid <= 0)
		return -ESRCH;
	if ((pidfd = monitor_pidfd(c->st.monitor_pid)) < 0)
		return pidfd;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int) c->st.monitor_pid);
	if (!(d = opendir(path)))
		return -errno;
	while ((de = readdir(d))) {
		int fd;

		if (de->d_name[0] == '.' || (fd = take_if_master(pidfd, atoi(de->d_name))) < 0)
			continue;
		return fd;
	}
	return -ENOTTY;
}

void attach_resize(int master)
{
	struct winsize ws;

	if (master >= 0 && (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 ||
			    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0))
		(void) ioctl(master, TIOCSWINSZ, &ws);
}

void attach_redraw(int master)
{
	struct winsize ws, bigger;

	if (master < 0 ||
	    (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0))
		return;
	bigger = ws;
	bigger.ws_row++;
	bigger.ws_col++;
	(void) ioctl(master, TIOCSWINSZ, &bigger);
	(void) ioctl(master, TIOCSWINSZ, &ws);
}
