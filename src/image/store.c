/* SPDX-License-Identifier: Apache-2.0 */
#include "image/store.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/blob.h"
#include "image/reference.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/private_dir.h"
#include "lib/rmtree.h"
#include "lib/strv.h"
#include "lib/timefmt.h"

#define INDEX_FILE "images.json"
#define INDEX_MAX (64u << 20)

static const char *const store_dirs[] = {
	"blobs",  "blobs/sha256", "blobs/sha512", "build-cache", "empty",
	"ingest", "layers",	  "snapshots",	  "tmp",
};

static int mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *copy = strdup(path);

	if (!copy)
		return -ENOMEM;
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(copy, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Remove what killed unpackers and readers left in tmp/ (each holds an flock while alive). */
static void tmp_cleanup(struct image_store *s)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd;

	fd = openat(s->dirfd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		(void) close(fd);
		return;
	}
	while ((de = readdir(d))) {
		_cleanup_close_ int f = -1;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		f = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (f >= 0 && flock(f, LOCK_EX | LOCK_NB) < 0)
			continue;
		(void) rm_rf_at(dirfd(d), de->d_name);
	}
}

int image_store_open(const char *root, struct image_store **ret, struct berr **err)
{
	_cleanup_(image_store_freep) struct image_store *s = NULL;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->dirfd = -1;
	s->sync = true;
	if (asprintf(&s->path, "%s/image", root) < 0) {
		s->path = NULL;
		return -ENOMEM;
	}
	r = private_dir_prepare(root);
	if (r < 0)
		return berr_sys(err, -r, "cannot create '%s' (private)", root);
	r = mkdir_p(s->path, 0700);
	if (r < 0)
		return berr_sys(err, -r, "cannot create the image store '%s'", s->path);
	s->dirfd = open(s->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0)
		return berr_sys(err, errno, "cannot open the image store '%s'", s->path);
	for (size_t i = 0; i < ELEMENTSOF(store_dirs); i++)
		if (mkdirat(s->dirfd, store_dirs[i], 0700) < 0 && errno != EEXIST)
			return berr_sys(err, errno, "cannot create '%s/%s'", s->path,
					store_dirs[i]);
	tmp_cleanup(s);
	blob_ingest_cleanup(s, false);
	*ret = TAKE_PTR(s);
	return 0;
}

struct image_store *image_store_free(struct image_store *s)
{
	if (!s)
		return NULL;
	if (s->dirfd >= 0)
		(void) close(s->dirfd);
	free(s->path);
	free(s);
	return NULL;
}

