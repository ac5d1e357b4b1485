/* SPDX-License-Identifier: Apache-2.0 */
#include "image/layer_unpack.h"

#include <archive.h>
#include <archive_entry.h>
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

#include "lib/cleanup.h"
#include "lib/userns_detect.h"
#include "lib/rmtree.h"
#include "lib/safe_path.h"

#define WH_PREFIX ".wh."
#define WH_META_PREFIX ".wh..wh."
#define WH_OPAQUE ".wh..wh..opq"
#define OVERLAY_OPAQUE_XATTR "trusted.overlay.opaque"
/* in a user namespace (rootless), where trusted.* is closed: overlay's "userxattr" name */
#define OVERLAY_OPAQUE_USER_XATTR "user.overlay.opaque"
#define READ_CHUNK (256 * 1024)

/* A directory whose times are set once everything under it is written. */
struct dir_time {
	char *path;
	struct timespec times[2];
};

struct unpack {
	int rootfd;
	/* the compressed side: raw bytes from fd or buffer, hashed */
	int fd;
	const unsigned char *mem;
	size_t mem_len, mem_off;
	unsigned char *rbuf;
	struct hasher *raw_hash;
	/* the decompressed side: outer archive ("raw" format) feeding the tar reader */
	struct archive *outer;
	unsigned char *tbuf;
	struct hasher *tar_hash;
	uint64_t tar_size;
	bool outer_eof;
	/* the parent directory of the last entry, reused while entries stay in it */
	char cached_parent[PATH_MAX];
	int cached_fd;
	struct dir_time *dirs;
	size_t n_dirs, cap_dirs;
	struct layer_unpack_result res;
	bool files_only; /* an image archive: no device node, no FIFO */
};

int layer_clean_path(const char *name, char *out, size_t size)
{
	size_t len = 0;
	const char *p = name;

	while (*p) {
		const char *end;
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchrnul(p, '/');
		n = (size_t) (end - p);
		if (n == 1 && p[0] == '.') {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (len == 0)
				return -EPERM;
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
		} else {
			if (len + n + 2 > size)
				return -ENAMETOOLONG;
			if (len > 0)
				out[len++] = '/';
			memcpy(out + len, p, n);
			len += n;
		}
		p = end;
	}
	if (size == 0)
		return -ENAMETOOLONG;
	out[len] = '\0';
	return 0;
}

/* libarchive callbacks: the raw stream. */
static la_ssize_t raw_read(struct archive *a, void *data, const void **buf)
{
	struct unpack *u = data;
	ssize_t n;

	(void) a;
	if (u->mem) {
		n = (ssize_t) (u->mem_len - u->mem_off);
		if (n > READ_CHUNK)
			n = READ_CHUNK;
		*buf = u->mem + u->mem_off;
		u->mem_off += (size_t) n;
	} else {
		do
			n = read(u->fd, u->rbuf, READ_CHUNK);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			archive_set_error(a, errno, "read: %s", strerror(errno));
			return -1;
		}
		*buf = u->rbuf;
	}
	hasher_update(u->raw_hash, *buf, (size_t) n);
	return n;
}

/* The tar reader's input: decompressed bytes from the outer archive, hashed. */
static la_ssize_t tar_read(struct archive *a, void *data, const void **buf)
{
	struct unpack *u = data;
	la_ssize_t n;

	if (u->outer_eof)
		return 0;
	n = archive_read_data(u->outer, u->tbuf, READ_CHUNK);
	if (n < 0) {
		archive_set_error(a, archive_errno(u->outer), "%s",
				  archive_error_string(u->outer) ?: "decompression failed");
		return -1;
	}
	if (n == 0)
		u->outer_eof = true;
	hasher_update(u->tar_hash, u->tbuf, (size_t) n);
	u->tar_size += (uint64_t) n;
	*buf = u->tbuf;
	return n;
}

