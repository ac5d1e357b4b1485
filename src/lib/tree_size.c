/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/tree_size.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"

#define TREE_DEPTH_MAX 128

static uint64_t walk(int parent, const char *name, dev_t dev, int depth)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	struct stat st;
	uint64_t n = 0;
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return 0;
	if (depth > TREE_DEPTH_MAX || fstat(fd, &st) < 0 || (depth > 0 && st.st_dev != dev) ||
	    !(d = fdopendir(fd))) {
		close(fd);
		return 0;
	}
	dev = st.st_dev;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISREG(st.st_mode))
			n += (uint64_t) st.st_size;
		else if (S_ISDIR(st.st_mode))
			n += walk(dirfd(d), de->d_name, dev, depth + 1);
	}
	return n;
}

uint64_t tree_size(int parent, const char *name)
{
	return walk(parent, name, 0, 0);
}
