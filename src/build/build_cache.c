/* SPDX-License-Identifier: Apache-2.0 */
#include "build/build_cache.h"

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
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/strv.h"

#define CACHE_DIR "build-cache"
#define TREE_DEPTH_MAX 256
#define ENTRY_MAX 4096

static void hash_framed(struct hasher *h, const char *s)
{
	char len[32];
	size_t n = s ? strlen(s) : 0;

	snprintf(len, sizeof(len), "%c%zu:", s ? 's' : 'n', n);
	hasher_update(h, len, strlen(len));
	if (s)
		hasher_update(h, s, n);
}

void build_cache_key(const char *parent, const char *text, char *const *extra, const char *content,
		     char ret[static DIGEST_MAX])
{
	_cleanup_hasher_ struct hasher *h = hasher_new(DIGEST_SHA256);

	if (!h) {
		ret[0] = '\0';
		return;
	}
	hash_framed(h, "berth-build-cache-v1");
	hash_framed(h, parent);
	hash_framed(h, text);
	STRV_FOREACH (e, extra)
		hash_framed(h, *e);
	hash_framed(h, content);
	hasher_final(h, ret);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The names in directory fd (which it takes), sorted. */
static int sorted_names(int fd, char ***ret)
{
	_cleanup_closedir_ DIR *d = fdopendir(fd);
	_cleanup_strv_ char **v = calloc(1, sizeof(char *));
	struct dirent *de;

	if (!d) {
		(void) close(fd);
		return -errno;
	}
	if (!v)
		return -ENOMEM;
	while ((errno = 0, de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    strv_push_dup(&v, de->d_name) < 0)
			return -ENOMEM;
	if (errno)
		return -errno;
	qsort(v, strv_length(v), sizeof(char *), cmp_names);
	*ret = TAKE_PTR(v);
	return 0;
}

static int hash_file(struct hasher *h, int dfd, const char *name, const struct stat *st)
{
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat now;
	char buf[65536];
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &now) < 0)
		return -errno;
	if (!S_ISREG(now.st_mode) || now.st_ino != st->st_ino || now.st_dev != st->st_dev)
		return -ESTALE;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		hasher_update(h, buf, (size_t) n);
	}
	return 0;
}

static int hash_dir(struct hasher *h, int fd, const char *path, int depth);

static int hash_entry(struct hasher *h, int dfd, const char *name, const char *path, int depth)
{
	char head[128], target[PATH_MAX];
	struct stat st;
	ssize_t n;
	int fd;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	hash_framed(h, path);
	snprintf(
		head, sizeof(head), "%o %u %u %lld %llu", (unsigned) st.st_mode,
		(unsigned) st.st_uid, (unsigned) st.st_gid,
		S_ISREG(st.st_mode) ? (long long) st.st_size : 0LL,
		(unsigned long long) (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? st.st_rdev : 0));
	hash_framed(h, head);
	if (S_ISREG(st.st_mode))
		return hash_file(h, dfd, name, &st);
	if (S_ISLNK(st.st_mode)) {
		n = readlinkat(dfd, name, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		hash_framed(h, target);
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return 0;
	if (depth >= TREE_DEPTH_MAX)
		return -ELOOP;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : hash_dir(h, fd, path, depth + 1);
}

/* Hash the entries of directory fd (taken), whose path in the tree is path. */
static int hash_dir(struct hasher *h, int fd, const char *path, int depth)
{
	_cleanup_close_ int keep = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	_cleanup_strv_ char **names = NULL;
	int r = keep < 0 ? -errno : sorted_names(fd, &names);

	if (keep < 0)
		(void) close(fd);
	STRV_FOREACH (n, names) {
		_cleanup_free_ char *sub = NULL;

		if (r < 0)
			break;
		if (asprintf(&sub, "%s/%s", path, *n) < 0)
			return -ENOMEM;
		r = hash_entry(h, keep, *n, sub, depth);
	}
	return r;
}

int build_cache_tree_digest(const char *root, char ret[static DIGEST_MAX], struct berr **err)
{
	_cleanup_hasher_ struct hasher *h = hasher_new(DIGEST_SHA256);
	int fd, r;

	if (!h)
		return -ENOMEM;
	fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, errno, "cannot open '%s'", root);
	r = hash_dir(h, fd, "", 0);
	if (r < 0)
		return berr_sys(err, -r, "cannot read the sources staged in '%s'", root);
	hasher_final(h, ret);
	return 0;
}

/* The entry of key: its image's record (id and manifest). */
static int read_entry(int cachefd, const char *name, struct image_record *rec)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	struct jnode root;
	size_t len;

	if (read_file_at(cachefd, name, ENTRY_MAX, &buf, &len) < 0 ||
	    jdoc_parse(buf, len, name, &doc, NULL) < 0)
		return -EINVAL;
	jdoc_root(doc, &root);
	if (jnode_get_string(&root, "image", &rec->id, NULL) < 0 ||
	    jnode_get_string(&root, "manifest", &rec->manifest, NULL) < 0 || !rec->id ||
	    !rec->manifest || digest_validate(rec->id, NULL) < 0 ||
	    digest_validate(rec->manifest, NULL) < 0) {
		free(rec->id);
		free(rec->manifest);
		return -EINVAL;
	}
	return 0;
}