static int open_outer(struct unpack *u, struct berr **err)
{
	struct archive_entry *e;

	u->outer = archive_read_new();
	if (!u->outer)
		return -ENOMEM;
	archive_read_support_filter_gzip(u->outer);
	archive_read_support_filter_zstd(u->outer);
	archive_read_support_filter_none(u->outer);
	archive_read_support_format_raw(u->outer);
	if (archive_read_open(u->outer, u, NULL, raw_read, NULL) != ARCHIVE_OK)
		return berr_set(err, EINVAL, "layer: %s", archive_error_string(u->outer));
	if (archive_read_next_header(u->outer, &e) != ARCHIVE_OK)
		return berr_set(err, EINVAL, "layer: %s",
				archive_error_string(u->outer) ?: "empty stream");
	return 0;
}

/* Drain what the tar reader left (end-of-archive padding) so both hashes cover it all. */
static int drain(struct unpack *u, struct berr **err)
{
	const void *b;

	while (!u->outer_eof) {
		la_ssize_t n = archive_read_data(u->outer, u->tbuf, READ_CHUNK);

		if (n < 0)
			return berr_set(err, EIO, "layer: %s", archive_error_string(u->outer));
		if (n == 0)
			u->outer_eof = true;
		hasher_update(u->tar_hash, u->tbuf, (size_t) n);
		u->tar_size += (uint64_t) n;
	}
	/* the compressed stream may have trailing bytes the decompressor did not need */
	while (!u->mem && raw_read(u->outer, u, &b) > 0)
		;
	if (u->mem && u->mem_off < u->mem_len) {
		hasher_update(u->raw_hash, u->mem + u->mem_off, u->mem_len - u->mem_off);
		u->mem_off = u->mem_len;
	}
	return 0;
}

static void uncache(struct unpack *u)
{
	if (u->cached_fd >= 0)
		(void) close(u->cached_fd);
	u->cached_fd = -1;
	u->cached_parent[0] = '\0';
}

/* An fd of directory parent (cleaned, "" is the root), created if missing. Borrowed. */
static int open_parent(struct unpack *u, const char *parent)
{
	int fd;

	if (u->cached_fd >= 0 && strcmp(u->cached_parent, parent) == 0)
		return u->cached_fd;
	uncache(u);
	fd = safe_open_in_root(u->rootfd, *parent ? parent : ".", O_RDONLY | O_DIRECTORY, 0);
	if (fd == -ENOENT) {
		int k = safe_mkdir_p_in_root(u->rootfd, parent, 0755);

		if (k < 0)
			return k;
		(void) close(k);
		fd = safe_open_in_root(u->rootfd, parent, O_RDONLY | O_DIRECTORY, 0);
	}
	if (fd < 0)
		return fd;
	u->cached_fd = fd;
	snprintf(u->cached_parent, sizeof(u->cached_parent), "%s", parent);
	return fd;
}

/* Remove what is at pfd/name unless both it and the new entry are directories. */
static int make_room(struct unpack *u, int pfd, const char *name, bool new_is_dir, bool *ret_is_dir)
{
	struct stat st;
	int r;

	*ret_is_dir = false;
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode) && new_is_dir) {
		*ret_is_dir = true;
		return 0;
	}
	if (S_ISDIR(st.st_mode) && u->cached_fd != pfd)
		uncache(u); /* the cached parent may lie inside what goes */
	r = rm_rf_at(pfd, name);
	return r;
}

static void proc_path(char *buf, size_t size, int pfd, const char *name)
{
	snprintf(buf, size, "/proc/self/fd/%d/%s", pfd, name);
}

static int apply_xattrs(struct archive_entry *e, int fd, int pfd, const char *name)
{
	const char *key;
	const void *val;
	size_t size;
	char path[PATH_MAX + 64];

	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &key, &val, &size) == ARCHIVE_OK) {
		int k;

		/* overlay's own, under either name: never a layer's to set */
		if (strncmp(key, "trusted.overlay.", 16) == 0 ||
		    strncmp(key, "user.overlay.", 13) == 0)
			continue;
		if (fd >= 0) {
			k = fsetxattr(fd, key, val, size, 0);
		} else {
			proc_path(path, sizeof(path), pfd, name);
			k = lsetxattr(path, key, val, size, 0);
		}
		if (k < 0 && errno != ENOTSUP && errno != EPERM)
			return -errno;
	}
	return 0;
}