int image_store_lock(struct image_store *s, const char *name, bool exclusive)
{
	int fd = openat(s->dirfd, name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return -errno;
	while (flock(fd, exclusive ? LOCK_EX : LOCK_SH) < 0) {
		if (errno != EINTR) {
			int r = -errno;

			(void) close(fd);
			return r;
		}
	}
	return fd;
}

static void record_done(struct image_record *r)
{
	free(r->id);
	free(r->manifest);
	free(r->index);
	strv_free(r->names);
	strv_free(r->digests);
	free(r->added);
}

struct image_list *image_list_free(struct image_list *l)
{
	if (!l)
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		record_done(&l->v[i]);
	free(l->v);
	free(l);
	return NULL;
}

static int parse_record(const struct jnode *e, struct image_record *r, struct berr **err)
{
	int k;

	k = jnode_get_string(e, "id", &r->id, err);
	if (k >= 0)
		k = jnode_get_string(e, "manifest", &r->manifest, err);
	if (k >= 0)
		k = jnode_get_string(e, "index", &r->index, err);
	if (k >= 0)
		k = jnode_get_strv(e, "names", &r->names, err);
	if (k >= 0)
		k = jnode_get_strv(e, "digests", &r->digests, err);
	if (k >= 0)
		k = jnode_get_string(e, "added", &r->added, err);
	if (k < 0)
		return k;
	if (digest_validate(r->id, NULL) < 0 || digest_validate(r->manifest, NULL) < 0)
		return jnode_err(e, err, EINVAL, "id and manifest must be digests");
	return 0;
}

static int parse_index(const char *buf, size_t len, struct image_list *l, struct berr **err)
{
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	struct jnode root, arr;
	size_t n;
	int r;

	r = jdoc_parse(buf, len, INDEX_FILE, &doc, err);
	if (r < 0)
		return r;
	jdoc_root(doc, &root);
	jnode_member(&root, "images", &arr);
	r = jnode_expect_array(&arr, err);
	if (r < 0)
		return r;
	n = jnode_array_len(&arr);
	l->v = calloc(n ? n : 1, sizeof(*l->v));
	if (!l->v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct jnode e;

		jnode_array_at(&arr, i, &e);
		r = parse_record(&e, &l->v[l->n], err);
		l->n++;
		if (r < 0)
			return r;
	}
	return 0;
}

int image_list_load(struct image_store *s, struct image_list **ret, struct berr **err)
{
	_cleanup_(image_list_freep) struct image_list *l = calloc(1, sizeof(*l));
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	if (!l)
		return -ENOMEM;
	r = read_file_at(s->dirfd, INDEX_FILE, INDEX_MAX, &buf, &len);
	if (r == -ENOENT) {
		*ret = TAKE_PTR(l);
		return 0;
	}
	if (r < 0)
		return berr_sys(err, -r, "cannot read '%s/" INDEX_FILE "'", s->path);
	r = parse_index(buf, len, l, err);
	if (r < 0)
		return berr_wrap(err, "%s/" INDEX_FILE, s->path);
	*ret = TAKE_PTR(l);
	return 0;
}

static struct jwriter *strv_json(char *const *v)
{
	struct jwriter *a = jw_array();

	STRV_FOREACH (p, v)
		jw_append_str(a, *p);
	return a;
}

int image_list_save(struct image_store *s, const struct image_list *l, struct berr **err)
{
	_cleanup_jw_ struct jwriter *w = jw_object();
	_cleanup_free_ char *text = NULL;
	struct jwriter *arr = jw_array();
	int r;

	for (size_t i = 0; i < l->n; i++) {
		const struct image_record *rec = &l->v[i];
		struct jwriter *o = jw_object();

		jw_str(o, "id", rec->id);
		jw_str(o, "manifest", rec->manifest);
		jw_str(o, "index", rec->index);
		jw_put(o, "names", strv_json(rec->names));
		jw_put(o, "digests", strv_json(rec->digests));
		jw_str(o, "added", rec->added);
		jw_put(arr, NULL, o);
	}
	jw_put(w, "images", arr);
	text = jw_to_string(w, true);
	if (!text)
		return -ENOMEM;
	r = write_file_atomic_at(s->dirfd, INDEX_FILE, text, strlen(text), 0600, s->sync);
	if (r < 0)
		return berr_sys(err, -r, "cannot write '%s/" INDEX_FILE "'", s->path);
	return 0;
}

int image_list_find_id(const struct image_list *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].id, id) == 0)
			return (int) i;
	return -ENOENT;
}

static int find_prefix(const struct image_list *l, const char *ref, struct berr **err)
{
	const char *hex = strncmp(ref, "sha256:", 7) == 0 ? ref + 7 : ref;
	size_t n = strlen(hex);
	int found = -1;

	if (n == 0 || n > 64 || strspn(hex, "0123456789abcdef") != n)
		return -ENOENT;
	for (size_t i = 0; i < l->n; i++) {
		if (strncmp(digest_hex(l->v[i].id), hex, n) != 0)
			continue;
		if (found >= 0 && strcmp(l->v[found].id, l->v[i].id) != 0)
			return berr_set(err, EINVAL, "image id prefix '%s' is ambiguous", ref);
		found = (int) i;
	}
	return found >= 0 ? found : -ENOENT;
}

static int find_by_digest(const struct image_list *l, const struct image_ref *ref)
{
	_cleanup_free_ char *repo = image_ref_repository(ref);
	_cleanup_free_ char *want = NULL;

	if (!repo || asprintf(&want, "%s@%s", repo, ref->digest) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++)
		if (strv_contains(l->v[i].digests, want))
			return (int) i;
	return -ENOENT;
}

int image_list_find(const struct image_list *l, const char *ref, struct berr **err)
{
	_cleanup_(image_ref_done) struct image_ref r = {0};
	_cleanup_free_ char *name = NULL;
	int k;

	if (image_ref_parse(ref, false, &r, NULL) == 0) {
		if (r.digest) {
			k = find_by_digest(l, &r);
			if (k != -ENOENT)
				return k;
		} else {
			name = image_ref_string(&r);
			if (!name)
				return -ENOMEM;
			for (size_t i = 0; i < l->n; i++)
				if (strv_contains(l->v[i].names, name))
					return (int) i;
		}
	}
	k = find_prefix(l, ref, err);
	if (k == -ENOENT)
		return berr_set(err, ENOENT, "no such image: '%s'", ref);
	return k;
}

