/* SPDX-License-Identifier: Apache-2.0 */
#include "build/layer_diff.h"

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
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "engine/userns.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

#define DIFF_MAX_DEPTH 128
#define COPY_CHUNK (128 * 1024)
#define OVERFLOW_ID 65534 /* /proc/sys/kernel/overflowuid's default */

struct hardlink {
	dev_t dev;
	ino_t ino;
	char *path;
};

struct diff {
	struct archive *a;
	struct hardlink *links;
	size_t n_links;
	char *buf;
	size_t n_entries; /* written so far */
	const struct layer_idmap *ids;
};

/* The engine's bind mount targets, made empty by the runtime when the image lacks them. */
static const char *const mount_targets[] = {"etc/hostname", "etc/hosts", "etc/resolv.conf"};

static bool is_mount_target(const char *rel, const struct stat *st)
{
	if (!S_ISREG(st->st_mode) || st->st_size != 0)
		return false;
	for (size_t i = 0; i < ELEMENTSOF(mount_targets); i++)
		if (strcmp(rel, mount_targets[i]) == 0)
			return true;
	return false;
}

static bool dir_opaque(int fd);

/*
 * A directory that holds nothing but empty mount targets was only copied up for them (the
 * runtime made them in the step's container): docker makes them in an init layer below the
 * step's, so its layer does not have the directory. (A chmod of /etc alone, with the targets
 * made, is lost with it: the upper dir cannot tell the two apart.)
 */
static bool only_mount_targets(int parent, const char *name, const char *rel)
{
	_cleanup_close_ int fd =
		openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *de;
	char path[PATH_MAX];
	struct stat st;
	size_t n = 0;

	if (strcmp(rel, "etc") != 0 || fd < 0 || dir_opaque(fd) || !(dir = fdopendir(fd)))
		return false;
	fd = -1; /* the DIR owns it */
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "etc/%s", de->d_name);
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !is_mount_target(path, &st))
			return false;
		n++;
	}
	return n > 0;
}

static int archive_fail(struct diff *d, const char *rel, struct berr **err)
{
	return berr_set(err, EIO, "cannot write '%s' to the layer: %s", rel,
			archive_error_string(d->a) ?: "unknown error");
}

/* id on the host as the container sees it through map (NULL: no user namespace) */
static la_int64_t to_container(char *const *map, la_int64_t id)
{
	struct idmap_range m;

	if (!map)
		return id;
	STRV_FOREACH (s, map)
		if (userns_parse_range("map", *s, &m, NULL) >= 0 && id >= m.host &&
		    id < (la_int64_t) m.host + m.size)
			return m.container + (id - m.host);
	return OVERFLOW_ID;
}

static int write_header(struct diff *d, const char *rel, const struct stat *st, const char *symlink,
			const char *hardlink, struct berr **err)
{
	struct archive_entry *e = archive_entry_new();
	int r = 0;

	if (!e)
		return -ENOMEM;
	archive_entry_set_pathname(e, rel);
	archive_entry_copy_stat(e, st);
	if (d->ids) {
		archive_entry_set_uid(e, to_container(d->ids->uid_map, st->st_uid));
		archive_entry_set_gid(e, to_container(d->ids->gid_map, st->st_gid));
	}
	if (symlink)
		archive_entry_set_symlink(e, symlink);
	if (hardlink) {
		archive_entry_set_hardlink(e, hardlink);
		archive_entry_set_size(e, 0);
	}
	if (!S_ISREG(st->st_mode))
		archive_entry_set_size(e, 0);
	if (archive_write_header(d->a, e) != ARCHIVE_OK)
		r = archive_fail(d, rel, err);
	else
		d->n_entries++;
	archive_entry_free(e);
	return r;
}

/* An empty regular file entry named name in dir rel (a whiteout marker). */
static int write_marker(struct diff *d, const char *rel, const char *name, const struct stat *st,
			struct berr **err)
{
	char path[PATH_MAX];
	struct stat m = {.st_mode = S_IFREG | 0644, .st_mtim = st->st_mtim};

	if (snprintf(path, sizeof(path), "%s%s%s", rel, *rel ? "/" : "", name) >=
	    (int) sizeof(path))
		return berr_set(err, ENAMETOOLONG, "path too long in the layer: '%s'", rel);
	return write_header(d, path, &m, NULL, NULL, err);
}

static int copy_data(struct diff *d, int fd, const char *rel, struct berr **err)
{
	ssize_t n;

	while ((n = read(fd, d->buf, COPY_CHUNK)) > 0)
		if (archive_write_data(d->a, d->buf, (size_t) n) != n)
			return archive_fail(d, rel, err);
	if (n < 0)
		return berr_sys(err, errno, "cannot read '%s'", rel);
	return 0;
}

/* A hardlink target already written for st's inode, or NULL (then st is remembered). */
static const char *hardlink_of(struct diff *d, const char *rel, const struct stat *st)
{
	struct hardlink *n;

	if (st->st_nlink < 2)
		return NULL;
	for (size_t i = 0; i < d->n_links; i++)
		if (d->links[i].dev == st->st_dev && d->links[i].ino == st->st_ino)
			return d->links[i].path;
	n = realloc(d->links, (d->n_links + 1) * sizeof(*n));
	if (!n)
		return NULL;
	d->links = n;
	n[d->n_links] = (struct hardlink){st->st_dev, st->st_ino, strdup(rel)};
	if (n[d->n_links].path)
		d->n_links++;
	return NULL;
}

