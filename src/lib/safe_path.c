/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/safe_path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"

#define MAX_SYMLINKS 40
#define MAX_DEPTH 256

/* cache: whether openat2 exists; 0 unknown, 1 yes, -1 no. */
static int have_openat2;

const char *fd_proc_path(int fd, char buf[static 32])
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

int safe_open_in_root(int rootfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (uint64_t) (flags | O_CLOEXEC),
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	if (have_openat2 >= 0) {
		do
			fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
		while (fd < 0 && errno == EAGAIN);
		if (fd >= 0) {
			have_openat2 = 1;
			return (int) fd;
		}
		if (errno != ENOSYS)
			return -errno;
		have_openat2 = -1;
	}
	return safe_open_in_root_walk(rootfd, path, flags, mode);
}

/* A path still to walk: components are consumed from the front, symlinks prepended. */
struct walk {
	char *rest;	    /* remaining path, malloc'd */
	int fds[MAX_DEPTH]; /* fds[0] = root, fds[depth] = current directory */
	int depth;
	int links;
};

static void walk_done(struct walk *w)
{
	for (int i = 1; i <= w->depth; i++)
		(void) close(w->fds[i]);
	free(w->rest);
}

/* Take the next component of w->rest into comp; false when none is left. */
static bool next_component(struct walk *w, char comp[static NAME_MAX + 1], bool *ret_last)
{
	char *p = w->rest, *end;
	size_t len;

	while (*p == '/')
		p++;
	if (!*p)
		return false;
	end = strchrnul(p, '/');
	len = (size_t) (end - p);
	if (len > NAME_MAX)
		len = NAME_MAX; /* the open will fail with the truncated name: no escape */
	memcpy(comp, p, len);
	comp[len] = '\0';
	while (*end == '/')
		end++;
	*ret_last = *end == '\0';
	memmove(w->rest, end, strlen(end) + 1);
	return true;
}

/* Put target in front of what is left to walk; an absolute target restarts at the root. */
static int prepend_link(struct walk *w, const char *target)
{
	size_t tl = strlen(target), rl = strlen(w->rest);
	char *n;

	if (++w->links > MAX_SYMLINKS)
		return -ELOOP;
	n = malloc(tl + rl + 2);
	if (!n)
		return -ENOMEM;
	memcpy(n, target, tl);
	n[tl] = '/';
	memcpy(n + tl + 1, w->rest, rl + 1);
	free(w->rest);
	w->rest = n;
	if (target[0] == '/') {
		while (w->depth > 0)
			(void) close(w->fds[w->depth--]);
	}
	return 0;
}

static int read_link_fd(int fd, char **ret)
{
	char buf[PATH_MAX];
	ssize_t n = readlinkat(fd, "", buf, sizeof(buf) - 1);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	*ret = strdup(buf);
	return *ret ? 0 : -ENOMEM;
}

/* Step into comp from the current directory; follows a symlink by rewriting w->rest. */
static int walk_step(struct walk *w, const char *comp, bool last, int flags, mode_t mode,
		     int *ret_final)
{
	int cur = w->fds[w->depth], fd;
	struct stat st;

	if (strcmp(comp, ".") == 0 || strcmp(comp, "..") == 0) {
		if (comp[1] == '.' && w->depth > 0)
			(void) close(w->fds[w->depth--]);
		if (last)
			*ret_final = openat(w->fds[w->depth], ".", flags | O_CLOEXEC);
		return last && *ret_final < 0 ? -errno : 0;
	}
	fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && !(errno == ENOENT && last && (flags & O_CREAT)))
		return -errno;
	if (fd >= 0 && fstat(fd, &st) < 0) {
		(void) close(fd);
		return -errno;
	}
	if (fd >= 0 && S_ISLNK(st.st_mode) && !(last && (flags & O_NOFOLLOW))) {
		_cleanup_free_ char *target = NULL;
		int r = read_link_fd(fd, &target);

		(void) close(fd);
		return r < 0 ? r : prepend_link(w, target);
	}
	if (last) {
		if (fd >= 0)
			(void) close(fd);
		*ret_final = openat(cur, comp, flags | O_NOFOLLOW | O_CLOEXEC, mode);
		return *ret_final < 0 ? -errno : 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		(void) close(fd);
		return -ENOTDIR;
	}
	if (w->depth + 1 >= MAX_DEPTH) {
		(void) close(fd);
		return -ENAMETOOLONG;
	}
	w->fds[++w->depth] = fd;
	return 0;
}

int safe_open_in_root_walk(int rootfd, const char *path, int flags, mode_t mode)
{
	struct walk w = {.depth = 0};
	char comp[NAME_MAX + 1];
	int final = -1, r = 0;
	bool last;

	w.fds[0] = rootfd;
	w.rest = strdup(path);
	if (!w.rest)
		return -ENOMEM;
	while (final < 0 && next_component(&w, comp, &last)) {
		r = walk_step(&w, comp, last, flags, mode, &final);
		if (r < 0)
			break;
	}
	if (r >= 0 && final < 0) /* the path was "/" or ended in a symlink to "/" */
		final = openat(w.fds[w.depth], ".", flags | O_CLOEXEC);
	if (r >= 0 && final < 0)
		r = -errno;
	walk_done(&w);
	return r < 0 ? r : final;
}