static bool image_whole(struct image_store *s, const struct image_record *rec)
{
	_cleanup_image_ struct image *img = NULL;

	if (image_load(s, rec, &img, NULL) < 0)
		return false;
	for (size_t i = 0; i < img->config->n_diff_ids; i++)
		if (!image_layer_exists(s, img->config->diff_ids[i]))
			return false;
	return true;
}

int build_cache_get(struct image_store *s, const char *key, char ret_id[static DIGEST_MAX])
{
	_cleanup_close_ int gclock = -1, cachefd = -1;
	struct image_record rec = {0};
	int r = 0;

	if (digest_validate(key, NULL) < 0)
		return 0;
	cachefd = openat(s->dirfd, CACHE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cachefd < 0)
		return 0;
	/* held from the check to the record: a collection cannot sweep what we reuse */
	gclock = image_store_lock(s, "gc.lock", false);
	if (gclock < 0 || read_entry(cachefd, digest_hex(key), &rec) < 0)
		return 0;
	if (image_whole(s, &rec) &&
	    image_store_add(s, &(struct image_add){.id = rec.id, .manifest = rec.manifest}, NULL) >=
		    0) {
		snprintf(ret_id, DIGEST_MAX, "%s", rec.id);
		r = 1;
	}
	free(rec.id);
	free(rec.manifest);
	return r;
}

int build_cache_put(struct image_store *s, const char *key, const struct image *img,
		    struct berr **err)
{
	_cleanup_jw_ struct jwriter *w = jw_object();
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int cachefd = -1;
	int r;

	if (digest_validate(key, NULL) < 0)
		return berr_set(err, EINVAL, "invalid build cache key '%s'", key);
	jw_str(w, "image", img->id);
	jw_str(w, "manifest", img->manifest_digest);
	text = jw_to_string(w, false);
	if (!text)
		return -ENOMEM;
	cachefd = openat(s->dirfd, CACHE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cachefd < 0)
		return berr_sys(err, errno, "cannot open '%s/%s'", s->path, CACHE_DIR);
	r = write_file_atomic_at(cachefd, digest_hex(key), text, strlen(text), 0600, false);
	if (r < 0)
		return berr_sys(err, -r, "cannot write the build cache entry '%s'",
				digest_hex(key));
	return 0;
}

/* Add to *seen the layers of the record rec; *size grows by those new to it. */
static int add_layers(struct image_store *s, const struct image_record *rec, char ***seen,
		      uint64_t *size)
{
	_cleanup_image_ struct image *img = NULL;

	if (image_load(s, rec, &img, NULL) < 0)
		return 0;
	for (size_t i = 0; i < img->config->n_diff_ids; i++) {
		const char *d = img->config->diff_ids[i];

		if (strv_contains(*seen, d))
			continue;
		if (strv_push_dup(seen, d) < 0)
			return -ENOMEM;
		if (size)
			*size += image_layer_size(s, d);
	}
	return 0;
}