static int write_file(struct diff *d, int dirfd, const char *name, const char *rel,
		      const struct stat *st, struct berr **err)
{
	_cleanup_close_ int fd = -1;
	const char *link = hardlink_of(d, rel, st);
	struct stat now;
	int r;

	if (link)
		return write_header(d, rel, st, NULL, link, err);
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return berr_sys(err, errno, "cannot open '%s'", rel);
	if (fstat(fd, &now) < 0)
		return berr_sys(err, errno, "cannot stat '%s'", rel);
	if (!S_ISREG(now.st_mode) || now.st_ino != st->st_ino || now.st_dev != st->st_dev)
		return berr_set(err, EAGAIN, "'%s' changed while the layer was written", rel);
	r = write_header(d, rel, &now, NULL, NULL, err);
	return r < 0 ? r : copy_data(d, fd, rel, err);
}

static bool dir_opaque(int fd)
{
	char v[4];
	ssize_t n = fgetxattr(fd, "trusted.overlay.opaque", v, sizeof(v));

	if (n < 0)
		n = fgetxattr(fd, "user.overlay.opaque", v, sizeof(v));
	return n == 1 && v[0] == 'y';
}

static int walk(struct diff *d, int dirfd, const char *rel, int depth, struct berr **err);

static int write_dir(struct diff *d, int parent, const char *name, const char *rel,
		     const struct stat *st, int depth, struct berr **err)
{
	_cleanup_close_ int fd = -1;
	struct stat now;
	int r;

	if (depth >= DIFF_MAX_DEPTH)
		return berr_set(err, ELOOP, "'%s': directories nested too deep", rel);
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &now) < 0)
		return berr_sys(err, errno, "cannot open '%s'", rel);
	if (now.st_ino != st->st_ino || now.st_dev != st->st_dev)
		return berr_set(err, EAGAIN, "'%s' changed while the layer was written", rel);
	r = write_header(d, rel, &now, NULL, NULL, err);
	if (r >= 0 && dir_opaque(fd))
		r = write_marker(d, rel, ".wh..wh..opq", &now, err);
	return r < 0 ? r : walk(d, fd, rel, depth + 1, err);
}

static int write_entry(struct diff *d, int dirfd, const char *name, const char *rel, int depth,
		       struct berr **err)
{
	char target[PATH_MAX], wh[NAME_MAX + 8];
	struct stat st;
	ssize_t n;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return berr_sys(err, errno, "cannot stat '%s'", rel);
	if (is_mount_target(rel, &st))
		return 0;
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
		const char *slash = strrchr(rel, '/');
		_cleanup_free_ char *dir = strndup(rel, slash ? (size_t) (slash - rel) : 0);

		if (!dir)
			return -ENOMEM;
		snprintf(wh, sizeof(wh), ".wh.%s", name);
		return write_marker(d, dir, wh, &st, err);
	}
	if (S_ISDIR(st.st_mode) && only_mount_targets(dirfd, name, rel))
		return 0;
	if (S_ISDIR(st.st_mode))
		return write_dir(d, dirfd, name, rel, &st, depth, err);
	if (S_ISREG(st.st_mode))
		return write_file(d, dirfd, name, rel, &st, err);
	if (S_ISLNK(st.st_mode)) {
		n = readlinkat(dirfd, name, target, sizeof(target) - 1);
		if (n < 0)
			return berr_sys(err, errno, "cannot read the symlink '%s'", rel);
		target[n] = '\0';
		return write_header(d, rel, &st, target, NULL, err);
	}
	return write_header(d, rel, &st, NULL, NULL, err); /* devices, fifos, sockets */
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The names in dirfd, sorted, so that the same tree gives the same tar. */
static int list_dir(int dirfd, char ***ret)
{
	_cleanup_closedir_ DIR *dir = NULL;
	_cleanup_strv_ char **names = NULL;
	struct dirent *de;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (strv_push_dup(&names, de->d_name) < 0)
			return -ENOMEM;
	}
	if (names)
		qsort(names, strv_length(names), sizeof(char *), cmp_str);
	*ret = TAKE_PTR(names);
	return 0;
}

static int walk(struct diff *d, int dirfd, const char *rel, int depth, struct berr **err)
{
	_cleanup_strv_ char **names = NULL;
	char path[PATH_MAX];
	int r = list_dir(dirfd, &names);

	if (r < 0)
		return berr_sys(err, -r, "cannot list '%s'", *rel ? rel : "/");
	STRV_FOREACH (n, names) {
		if (snprintf(path, sizeof(path), "%s%s%s", rel, *rel ? "/" : "", *n) >=
		    (int) sizeof(path))
			return berr_set(err, ENAMETOOLONG, "path too long: '%s/%s'", rel, *n);
		r = write_entry(d, dirfd, *n, path, depth, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int layer_diff_write(int upperfd, int outfd, const struct layer_idmap *ids, struct berr **err)
{
	struct diff d = {.a = archive_write_new(), .buf = malloc(COPY_CHUNK), .ids = ids};
	int r = -ENOMEM;

	if (!d.a || !d.buf)
		goto out;
	if (archive_write_set_format_pax_restricted(d.a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(d.a) != ARCHIVE_OK ||
	    archive_write_open_fd(d.a, outfd) != ARCHIVE_OK) {
		r = berr_set(err, EIO, "cannot write the layer: %s", archive_error_string(d.a));
		goto out;
	}
	r = walk(&d, upperfd, "", 0, err);
	if (archive_write_close(d.a) != ARCHIVE_OK && r >= 0)
		r = berr_set(err, EIO, "cannot write the layer: %s", archive_error_string(d.a));
	if (r >= 0)
		r = d.n_entries > INT_MAX ? INT_MAX : (int) d.n_entries;
out:
	if (d.a)
		archive_write_free(d.a);
	for (size_t i = 0; i < d.n_links; i++)
		free(d.links[i].path);
	free(d.links);
	free(d.buf);
	return r;
}
