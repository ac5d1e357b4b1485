/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/exec_files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"

#define PREFIX "exec-"
#define SUFFIX ".json"

static int fill(int fd, const char *text)
{
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return -errno;
	return write_all(fd, text, strlen(text));
}

/* Give the unnamed, locked file fd a free exec-<random>.json name in dirfd. */
static int link_new_name(int fd, int dirfd, char name[64])
{
	char proc[32];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	for (int tries = 0; tries < 16; tries++) {
		uint64_t rnd = 0;

		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			return -EIO;
		snprintf(name, 64, PREFIX "%016" PRIx64 SUFFIX, rnd);
		if (linkat(AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW) == 0)
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

int exec_file_create(int dirfd, const char *dir, const char *text, char **ret_path, int *ret_lock,
		     struct berr **err)
{
	_cleanup_close_ int fd = openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	char name[64];
	int r;

	if (fd < 0)
		return berr_sys(err, errno, "cannot write the exec's process.json");
	if ((r = fill(fd, text)) < 0 || (r = link_new_name(fd, dirfd, name)) < 0)
		return berr_sys(err, -r, "cannot write the exec's process.json");
	if (asprintf(ret_path, "%s/%s", dir, name) < 0) {
		(void) unlinkat(dirfd, name, 0);
		return berr_set(err, ENOMEM, "out of memory");
	}
	*ret_lock = TAKE_FD(fd);
	return 0;
}

static bool is_exec_json(const char *n)
{
	size_t len = strlen(n);

	return strncmp(n, PREFIX, strlen(PREFIX)) == 0 && len > strlen(PREFIX SUFFIX) &&
	       strcmp(n + len - strlen(SUFFIX), SUFFIX) == 0;
}

/* Nobody holds name's lock: its exec is gone. Its files go, the json last. */
static int sweep_one(int dirfd, const char *name)
{
	_cleanup_close_ int fd =
		openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	char other[300];

	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
		return 0;
	snprintf(other, sizeof(other), "%s.pid", name);
	(void) unlinkat(dirfd, other, 0);
	snprintf(other, sizeof(other), "%s.log", name);
	(void) unlinkat(dirfd, other, 0);
	return unlinkat(dirfd, name, 0) == 0;
}

int exec_files_sweep(int dirfd)
{
	_cleanup_close_ int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int n = 0;

	if (!d)
		return fd < 0 ? -errno : -ENOMEM;
	fd = -1; /* the DIR owns it */
	while ((de = readdir(d)))
		if (de->d_type == DT_REG && is_exec_json(de->d_name))
			n += sweep_one(dirfd, de->d_name);
	closedir(d);
	return n;
}