void image_list_untag(struct image_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++) {
		char **v = l->v[i].names;
		size_t w = 0;

		for (size_t j = 0; v && v[j]; j++) {
			if (strcmp(v[j], name) == 0)
				free(v[j]);
			else
				v[w++] = v[j];
		}
		if (v)
			v[w] = NULL;
	}
}

void image_list_remove(struct image_list *l, size_t i)
{
	record_done(&l->v[i]);
	memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(l->v[0]));
	l->n--;
}

static int set_str(char **dst, const char *src)
{
	char *c = NULL;

	if (src && !(c = strdup(src)))
		return -ENOMEM;
	free(*dst);
	*dst = c;
	return 0;
}

static int add_to_list(struct image_list *l, const struct image_add *a)
{
	struct image_record *rec;
	char now[64];
	int i = image_list_find_id(l, a->id);

	if (i < 0) {
		struct image_record *v = realloc(l->v, (l->n + 1) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		i = (int) l->n++;
		l->v[i] = (struct image_record){0};
		if (set_str(&l->v[i].id, a->id) < 0 ||
		    set_str(&l->v[i].added, rfc3339_ns(now_ns(), now, sizeof(now))) < 0)
			return -ENOMEM;
	}
	rec = &l->v[i];
	if (set_str(&rec->manifest, a->manifest) < 0 || set_str(&rec->index, a->index) < 0)
		return -ENOMEM;
	if (a->name) {
		image_list_untag(l, a->name);
		if (strv_push_dup(&rec->names, a->name) < 0)
			return -ENOMEM;
	}
	if (a->repo_digest && !strv_contains(rec->digests, a->repo_digest) &&
	    strv_push_dup(&rec->digests, a->repo_digest) < 0)
		return -ENOMEM;
	return 0;
}

int image_store_add(struct image_store *s, const struct image_add *a, struct berr **err)
{
	_cleanup_close_ int lock = image_store_lock(s, "lock", true);
	_cleanup_(image_list_freep) struct image_list *l = NULL;
	int r;

	if (lock < 0)
		return berr_sys(err, -lock, "cannot lock the image store");
	r = image_list_load(s, &l, err);
	if (r < 0)
		return r;
	r = add_to_list(l, a);
	if (r < 0)
		return berr_set(err, -r, "out of memory");
	return image_list_save(s, l, err);
}

struct image *image_free(struct image *img)
{
	if (!img)
		return NULL;
	free(img->id);
	free(img->manifest_digest);
	manifest_free(img->manifest);
	image_config_free(img->config);
	free(img->manifest_raw);
	free(img);
	return NULL;
}

static int image_load_parts(struct image_store *s, const struct image_record *rec,
			    struct image *img, struct berr **err)
{
	_cleanup_free_ char *cfg = NULL;
	size_t cfg_len;
	int r;

	r = blob_read(s, rec->manifest, MANIFEST_MAX_SIZE, &img->manifest_raw, &img->manifest_len,
		      err);
	if (r >= 0)
		r = manifest_parse(img->manifest_raw, img->manifest_len, &img->manifest, err);
	if (r < 0)
		return r;
	if (strcmp(img->manifest->config.digest, rec->id) != 0)
		return berr_set(err, EBADMSG, "manifest %s is not for image %s", rec->manifest,
				rec->id);
	r = blob_read(s, rec->id, MANIFEST_MAX_SIZE, &cfg, &cfg_len, err);
	if (r >= 0)
		r = image_config_parse(cfg, cfg_len, &img->config, err);
	if (r < 0)
		return r;
	if (img->config->n_diff_ids != img->manifest->n_layers)
		return berr_set(err, EBADMSG, "image %s: %zu layers but %zu diff_ids", rec->id,
				img->manifest->n_layers, img->config->n_diff_ids);
	return 0;
}

int image_load(struct image_store *s, const struct image_record *rec, struct image **ret,
	       struct berr **err)
{
	_cleanup_(image_freep) struct image *img = calloc(1, sizeof(*img));
	int r;

	if (!img)
		return -ENOMEM;
	img->id = strdup(rec->id);
	img->manifest_digest = strdup(rec->manifest);
	if (!img->id || !img->manifest_digest)
		return -ENOMEM;
	r = image_load_parts(s, rec, img, err);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(img);
	return 0;
}

uint64_t image_size(struct image_store *s, const struct image *img)
{
	uint64_t total = 0;

	for (size_t i = 0; i < img->config->n_diff_ids; i++)
		total += image_layer_size(s, img->config->diff_ids[i]);
	return total;
}
