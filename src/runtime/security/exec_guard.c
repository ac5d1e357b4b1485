/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/security/exec_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"

/* binfmt_script reads this much (BINPRM_BUF_SIZE), and recurses at most this deep. */
#define HEAD_SIZE 256
#define MAX_LEVELS 5

int exec_guard_self(struct file_id *ret, struct berr **err)
{
	struct stat st;

	if (stat("/proc/self/exe", &st) < 0)
		return berr_sys(err, errno, "inspecting the runtime's own binary");
	*ret = (struct file_id){.dev = st.st_dev, .ino = st.st_ino, .set = true};
	return 0;
}

bool exec_guard_interpreter(const char *head, size_t len, char *buf, size_t size)
{
	size_t i = 2, start;

	if (len < 2 || head[0] != '#' || head[1] != '!')
		return false;
	while (i < len && (head[i] == ' ' || head[i] == '\t'))
		i++;
	start = i;
	while (i < len && head[i] != ' ' && head[i] != '\t' && head[i] != '\n' && head[i] != '\0')
		i++;
	if (i == start || i - start >= size)
		return false;
	memcpy(buf, head + start, i - start);
	buf[i - start] = '\0';
	return true;
}

static bool same(const struct file_id *a, const struct stat *st)
{
	return a->set && a->dev == st->st_dev && a->ino == st->st_ino;
}

/*
 * Look at path as execve would find it (symlinks and /proc magic links followed): its
 * identity in *st and, for a regular file, its first bytes in head (*ret_len). O_PATH
 * first, so that a fifo or a device is never opened for real. Returns -errno when it
 * cannot be looked at, -ESTALE when it changed between the two opens.
 */
static int inspect(const char *path, const char *cwd, struct stat *st, char *head, size_t size,
		   size_t *ret_len)
{
	_cleanup_close_ int dirfd = -1, fd = -1;
	struct stat again;
	char proc[32];
	ssize_t n;
	int rfd;

	*ret_len = 0;
	if (path[0] != '/' && cwd) {
		dirfd = open(cwd, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0)
			return -errno;
	}
	fd = openat(dirfd >= 0 ? dirfd : AT_FDCWD, path, O_PATH | O_CLOEXEC);
	if (fd < 0 || fstat(fd, st) < 0)
		return -errno;
	if (!S_ISREG(st->st_mode))
		return 0;
	/* Reopen that very inode through /proc; by path only when /proc is not mounted. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	rfd = open(proc, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (rfd < 0 && errno == ENOENT)
		rfd = openat(dirfd >= 0 ? dirfd : AT_FDCWD, path,
			     O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (rfd < 0)
		return -errno;
	(void) close(fd);
	fd = rfd;
	if (fstat(fd, &again) < 0 || again.st_dev != st->st_dev || again.st_ino != st->st_ino)
		return -ESTALE;
	do
		n = pread(fd, head, size, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	*ret_len = (size_t) n;
	return 0;
}

int exec_guard_check(const struct file_id *self, const char *path, const char *cwd,
		     struct berr **err)
{
	char cur[HEAD_SIZE + 1], head[HEAD_SIZE];

	if (!self || !self->set)
		return 0;
	snprintf(cur, sizeof(cur), "%s", path);
	for (int level = 0; level < MAX_LEVELS; level++) {
		struct stat st = {0};
		size_t n;
		int r;

		r = inspect(cur, cwd, &st, head, sizeof(head), &n);
		if (r == -ESTALE)
			return berr_set(err, EPERM, "'%s' changed while it was inspected", cur);
		if (r < 0 && r != -EACCES)
			return 0; /* execve will say why */
		if (same(self, &st))
			return berr_set(err, EPERM,
					"refusing to execute the runtime's own binary%s%s%s "
					"inside the container (CVE-2019-5736)",
					level ? " (the interpreter '" : "", level ? cur : "",
					level ? "')" : "");
		if (r < 0 || !exec_guard_interpreter(head, n, cur, sizeof(cur)))
			return 0;
	}
	return 0;
}
