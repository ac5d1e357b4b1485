/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The source hash docker's classic builder (20.10) writes in the history line of COPY and
 * ADD ("COPY file:<hex> in /dst "), from moby's builder/dockerfile/copy.go and
 * builder/remotecontext: a file's hash is the tarsum v1 sum of its tar entry, sha256 over
 * "name<n>mode<m>uid<u>gid<g>size<s>typeflag<t>linkname<l>uname<un>gname<gn>devmajor<M>
 * devminor<m>" then its content; a directory's is "dir:" + sha256 of the sorted sums of
 * everything under it (itself included, unless it is the root), ','-joined; several
 * sources' hashes (each with its "file:"/"dir:") make "multi:" + sha256 of them ','-joined.
 * The build context is the docker CLI's tar: owners 0:0, names blank. A --from image is
 * hashed as it is on disk (owners, and their names as the host's passwd/group has them).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "build/build_srchash.h"
#include "image/digest.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/safe_path.h"
#include "lib/sbuf.h"
#include "lib/strv.h"

#define SRCHASH_MAX_DEPTH 128

static char typeflag(mode_t m)
{
	return S_ISDIR(m)    ? '5'
	       : S_ISLNK(m)  ? '2'
	       : S_ISCHR(m)  ? '3'
	       : S_ISBLK(m)  ? '4'
	       : S_ISFIFO(m) ? '6'
			     : '0';
}

static int hash_content(struct hasher *h, int dfd, const char *name)
{
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	char buf[65536];
	struct stat st;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		hasher_update(h, buf, (size_t) n);
	}
	return 0;
}

/* The tarsum v1 sum (hex) of the entry name in dfd, whose tar name is path. */
static int entry_sum(int dfd, const char *name, const char *path, bool context, char **ret)
{
	_cleanup_hasher_ struct hasher *h = hasher_new(DIGEST_SHA256);
	_cleanup_free_ char *head = NULL;
	char link[PATH_MAX] = "", out[DIGEST_MAX];
	const char *un = "", *gn = "";
	struct passwd *pw;
	struct group *gr;
	struct stat st;
	int r;

	if (!h)
		return -ENOMEM;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlinkat(dfd, name, link, sizeof(link) - 1);

		if (n < 0)
			return -errno;
		link[n] = '\0';
	}
	if (context) {
		st.st_uid = 0;
		st.st_gid = 0;
	} else {
		/* Go's tar.FileInfoHeader looks the names up */
		if ((pw = getpwuid(st.st_uid)))
			un = pw->pw_name;
		if ((gr = getgrgid(st.st_gid)))
			gn = gr->gr_name;
	}
	if (asprintf(&head,
		     "name%s%smode%uuid%ugid%usize%lldtypeflag%clinkname%suname%sgname%s"
		     "devmajor%udevminor%u",
		     path, S_ISDIR(st.st_mode) ? "/" : "", (unsigned) st.st_mode,
		     (unsigned) st.st_uid, (unsigned) st.st_gid,
		     S_ISREG(st.st_mode) ? (long long) st.st_size : 0LL, typeflag(st.st_mode), link,
		     un, gn, S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? major(st.st_rdev) : 0,
		     S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? minor(st.st_rdev) : 0) < 0)
		return -ENOMEM;
	hasher_update(h, head, strlen(head));
	if (S_ISREG(st.st_mode) && st.st_size > 0 && (r = hash_content(h, dfd, name)) < 0)
		return r;
	hasher_final(h, out);
	*ret = strdup(digest_hex(out));
	return *ret ? 0 : -ENOMEM;
}