int build_cache_walk(struct image_store *s, build_cache_fn fn, void *userdata, size_t *ret_n,
		     uint64_t *ret_size, struct berr **err)
{
	_cleanup_image_list_ struct image_list *l = NULL;
	_cleanup_strv_ char **names = NULL, **seen = NULL;
	_cleanup_close_ int cachefd =
		openat(s->dirfd, CACHE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	uint64_t size = 0;
	size_t n = 0;
	int r = image_list_load(s, &l, err);

	if (r < 0)
		return r;
	for (size_t i = 0; r >= 0 && i < l->n; i++)
		r = add_layers(s, &l->v[i], &seen, NULL);
	if (r >= 0 && cachefd >= 0)
		r = sorted_names(fcntl(cachefd, F_DUPFD_CLOEXEC, 3), &names);
	STRV_FOREACH (name, names) {
		struct image_record rec = {0};
		uint64_t before = size;

		if (r < 0 || (*name)[0] == '.' || read_entry(cachefd, *name, &rec) < 0)
			continue;
		n++;
		r = add_layers(s, &rec, &seen, &size);
		if (r >= 0 && fn)
			fn(*name, size - before, userdata);
		free(rec.id);
		free(rec.manifest);
	}
	if (r < 0)
		return berr_sys(err, -r, "cannot read the build cache");
	*ret_n = n;
	*ret_size = size;
	return 0;
}

int build_cache_usage(struct image_store *s, size_t *ret_n, uint64_t *ret_size, struct berr **err)
{
	return build_cache_walk(s, NULL, NULL, ret_n, ret_size, err);
}

/* Should the entry name go: every one with all, else one whose image has no record. */
static bool prunable(int cachefd, const char *name, const struct image_list *l, bool all)
{
	struct image_record rec = {0};
	bool gone;

	if (all || read_entry(cachefd, name, &rec) < 0)
		return true;
	gone = image_list_find_id(l, rec.id) < 0;
	free(rec.id);
	free(rec.manifest);
	return gone;
}

static int remove_entries(struct image_store *s, bool all, char ***removed, struct berr **err)
{
	_cleanup_image_list_ struct image_list *l = NULL;
	_cleanup_strv_ char **names = NULL;
	_cleanup_close_ int cachefd = -1;
	int r = image_list_load(s, &l, err);

	if (r < 0)
		return r;
	cachefd = openat(s->dirfd, CACHE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cachefd < 0)
		return errno == ENOENT ? 0 : berr_sys(err, errno, "cannot open '%s'", CACHE_DIR);
	r = sorted_names(fcntl(cachefd, F_DUPFD_CLOEXEC, 3), &names);
	if (r < 0)
		return berr_sys(err, -r, "cannot read '%s/%s'", s->path, CACHE_DIR);
	STRV_FOREACH (n, names) {
		if ((*n)[0] == '.' || !prunable(cachefd, *n, l, all))
			continue;
		if (unlinkat(cachefd, *n, 0) < 0 && errno != ENOENT)
			return berr_sys(err, errno, "cannot remove the build cache entry '%s'", *n);
		if (removed && strv_push_dup(removed, *n) < 0)
			return -ENOMEM;
	}
	return 0;
}

int build_cache_prune(struct image_store *s, bool all, char ***ret_removed, uint64_t *ret_freed,
		      struct berr **err)
{
	_cleanup_strv_ char **removed = NULL;
	int r;

	{
		_cleanup_close_ int lock = image_store_lock(s, "lock", true);

		if (lock < 0)
			return berr_sys(err, -lock, "cannot lock the image store");
		r = remove_entries(s, all, &removed, err);
	}
	if (r >= 0)
		r = image_store_gc(s, ret_freed, err);
	if (r >= 0 && ret_removed)
		*ret_removed = TAKE_PTR(removed);
	return r;
}
