/* SPDX-License-Identifier: Apache-2.0 */
#include "image/blob.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"

#define INGEST_DIR "ingest"
#define HASH_CHUNK (1024 * 1024)

struct blob_writer {
	struct image_store *s;
	int fd;
	char name[DIGEST_MAX + 16]; /* in ingest/ */
	char expect[DIGEST_MAX];
	enum digest_algo algo;
	struct hasher *h;
	uint64_t offset;
};

int blob_relpath(const char *digest, char *buf, size_t size)
{
	enum digest_algo a;

	if (digest_validate(digest, &a) < 0)
		return -EINVAL;
	if ((size_t) snprintf(buf, size, "blobs/%s/%s", digest_algo_name(a), digest_hex(digest)) >=
	    size)
		return -ENAMETOOLONG;
	return 0;
}

bool blob_exists(struct image_store *s, const char *digest)
{
	char rel[DIGEST_MAX + 16];

	return blob_relpath(digest, rel, sizeof(rel)) == 0 &&
	       faccessat(s->dirfd, rel, F_OK, 0) == 0;
}

int64_t blob_size(struct image_store *s, const char *digest)
{
	char rel[DIGEST_MAX + 16];
	struct stat st;

	if (blob_relpath(digest, rel, sizeof(rel)) < 0)
		return -EINVAL;
	if (fstatat(s->dirfd, rel, &st, 0) < 0)
		return -errno;
	return (int64_t) st.st_size;
}

