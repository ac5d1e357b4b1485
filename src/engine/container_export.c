/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/container_export.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"

#define EXPORT_MAX_DEPTH 256

struct export
{
	struct archive *out;
	struct archive_entry_linkresolver *links;
	dev_t root_dev;
	char path[PATH_MAX]; /* the entry's name, relative to the root */
};

static void archive_writep(struct archive **a)
{
	if (*a)
		archive_write_free(*a);
}

static int fail(struct archive *a, struct berr **err)
{
	return berr_set(err, EIO, "cannot write the tar: %s",
			archive_error_string(a) ?: "unknown error");
}

/* Copy the open regular file fd's size bytes (zeros if it shrank meanwhile). */
static int copy_data(struct export *x, int fd, int64_t size, struct berr **err)
{
	char buf[65536];
	int64_t done = 0;

	while (done < size) {
		size_t want =
			size - done < (int64_t) sizeof(buf) ? (size_t) (size - done) : sizeof(buf);
		ssize_t n = read(fd, buf, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berr_sys(err, errno, "cannot read '/%s'", x->path);
		if (n == 0) {
			memset(buf, 0, want);
			n = (ssize_t) want;
		}
		if (archive_write_data(x->out, buf, (size_t) n) != n)
			return fail(x->out, err);
		done += n;
	}
	return 0;
}

static int write_header(struct export *x, struct archive_entry *e, struct berr **err)
{
	struct archive_entry *spare = NULL;

	archive_entry_linkify(x->links, &e, &spare);
	if (e && archive_write_header(x->out, e) < ARCHIVE_WARN)
		return fail(x->out, err);
	return 0;
}

/* A regular file: opened without following, and still the file that was listed. */
static int add_file(struct export *x, int dfd, const char *name, struct archive_entry *e,
		    const struct stat *st, struct berr **err)
{
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat now;
	int r;

	if (fd < 0)
		return errno == ENOENT ? 0 : berr_sys(err, errno, "cannot open '/%s'", x->path);
	if (fstat(fd, &now) < 0)
		return berr_sys(err, errno, "cannot stat '/%s'", x->path);
	if (!S_ISREG(now.st_mode) || now.st_ino != st->st_ino || now.st_dev != st->st_dev)
		return 0; /* replaced while we looked: it is not the file we listed */
	archive_entry_copy_stat(e, &now);
	if ((r = write_header(x, e, err)) < 0)
		return r;
	/* a hard link to a file already written has no data of its own */
	if (archive_entry_size(e) == 0 || archive_entry_hardlink(e))
		return 0;
	return copy_data(x, fd, now.st_size, err);
}

static int add_dir_contents(struct export *x, int dfd, int depth, struct berr **err);

static int add_dir(struct export *x, int dfd, const char *name, struct archive_entry *e,
		   const struct stat *st, int depth, struct berr **err)
{
	_cleanup_close_ int fd = -1;
	int r;

	if ((r = write_header(x, e, err)) < 0)
		return r;
	if (st->st_dev != x->root_dev)
		return 0; /* a mount point: docker exports the directory, not the mount */
	if (depth >= EXPORT_MAX_DEPTH)
		return berr_set(err, ELOOP, "'/%s': directories nested too deep", x->path);
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR
			       ? 0
			       : berr_sys(err, errno, "cannot open '/%s'", x->path);
	return add_dir_contents(x, fd, depth + 1, err);
}

static int add_symlink(struct export *x, int dfd, const char *name, struct archive_entry *e,
		       struct berr **err)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);

	if (n < 0)
		return errno == ENOENT ? 0 : berr_sys(err, errno, "cannot read '/%s'", x->path);
	target[n] = '\0';
	archive_entry_copy_symlink(e, target);
	return write_header(x, e, err);
}

static int add_entry(struct export *x, int dfd, const char *name, int depth, struct berr **err)
{
	struct archive_entry *e;
	struct stat st;
	size_t len = strlen(x->path);
	int r;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0
				       : berr_sys(err, errno, "cannot stat '/%s%s'", x->path, name);
	if (snprintf(x->path + len, sizeof(x->path) - len, "%s", name) >=
	    (int) (sizeof(x->path) - len))
		return berr_set(err, ENAMETOOLONG, "'/%s%s': path too long", x->path, name);
	if (!(e = archive_entry_new()))
		return -ENOMEM;
	archive_entry_copy_stat(e, &st);
	archive_entry_copy_pathname(e, x->path);
	if (S_ISREG(st.st_mode))
		r = add_file(x, dfd, name, e, &st, err);
	else if (S_ISDIR(st.st_mode)) {
		strcat(x->path, "/");
		r = len + strlen(name) + 1 < sizeof(x->path)
			    ? add_dir(x, dfd, name, e, &st, depth, err)
			    : berr_set(err, ENAMETOOLONG, "'/%s': path too long", x->path);
	} else if (S_ISLNK(st.st_mode))
		r = add_symlink(x, dfd, name, e, err);
	else if (S_ISSOCK(st.st_mode))
		r = 0; /* tar has no sockets (docker skips them too) */
	else {
		archive_entry_set_size(e, 0);
		r = write_header(x, e, err); /* devices, fifos */
	}
	archive_entry_free(e);
	x->path[len] = '\0';
	return r;
}

static int add_dir_contents(struct export *x, int dfd, int depth, struct berr **err)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd = dup(dfd), r = 0;

	if (fd < 0 || !(d = fdopendir(fd))) {
		r = berr_sys(err, errno, "cannot list '/%s'", x->path);
		if (fd >= 0)
			close(fd);
		return r;
	}
	while (r >= 0 && (errno = 0, de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			r = add_entry(x, dfd, de->d_name, depth, err);
	if (r >= 0 && errno != 0)
		r = berr_sys(err, errno, "cannot list '/%s'", x->path);
	return r;
}

int container_export_tar(int rootfd, int outfd, struct berr **err)
{
	_cleanup_(archive_writep) struct archive *out = archive_write_new();
	struct export x = {.out = out};
	struct stat st;
	int r;

	if (!out)
		return -ENOMEM;
	if (fstat(rootfd, &st) < 0)
		return berr_sys(err, errno, "cannot stat the container's root");
	x.root_dev = st.st_dev;
	if (archive_write_set_format_pax_restricted(out) != ARCHIVE_OK ||
	    archive_write_open_fd(out, outfd) != ARCHIVE_OK)
		return fail(out, err);
	x.links = archive_entry_linkresolver_new();
	if (!x.links)
		return -ENOMEM;
	archive_entry_linkresolver_set_strategy(x.links, archive_format(out));
	r = add_dir_contents(&x, rootfd, 0, err);
	archive_entry_linkresolver_free(x.links);
	if (r < 0)
		return r;
	if (archive_write_close(out) != ARCHIVE_OK)
		return fail(out, err);
	return 0;
}