/* The sums of everything in directory fd (taken), at tar path prefix (may be ""). */
static int walk(int fd, const char *prefix, bool context, char ***sums, int depth)
{
	_cleanup_closedir_ DIR *d = fdopendir(fd);
	struct dirent *de;
	int r = 0;

	if (!d) {
		(void) close(fd);
		return -errno;
	}
	if (depth > SRCHASH_MAX_DEPTH)
		return -ELOOP;
	while (r >= 0 && (errno = 0, de = readdir(d))) {
		_cleanup_free_ char *path = NULL, *sum = NULL;
		struct stat st;
		int sub;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (asprintf(&path, "%s%s%s", prefix, *prefix ? "/" : "", de->d_name) < 0)
			return -ENOMEM;
		r = entry_sum(dirfd(d), de->d_name, path, context, &sum);
		if (r >= 0)
			r = strv_consume(sums, TAKE_PTR(sum));
		if (r < 0 || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		r = sub < 0 ? -errno : walk(sub, path, context, sums, depth + 1);
	}
	return r < 0 ? r : errno ? -errno : 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* prefix + ":" + sha256 of v ','-joined. */
static char *joined_hash(const char *prefix, char *const *v)
{
	_cleanup_hasher_ struct hasher *h = hasher_new(DIGEST_SHA256);
	char out[DIGEST_MAX], *ret;

	if (!h)
		return NULL;
	for (size_t i = 0; v[i]; i++) {
		if (i)
			hasher_update(h, ",", 1);
		hasher_update(h, v[i], strlen(v[i]));
	}
	hasher_final(h, out);
	return asprintf(&ret, "%s:%s", prefix, digest_hex(out)) < 0 ? NULL : ret;
}

/* One source's hash: "file:<sum>" or "dir:<hash>". */
static int source_hash(int rootfd, const char *rel, bool context, char **ret)
{
	_cleanup_free_ char *clean = NULL, *sum = NULL;
	_cleanup_strv_ char **sums = calloc(1, sizeof(char *));
	_cleanup_close_ int dfd = -1;
	const char *name;
	struct stat st;
	size_t n;
	int r, fd;

	while (*rel == '/' || (rel[0] == '.' && rel[1] == '/'))
		rel += *rel == '/' ? 1 : 2;
	clean = strdup(*rel ? rel : ".");
	if (!clean || !sums)
		return -ENOMEM;
	while ((n = strlen(clean)) > 1 && clean[n - 1] == '/')
		clean[n - 1] = '\0';
	if (!strcmp(clean, ".")) {
		fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		r = fd < 0 ? -errno : walk(fd, "", context, &sums, 0);
	} else {
		char *slash = strrchr(clean, '/');

		if (slash)
			*slash = '\0';
		dfd = slash ? safe_open_in_root(rootfd, clean, O_RDONLY | O_DIRECTORY, 0)
			    : fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
		if (slash)
			*slash = '/';
		if (dfd < 0)
			return dfd == -1 ? -errno : dfd;
		name = slash ? slash + 1 : clean;
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		r = entry_sum(dfd, name, clean, context, &sum);
		if (r < 0 || !S_ISDIR(st.st_mode))
			return r < 0 ? r : (asprintf(ret, "file:%s", sum) < 0 ? -ENOMEM : 0);
		r = strv_consume(&sums, TAKE_PTR(sum));
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (r >= 0)
			r = fd < 0 ? -errno : walk(fd, clean, context, &sums, 0);
		else if (fd >= 0)
			close(fd);
	}
	if (r < 0)
		return r;
	qsort(sums, strv_length(sums), sizeof(char *), cmp_str);
	*ret = joined_hash("dir", sums);
	return *ret ? 0 : -ENOMEM;
}

int build_source_hash(int rootfd, char *const *rels, bool context, char **ret)
{
	_cleanup_strv_ char **v = calloc(1, sizeof(char *));
	int r = v ? 0 : -ENOMEM;

	STRV_FOREACH (s, rels) {
		char *h = NULL;

		if (r >= 0 && (r = source_hash(rootfd, *s, context, &h)) >= 0)
			r = strv_consume(&v, h);
	}
	if (r < 0)
		return r;
	if (strv_length(v) == 1) {
		*ret = TAKE_PTR(v[0]);
		return 0;
	}
	*ret = joined_hash("multi", v);
	return *ret ? 0 : -ENOMEM;
}