int blob_open(struct image_store *s, const char *digest)
{
	char rel[DIGEST_MAX + 16];
	int fd;

	if (blob_relpath(digest, rel, sizeof(rel)) < 0)
		return -EINVAL;
	fd = openat(s->dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

void blob_remove(struct image_store *s, const char *digest)
{
	char rel[DIGEST_MAX + 16];

	if (blob_relpath(digest, rel, sizeof(rel)) == 0)
		(void) unlinkat(s->dirfd, rel, 0);
}

int blob_read(struct image_store *s, const char *digest, size_t max, char **ret, size_t *ret_len,
	      struct berr **err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	fd = blob_open(s, digest);
	if (fd < 0)
		return berr_sys(err, -fd, "blob %s", digest);
	r = read_fd_all(fd, max, &buf, &len);
	if (r == -EFBIG)
		return berr_set(err, EFBIG, "blob %s: larger than %zu bytes", digest, max);
	if (r < 0)
		return berr_sys(err, -r, "blob %s", digest);
	if (!digest_matches(digest, buf, len)) {
		blob_remove(s, digest);
		return berr_set(err, EBADMSG,
				"blob %s is corrupt (its content has another digest): removed, "
				"pull or load the image again",
				digest);
	}
	*ret = TAKE_PTR(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

int blob_verify(struct image_store *s, const char *digest, struct berr **err)
{
	_cleanup_close_ int fd = blob_open(s, digest);
	_cleanup_free_ char *buf = malloc(HASH_CHUNK);
	_cleanup_hasher_ struct hasher *h = NULL;
	enum digest_algo algo;
	char got[DIGEST_MAX];
	ssize_t n;

	if (fd < 0)
		return berr_sys(err, -fd, "blob %s", digest);
	if (digest_validate(digest, &algo) < 0)
		return berr_set(err, EINVAL, "blob %s: not a digest", digest);
	if (!buf || !(h = hasher_new(algo)))
		return berr_set(err, ENOMEM, "out of memory");
	while ((n = read(fd, buf, HASH_CHUNK)) > 0)
		hasher_update(h, buf, (size_t) n);
	if (n < 0)
		return berr_sys(err, errno, "blob %s", digest);
	hasher_final(h, got);
	if (strcmp(got, digest) != 0) {
		blob_remove(s, digest);
		return berr_set(err, EBADMSG,
				"blob %s is corrupt (its content has another digest): removed, "
				"pull or load the image again",
				digest);
	}
	return 0;
}

static int hash_existing(struct blob_writer *w)
{
	_cleanup_free_ char *buf = malloc(HASH_CHUNK);
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	if (lseek(w->fd, 0, SEEK_SET) < 0)
		return -errno;
	while ((n = read(w->fd, buf, HASH_CHUNK)) > 0) {
		hasher_update(w->h, buf, (size_t) n);
		w->offset += (uint64_t) n;
	}
	return n < 0 ? -errno : 0;
}

/*
 * flock fd, then check that dirfd/name is still this file: false when, while we waited,
 * a cleaner unlinked it or another writer finished it and renamed it into blobs/.
 */
static int lock_linked(int fd, int dirfd, const char *name)
{
	struct stat st, now;

	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	return st.st_ino == now.st_ino && st.st_dev == now.st_dev;
}

static int open_named(struct blob_writer *w, bool resume)
{
	int r;

	for (;;) {
		w->fd = openat(w->s->dirfd, w->name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
			       0644);
		if (w->fd < 0)
			return -errno;
		r = lock_linked(w->fd, w->s->dirfd, w->name);
		if (r < 0)
			return r;
		if (r > 0)
			break;
		(void) close(w->fd);
		w->fd = -1;
		if (blob_exists(w->s, w->expect))
			return -EEXIST; /* another process wrote it meanwhile */
	}
	if (resume)
		return hash_existing(w);
	return ftruncate(w->fd, 0) < 0 ? -errno : 0;
}

static int open_temp(struct blob_writer *w)
{
	char path[PATH_MAX];
	int fd, r;

	snprintf(w->name, sizeof(w->name), INGEST_DIR "/tmp-XXXXXX");
	snprintf(path, sizeof(path), "%s/%s", w->s->path, w->name);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w->fd = fd;
	memcpy(w->name, path + strlen(w->s->path) + 1, strlen(w->name));
	r = lock_linked(fd, w->s->dirfd, w->name);
	return r < 0 ? r : r == 0 ? -ENOENT : 0;
}

int blob_writer_open(struct image_store *s, const char *expect, bool resume,
		     struct blob_writer **ret, struct berr **err)
{
	struct blob_writer *w;
	int r;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->s = s;
	w->fd = -1;
	if (expect) {
		if (digest_validate(expect, &w->algo) < 0) {
			free(w);
			return berr_set(err, EINVAL, "invalid digest '%s'", expect);
		}
		snprintf(w->expect, sizeof(w->expect), "%s", expect);
		snprintf(w->name, sizeof(w->name), INGEST_DIR "/%s-%s", digest_algo_name(w->algo),
			 digest_hex(expect));
	}
	w->h = hasher_new(w->algo);
	if (!w->h) {
		free(w);
		return -ENOMEM;
	}
	r = expect ? open_named(w, resume) : open_temp(w);
	if (r == -EEXIST) {
		*w->name = '\0';
		blob_writer_abort(w, true);
		return -EEXIST;
	}
	if (r < 0) {
		blob_writer_abort(w, true);
		return berr_sys(err, -r, "cannot write a blob in '%s/" INGEST_DIR "'", s->path);
	}
	*ret = w;
	return 0;
}

uint64_t blob_writer_offset(const struct blob_writer *w)
{
	return w->offset;
}

int blob_writer_restart(struct blob_writer *w)
{
	hasher_reset(w->h);
	w->offset = 0;
	if (ftruncate(w->fd, 0) < 0 || lseek(w->fd, 0, SEEK_SET) < 0)
		return -errno;
	return 0;
}

int blob_writer_write(struct blob_writer *w, const void *buf, size_t len)
{
	int r = write_all(w->fd, buf, len);

	if (r < 0)
		return r;
	hasher_update(w->h, buf, len);
	w->offset += len;
	return 0;
}

static int fsync_dir(struct image_store *s, const char *rel)
{
	_cleanup_close_ int fd = openat(s->dirfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) < 0)
		return -errno;
	return 0;
}

int blob_writer_commit(struct blob_writer *w, int64_t size, char ret_digest[DIGEST_MAX],
		       struct berr **err)
{
	char got[DIGEST_MAX], rel[DIGEST_MAX + 16], dir[32];
	int r = 0;

	hasher_final(w->h, got);
	if (size >= 0 && w->offset != (uint64_t) size)
		r = berr_set(err, EBADMSG, "blob %s: got %llu bytes, expected %lld",
			     *w->expect ? w->expect : got, (unsigned long long) w->offset,
			     (long long) size);
	else if (*w->expect && strcmp(got, w->expect) != 0)
		r = berr_set(err, EBADMSG, "blob %s: content has digest %s", w->expect, got);
	if (r < 0) {
		blob_writer_abort(w, false);
		return r;
	}
	if (w->s->sync && fsync(w->fd) < 0) {
		r = berr_sys(err, errno, "blob %s: fsync", got);
		blob_writer_abort(w, true);
		return r;
	}
	(void) blob_relpath(got, rel, sizeof(rel));
	if (renameat(w->s->dirfd, w->name, w->s->dirfd, rel) < 0) {
		r = berr_sys(err, errno, "blob %s: cannot rename into place", got);
		blob_writer_abort(w, false);
		return r;
	}
	snprintf(dir, sizeof(dir), "blobs/%s", digest_algo_name(w->algo));
	if (w->s->sync)
		(void) fsync_dir(w->s, dir);
	if (ret_digest)
		memcpy(ret_digest, got, DIGEST_MAX);
	*w->name = '\0';
	blob_writer_abort(w, false);
	return 0;
}

void blob_writer_abort(struct blob_writer *w, bool keep_partial)
{
	if (!w)
		return;
	if (*w->name && !keep_partial)
		(void) unlinkat(w->s->dirfd, w->name, 0);
	if (w->fd >= 0)
		(void) close(w->fd);
	hasher_free(w->h);
	free(w);
}

int blob_put(struct image_store *s, const void *buf, size_t len, const char *expect,
	     char ret_digest[DIGEST_MAX], struct berr **err)
{
	struct blob_writer *w = NULL;
	char d[DIGEST_MAX];
	int r;

	if (expect && blob_exists(s, expect)) {
		if (ret_digest)
			snprintf(ret_digest, DIGEST_MAX, "%s", expect);
		return 0;
	}
	if (!expect) {
		digest_buffer(DIGEST_SHA256, buf, len, d);
		if (blob_exists(s, d)) {
			if (ret_digest)
				memcpy(ret_digest, d, DIGEST_MAX);
			return 0;
		}
		expect = d;
	}
	r = blob_writer_open(s, expect, false, &w, err);
	if (r == -EEXIST)
		return ret_digest ? (snprintf(ret_digest, DIGEST_MAX, "%s", expect), 0) : 0;
	if (r < 0)
		return r;
	r = blob_writer_write(w, buf, len);
	if (r < 0) {
		blob_writer_abort(w, false);
		return berr_sys(err, -r, "cannot write blob %s", expect);
	}
	return blob_writer_commit(w, (int64_t) len, ret_digest, err);
}

void blob_ingest_cleanup(struct image_store *s, bool all)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd;

	fd = openat(s->dirfd, INGEST_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		(void) close(fd);
		return;
	}
	while ((de = readdir(d))) {
		_cleanup_close_ int f = -1;

		if (de->d_name[0] == '.' || (!all && strncmp(de->d_name, "tmp-", 4) != 0))
			continue;
		f = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (f < 0 || flock(f, LOCK_EX | LOCK_NB) < 0)
			continue;
		(void) unlinkat(dirfd(d), de->d_name, 0);
	}
}