/* Owner, mode, xattrs and times of pfd/name (or of fd when >= 0). */
static int apply_meta(struct archive_entry *e, int fd, int pfd, const char *name, bool times)
{
	mode_t mode = archive_entry_perm(e) & 07777;
	uid_t uid = (uid_t) archive_entry_uid(e);
	gid_t gid = (gid_t) archive_entry_gid(e);
	bool lnk = archive_entry_filetype(e) == AE_IFLNK;
	struct timespec ts[2];
	int r;

	if (fd >= 0 ? fchown(fd, uid, gid) : fchownat(pfd, name, uid, gid, AT_SYMLINK_NOFOLLOW))
		return -errno;
	r = apply_xattrs(e, fd, pfd, name);
	if (r < 0)
		return r;
	if (!lnk && (fd >= 0 ? fchmod(fd, mode) : fchmodat(pfd, name, mode, 0)))
		return -errno;
	if (!times)
		return 0;
	ts[1].tv_sec = archive_entry_mtime(e);
	ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	ts[0] = ts[1];
	if (archive_entry_atime_is_set(e)) {
		ts[0].tv_sec = archive_entry_atime(e);
		ts[0].tv_nsec = archive_entry_atime_nsec(e);
	}
	if (fd >= 0 ? futimens(fd, ts) : utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW))
		return -errno;
	return 0;
}

static int write_file(struct unpack *u, struct archive *a, struct archive_entry *e, int pfd,
		      const char *name)
{
	_cleanup_close_ int fd = -1;
	int r;

	fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (archive_entry_size(e) > 0) {
		r = archive_read_data_into_fd(a, fd);
		/* A failed write keeps its errno (ENOSPC, EDQUOT): only a bad archive is EIO. */
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return archive_errno(a) > 0 ? -archive_errno(a) : -EIO;
		u->res.content_size += (uint64_t) archive_entry_size(e);
	}
	return apply_meta(e, fd, pfd, name, true);
}

static int remember_dir(struct unpack *u, const char *path, struct archive_entry *e)
{
	struct dir_time *d;

	if (u->n_dirs == u->cap_dirs) {
		size_t cap = u->cap_dirs ? u->cap_dirs * 2 : 64;

		d = realloc(u->dirs, cap * sizeof(*d));
		if (!d)
			return -ENOMEM;
		u->dirs = d;
		u->cap_dirs = cap;
	}
	d = &u->dirs[u->n_dirs];
	d->path = strdup(path);
	if (!d->path)
		return -ENOMEM;
	d->times[1].tv_sec = archive_entry_mtime(e);
	d->times[1].tv_nsec = archive_entry_mtime_nsec(e);
	d->times[0] = d->times[1];
	u->n_dirs++;
	return 0;
}

static int make_dir(struct unpack *u, struct archive_entry *e, int pfd, const char *name,
		    const char *path, bool exists)
{
	if (!exists && mkdirat(pfd, name, 0700) < 0)
		return -errno;
	return remember_dir(u, path, e) < 0 ? -ENOMEM : apply_meta(e, -1, pfd, name, false);
}

static int make_hardlink(struct unpack *u, struct archive_entry *e, int pfd, const char *name,
			 struct berr **err)
{
	char target[PATH_MAX], *slash;
	_cleanup_close_ int tfd = -1;
	const char *tname = target;
	int r;

	r = layer_clean_path(archive_entry_hardlink(e), target, sizeof(target));
	if (r < 0 || !*target)
		return berr_set(err, EPERM, "hardlink target '%s' leaves the layer",
				archive_entry_hardlink(e));
	slash = strrchr(target, '/');
	if (slash) {
		*slash = '\0';
		tname = slash + 1;
	}
	tfd = safe_open_in_root(u->rootfd, slash ? target : ".", O_PATH | O_DIRECTORY, 0);
	if (tfd < 0)
		return berr_sys(err, -tfd, "hardlink target '%s'", archive_entry_hardlink(e));
	if (linkat(tfd, tname, pfd, name, 0) < 0)
		return berr_sys(err, errno, "hardlink to '%s'", archive_entry_hardlink(e));
	return 0;
}

static int make_node(struct archive_entry *e, int pfd, const char *name)
{
	mode_t type = archive_entry_filetype(e);
	dev_t dev = 0;

	if (type == AE_IFCHR || type == AE_IFBLK)
		dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
	if (mknodat(pfd, name, type | 0600, dev) < 0) {
		/* rootless: no device nodes in a user namespace; the runtime binds /dev's */
		if (errno == EPERM && type != AE_IFIFO && in_nested_userns())
			return 0;
		return -errno;
	}
	return apply_meta(e, -1, pfd, name, true);
}

