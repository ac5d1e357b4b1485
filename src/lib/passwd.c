/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/passwd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/safe_path.h"

#define PASSWD_MAX (4u << 20)

int passwd_read_in_root(int rootfd, char **ret)
{
	_cleanup_close_ int path = -1, fd = -1;
	struct stat st, st2;

	/* Looked at before it is opened: opening a FIFO or a device has effects. */
	path = safe_open_in_root(rootfd, "/etc/passwd", O_PATH, 0);
	if (path < 0)
		return path;
	if (fstat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	/* Non-blocking and checked again: it may have been swapped since. */
	fd = safe_open_in_root(rootfd, "/etc/passwd", O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st2) < 0)
		return -errno;
	if (!S_ISREG(st2.st_mode) || st2.st_dev != st.st_dev || st2.st_ino != st.st_ino)
		return -EINVAL;
	return read_fd_all(fd, PASSWD_MAX, ret, NULL);
}

char *passwd_field(const char *text, uid_t uid, enum passwd_field field)
{
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		_cleanup_free_ char *copy =
			strndup(line, end ? (size_t) (end - line) : strlen(line));
		char *f[7] = {0}, *p = copy, *uend = NULL;
		unsigned long v;

		if (!copy)
			return NULL;
		line = end ? end + 1 : NULL;
		for (int i = 0; i < 7 && p; i++) {
			f[i] = p;
			p = strchr(p, ':');
			if (p)
				*p++ = '\0';
		}
		if (!f[2] || !f[field] || !*f[2] || *f[2] == '-')
			continue;
		v = strtoul(f[2], &uend, 10);
		if (*uend || v != uid)
			continue;
		return *f[field] ? strdup(f[field]) : NULL;
	}
	return NULL;
}

char *passwd_host_name(uid_t uid)
{
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *text = NULL;
	char *name = NULL;

	if (root >= 0 && passwd_read_in_root(root, &text) >= 0)
		name = passwd_field(text, uid, PASSWD_NAME);
	if (!name && asprintf(&name, "#%u", (unsigned) uid) < 0)
		return NULL;
	return name;
}