/*
 * A component that exists but cannot be opened as a directory may be a dangling
 * symlink: then what is left to create is its target (taken from the root when
 * absolute, else from the symlink's directory) followed by the rest of the path.
 */
static int follow_dangling(int dirfd, const char *name, const char *parent, const char *rest,
			   char **todo)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
	char *next = NULL;

	if (n < 0)
		return errno == EINVAL ? -EEXIST : -errno;
	target[n] = '\0';
	if (asprintf(&next, "%s%s%s/%s", target[0] == '/' ? "" : parent,
		     target[0] == '/' ? "" : "/", target, rest) < 0)
		return -ENOMEM;
	free(*todo);
	*todo = next;
	return 0;
}

/* One pass over *todo; 1 when a dangling symlink rewrote *todo and the walk restarts. */
static int mkdir_p_pass(int rootfd, char **todo, mode_t mode, int *ret_fd)
{
	_cleanup_free_ char *prefix = malloc(strlen(*todo) + 2);
	_cleanup_close_ int cur = -1;
	const char *p = *todo;
	size_t plen = 0;

	if (!prefix)
		return -ENOMEM;
	prefix[0] = '\0';
	cur = safe_open_in_root(rootfd, "/", O_PATH | O_DIRECTORY, 0);
	if (cur < 0)
		return cur;
	while (*p) {
		_cleanup_free_ char *name = NULL;
		const char *end;
		size_t len, parent_len = plen;
		int next;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchrnul(p, '/');
		len = (size_t) (end - p);
		name = strndup(p, len);
		if (!name)
			return -ENOMEM;
		prefix[plen++] = '/';
		memcpy(prefix + plen, p, len);
		plen += len;
		prefix[plen] = '\0';
		next = safe_open_in_root(rootfd, prefix, O_PATH | O_DIRECTORY, 0);
		if (next == -ENOENT) {
			if (mkdirat(cur, name, mode) < 0 && errno != EEXIST)
				return -errno;
			next = safe_open_in_root(rootfd, prefix, O_PATH | O_DIRECTORY, 0);
		}
		if (next == -ENOENT) {
			int r;

			prefix[parent_len] = '\0';
			r = follow_dangling(cur, name, prefix, end, todo);
			return r < 0 ? r : 1;
		}
		if (next < 0)
			return next;
		(void) close(cur);
		cur = next;
		p = end;
	}
	*ret_fd = TAKE_FD(cur);
	return 0;
}

int safe_mkdir_p_in_root(int rootfd, const char *path, mode_t mode)
{
	_cleanup_free_ char *todo = strdup(path);
	int fd = -1, r;

	if (!todo)
		return -ENOMEM;
	for (int links = 0; links <= MAX_SYMLINKS; links++) {
		r = mkdir_p_pass(rootfd, &todo, mode, &fd);
		if (r <= 0)
			return r < 0 ? r : fd;
	}
	return -ELOOP;
}

static int mount_target_file(int rootfd, const char *path, int depth)
{
	_cleanup_free_ char *dir = NULL, *todo = NULL;
	_cleanup_close_ int dirfd = -1;
	const char *base;
	struct stat st;
	int fd;

	fd = safe_open_in_root(rootfd, path, O_PATH, 0);
	if (fd >= 0) {
		if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
			int r = S_ISDIR(st.st_mode) ? -EISDIR : -errno;
			(void) close(fd);
			return r;
		}
		return fd;
	}
	if (fd != -ENOENT)
		return fd;
	base = strrchr(path, '/');
	dir = base ? strndup(path, (size_t) (base - path)) : strdup("");
	base = base ? base + 1 : path;
	if (!dir)
		return -ENOMEM;
	if (!*base)
		return -EISDIR;
	dirfd = safe_mkdir_p_in_root(rootfd, dir, 0755);
	if (dirfd < 0)
		return dirfd;
	fd = openat(dirfd, base, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd >= 0) {
		(void) close(fd);
		return safe_open_in_root(rootfd, path, O_PATH, 0);
	}
	if (errno != EEXIST)
		return -errno;
	/* A dangling symlink: create its target, inside the root. */
	if (depth >= MAX_SYMLINKS)
		return -ELOOP;
	fd = follow_dangling(dirfd, base, dir, "", &todo);
	if (fd < 0)
		return fd;
	todo[strlen(todo) - 1] = '\0'; /* the trailing "/" of the empty rest */
	return mount_target_file(rootfd, todo, depth + 1);
}

int safe_mount_target(int rootfd, const char *path, bool is_file)
{
	if (!is_file)
		return safe_mkdir_p_in_root(rootfd, path, 0755);
	return mount_target_file(rootfd, path, 0);
}