/* ".wh.NAME" in parent: an overlay whiteout unless this layer itself has NAME. */
static int whiteout(int pfd, const char *victim, const char *path, struct berr **err)
{
	struct stat st;

	if (!*victim || strcmp(victim, ".") == 0 || strcmp(victim, "..") == 0 ||
	    strchr(victim, '/'))
		return berr_set(err, EINVAL, "'%s': invalid whiteout", path);
	if (fstatat(pfd, victim, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (mknodat(pfd, victim, S_IFCHR | 0, makedev(0, 0)) < 0)
		return berr_sys(err, errno, "'%s': cannot create the whiteout", path);
	return 0;
}

static int opaque(int pfd, const char *path, struct berr **err)
{
	if (fsetxattr(pfd, in_nested_userns() ? OVERLAY_OPAQUE_USER_XATTR : OVERLAY_OPAQUE_XATTR,
		      "y", 1, 0) < 0)
		return berr_sys(err, errno, "'%s': cannot mark the directory opaque", path);
	return 0;
}

static int entry_create(struct unpack *u, struct archive *a, struct archive_entry *e, int pfd,
			const char *name, const char *path, struct berr **err)
{
	mode_t type = archive_entry_filetype(e);
	bool is_dir = type == AE_IFDIR && !archive_entry_hardlink(e), exists;
	int r;

	r = make_room(u, pfd, name, is_dir, &exists);
	if (r < 0)
		return berr_sys(err, -r, "'%s': cannot replace what is there", path);
	if (archive_entry_hardlink(e))
		return make_hardlink(u, e, pfd, name, err);
	switch (type) {
	case AE_IFREG:
		r = write_file(u, a, e, pfd, name);
		break;
	case AE_IFDIR:
		r = make_dir(u, e, pfd, name, path, exists);
		break;
	case AE_IFLNK:
		if (symlinkat(archive_entry_symlink(e) ?: "", pfd, name) < 0)
			r = -errno;
		else
			r = apply_meta(e, -1, pfd, name, true);
		break;
	case AE_IFCHR:
	case AE_IFBLK:
	case AE_IFIFO:
		if (u->files_only)
			return berr_set(err, EINVAL,
					"'%s': a device node or FIFO (an image archive holds only "
					"files, directories and symlinks)",
					path);
		r = make_node(e, pfd, name);
		break;
	case AE_IFSOCK:
		return 0;
	default:
		return berr_set(err, EINVAL, "'%s': unknown file type %o", path, (unsigned) type);
	}
	if (r < 0)
		return berr_sys(err, -r, "'%s'", path);
	return 0;
}

static int root_entry(struct unpack *u, struct archive_entry *e)
{
	_cleanup_close_ int fd = -1;

	if (archive_entry_filetype(e) != AE_IFDIR)
		return -EINVAL;
	fd = openat(u->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (remember_dir(u, "", e) < 0)
		return -ENOMEM;
	return apply_meta(e, fd, -1, NULL, false);
}

static int entry_apply(struct unpack *u, struct archive *a, struct archive_entry *e,
		       struct berr **err)
{
	const char *raw = archive_entry_pathname(e);
	char path[PATH_MAX], *slash;
	const char *name;
	int pfd, r;

	if (!raw)
		return berr_set(err, EINVAL, "an entry has no name");
	r = layer_clean_path(raw, path, sizeof(path));
	if (r == -EPERM)
		return berr_set(err, EPERM, "'%s': path leaves the layer", raw);
	if (r < 0)
		return berr_set(err, -r, "'%.64s...': path too long", raw);
	if (!*path) {
		r = root_entry(u, e);
		return r < 0 ? berr_sys(err, -r, "'%s': the layer's root", raw) : 0;
	}
	slash = strrchr(path, '/');
	name = slash ? slash + 1 : path;
	if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e))
		uncache(u); /* a directory or symlink may replace a cached parent */
	if (slash)
		*slash = '\0';
	pfd = open_parent(u, slash ? path : "");
	if (slash)
		*slash = '/';
	if (pfd < 0)
		return berr_sys(err, -pfd, "'%s': cannot open the parent directory", raw);
	if (strcmp(name, WH_OPAQUE) == 0)
		return opaque(pfd, raw, err);
	if (strncmp(name, WH_META_PREFIX, strlen(WH_META_PREFIX)) == 0)
		return 0;
	if (strncmp(name, WH_PREFIX, strlen(WH_PREFIX)) == 0)
		return whiteout(pfd, name + strlen(WH_PREFIX), raw, err);
	return entry_create(u, a, e, pfd, name, path, err);
}

/* Directory times last: writing inside a directory changes its mtime. */
static void apply_dir_times(struct unpack *u)
{
	for (size_t i = u->n_dirs; i-- > 0;) {
		struct dir_time *d = &u->dirs[i];
		_cleanup_close_ int fd = -1;

		fd = safe_open_in_root(u->rootfd, *d->path ? d->path : ".",
				       O_PATH | O_DIRECTORY | O_NOFOLLOW, 0);
		if (fd >= 0)
			(void) utimensat(fd, "", d->times, AT_EMPTY_PATH);
	}
}

static int unpack_entries(struct unpack *u, struct berr **err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int r = 0, k;

	if (!a)
		return -ENOMEM;
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_filter_none(a);
	if (archive_read_open(a, u, NULL, tar_read, NULL) != ARCHIVE_OK) {
		r = berr_set(err, EINVAL, "layer: %s", archive_error_string(a));
		goto out;
	}
	while ((k = archive_read_next_header(a, &e)) == ARCHIVE_OK || k == ARCHIVE_WARN) {
		u->res.entries++;
		r = entry_apply(u, a, e, err);
		if (r < 0)
			goto out;
	}
	if (k != ARCHIVE_EOF)
		r = berr_set(err, EINVAL, "layer: %s",
			     archive_error_string(a) ?: "not a tar archive");
out:
	archive_read_free(a);
	return r;
}

static void unpack_done(struct unpack *u)
{
	uncache(u);
	if (u->outer)
		archive_read_free(u->outer);
	for (size_t i = 0; i < u->n_dirs; i++)
		free(u->dirs[i].path);
	free(u->dirs);
	free(u->rbuf);
	free(u->tbuf);
	hasher_free(u->raw_hash);
	hasher_free(u->tar_hash);
}

static int unpack_run(struct unpack *u, int destfd, struct layer_unpack_result *ret,
		      struct berr **err)
{
	int r;

	u->cached_fd = -1;
	u->rootfd = destfd;
	u->rbuf = malloc(READ_CHUNK);
	u->tbuf = malloc(READ_CHUNK);
	u->raw_hash = hasher_new(DIGEST_SHA256);
	u->tar_hash = hasher_new(DIGEST_SHA256);
	if (!u->rbuf || !u->tbuf || !u->raw_hash || !u->tar_hash)
		return -ENOMEM;
	r = open_outer(u, err);
	if (r >= 0)
		r = unpack_entries(u, err);
	if (r >= 0)
		r = drain(u, err);
	if (r < 0)
		return r;
	apply_dir_times(u);
	hasher_final(u->raw_hash, u->res.digest);
	hasher_final(u->tar_hash, u->res.diff_id);
	u->res.tar_size = u->tar_size;
	if (ret)
		*ret = u->res;
	return 0;
}

int layer_unpack_fd(int fd, int destfd, struct layer_unpack_result *ret, struct berr **err)
{
	struct unpack u = {.fd = fd};
	int r = unpack_run(&u, destfd, ret, err);

	unpack_done(&u);
	return r;
}

int layer_unpack_archive_fd(int fd, int destfd, struct berr **err)
{
	struct unpack u = {.fd = fd, .files_only = true};
	int r = unpack_run(&u, destfd, NULL, err);

	unpack_done(&u);
	return r;
}

int layer_unpack_buffer(const void *buf, size_t len, int destfd, struct layer_unpack_result *ret,
			struct berr **err)
{
	static const unsigned char empty[1];
	struct unpack u = {.fd = -1, .mem = len ? buf : empty, .mem_len = len};
	int r = unpack_run(&u, destfd, ret, err);

	unpack_done(&u);
	return r;
}
