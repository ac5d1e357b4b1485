/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/fd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

int read_fd_all(int fd, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, size = 0;

	for (;;) {
		ssize_t n;

		if (size - len < 1024) {
			size_t nsize = size ? size * 2 : 4096;
			char *nbuf;

			if (nsize > max + 1)
				nsize = max + 1;
			if (nsize <= len + 1 && len >= max)
				return -EFBIG;
			nbuf = realloc(buf, nsize);
			if (!nbuf)
				return -ENOMEM;
			buf = nbuf;
			size = nsize;
		}
		n = read(fd, buf + len, size - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t) n;
		if (len > max)
			return -EFBIG;
	}
	if (!buf) {
		buf = malloc(1);
		if (!buf)
			return -ENOMEM;
	}
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

int read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	return read_fd_all(fd, max, ret, ret_len);
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t) n;
	}
	return 0;
}

ssize_t write_nosigpipe(int fd, const void *buf, size_t len)
{
	const struct timespec zero = {0};
	sigset_t pipe_set, old;
	ssize_t n;
	int r;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	if ((r = pthread_sigmask(SIG_BLOCK, &pipe_set, &old)) != 0)
		return -r;
	while ((n = write(fd, buf, len)) < 0 && errno == EINTR)
		;
	if (n < 0)
		n = -errno;
	/* the SIGPIPE of this write is pending on this thread: take it before unblocking */
	if (n == -EPIPE && !sigismember(&old, SIGPIPE))
		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	(void) pthread_sigmask(SIG_SETMASK, &old, NULL);
	return n;
}

int write_file_at(int dirfd, const char *path, const char *data, int flags)
{
	_cleanup_close_ int fd = openat(dirfd, path, flags | O_CLOEXEC | O_NOCTTY, 0644);

	if (fd < 0)
		return -errno;
	return write_all(fd, data, strlen(data));
}

/*
 * The rename itself is durable only once the directory is: without this, a power cut
 * may bring back the old name (or no name) although the new content was synced.
 */
static int fsync_dir(int dirfd)
{
	_cleanup_close_ int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) < 0)
		return -errno;
	return 0;
}

int write_file_atomic_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
			 bool durable)
{
	char tmp[256];
	_cleanup_close_ int fd = -1;
	int r;

	if (snprintf(tmp, sizeof(tmp), ".%s.tmp", name) >= (int) sizeof(tmp))
		return -ENAMETOOLONG;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	r = write_all(fd, data, len);
	if (r >= 0 && durable && fsync(fd) < 0)
		r = -errno;
	if (r >= 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r < 0) {
		(void) unlinkat(dirfd, tmp, 0);
		return r;
	}
	return durable ? fsync_dir(dirfd) : r;
}

int fd_dup_min(int fd, int min)
{
	int r = fcntl(fd, F_DUPFD_CLOEXEC, min);

	return r < 0 ? -errno : r;
}

int fd_set_cloexec(int fd, bool on)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags < 0)
		return -errno;
	flags = on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC;
	if (fcntl(fd, F_SETFD, flags) < 0)
		return -errno;
	return 0;
}

int fd_cloexec_from(int from)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	if (syscall(SYS_close_range, (unsigned) from, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	d = opendir("/proc/self/fd");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] == '.' || fd < from || fd == dirfd(d))
			continue;
		(void) fd_set_cloexec(fd, true);
	}
	return 0;
}
