/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `berth save`: docker-archive (manifest.json, <config hex>.json, <diff_id hex>/layer.tar
 * with the layers uncompressed, as docker writes them) or oci-archive (an OCI layout
 * with the blobs as stored, so the manifest digest survives the round trip).
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "image/image_archive.h"
#include "image/blob.h"
#include "image/reference.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"

#define COPY_CHUNK (1024 * 1024)

struct saver {
	struct image_store *s;
	struct archive *a;
	char **written; /* member names already in the archive */
};

static int put_header(struct saver *sv, const char *name, mode_t type, int64_t size)
{
	struct archive_entry *e = archive_entry_new();
	int r = 0;

	if (!e)
		return -ENOMEM;
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
	archive_entry_set_size(e, type == AE_IFDIR ? 0 : size);
	archive_entry_set_mtime(e, 0, 0);
	if (archive_write_header(sv->a, e) != ARCHIVE_OK)
		r = -EIO;
	archive_entry_free(e);
	return r;
}

static int put_mem(struct saver *sv, const char *name, const void *buf, size_t len)
{
	int r = put_header(sv, name, AE_IFREG, (int64_t) len);

	if (r >= 0 && len && archive_write_data(sv->a, buf, len) != (la_ssize_t) len)
		r = -EIO;
	return r;
}

static int put_dir(struct saver *sv, const char *name)
{
	if (strv_contains(sv->written, name))
		return 0;
	if (strv_push_dup(&sv->written, name) < 0)
		return -ENOMEM;
	return put_header(sv, name, AE_IFDIR, 0);
}

/* Copy fd (size bytes) as member name; hash what is copied when h is set. */
static int put_fd(struct saver *sv, const char *name, int fd, int64_t size, struct hasher *h)
{
	_cleanup_free_ char *buf = malloc(COPY_CHUNK);
	int64_t left = size;
	int r;

	if (!buf)
		return -ENOMEM;
	r = put_header(sv, name, AE_IFREG, size);
	while (r >= 0 && left > 0) {
		ssize_t n = read(fd, buf, left > COPY_CHUNK ? COPY_CHUNK : (size_t) left);

		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		if (h)
			hasher_update(h, buf, (size_t) n);
		if (archive_write_data(sv->a, buf, (size_t) n) != n)
			return -EIO;
		left -= n;
	}
	return r;
}

/* A stored blob as member name, checked against its digest as it is copied. */
static int put_blob(struct saver *sv, const char *name, const char *digest, struct berr **err)
{
	_cleanup_(hasher_freep) struct hasher *h = hasher_new(DIGEST_SHA256);
	_cleanup_close_ int fd = blob_open(sv->s, digest);
	int64_t size = blob_size(sv->s, digest);
	char got[DIGEST_MAX];
	int r;

	if (strv_contains(sv->written, name))
		return 0;
	if (!h)
		return -ENOMEM;
	if (fd < 0 || size < 0)
		return berr_sys(err, fd < 0 ? -fd : (int) -size, "blob %s", digest);
	r = put_fd(sv, name, fd, size, h);
	if (r < 0)
		return berr_sys(err, -r, "cannot write blob %s", digest);
	hasher_final(h, got);
	if (strcmp(got, digest) != 0) {
		blob_remove(sv->s, digest);
		return berr_set(err, EBADMSG, "blob %s is corrupt: removed, pull the image again",
				digest);
	}
	return strv_push_dup(&sv->written, name);
}

/* Decompress a layer blob into an unnamed temporary file; returns its fd. */
static int decompress_layer(struct saver *sv, const char *digest, int64_t *ret_size,
			    struct berr **err)
{
	_cleanup_close_ int out = openat(sv->s->dirfd, "tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	_cleanup_free_ char *buf = malloc(COPY_CHUNK);
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	la_ssize_t n = 0;
	int64_t total = 0;
	int r = 0;

	if (!a || !buf || out < 0) {
		if (a)
			archive_read_free(a);
		return berr_sys(err, out < 0 ? errno : ENOMEM, "cannot decompress a layer");
	}
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	{
		_cleanup_close_ int fd = blob_open(sv->s, digest);

		if (fd < 0 || archive_read_open_fd(a, fd, COPY_CHUNK) != ARCHIVE_OK ||
		    archive_read_next_header(a, &e) != ARCHIVE_OK)
			r = berr_set(err, EIO, "blob %s: cannot read", digest);
		while (r >= 0 && (n = archive_read_data(a, buf, COPY_CHUNK)) > 0) {
			if (write(out, buf, (size_t) n) != n)
				r = berr_sys(err, errno, "cannot write a temporary file");
			total += n;
		}
		if (r >= 0 && n < 0)
			r = berr_set(err, EIO, "blob %s: %s", digest, archive_error_string(a));
	}
	archive_read_free(a);
	if (r < 0)
		return r;
	if (lseek(out, 0, SEEK_SET) < 0)
		return -errno;
	*ret_size = total;
	return TAKE_FD(out);
}

static int put_layer_tar(struct saver *sv, const char *digest, const char *diff_id,
			 struct berr **err)
{
	_cleanup_(hasher_freep) struct hasher *h = hasher_new(DIGEST_SHA256);
	_cleanup_close_ int fd = -1;
	char dir[80], name[96], got[DIGEST_MAX];
	int64_t size = 0;
	int r;

	snprintf(dir, sizeof(dir), "%s", digest_hex(diff_id));
	snprintf(name, sizeof(name), "%s/layer.tar", dir);
	if (strv_contains(sv->written, name))
		return 0;
	if (!h)
		return -ENOMEM;
	fd = decompress_layer(sv, digest, &size, err);
	if (fd < 0)
		return fd;
	r = put_dir(sv, dir);
	if (r >= 0)
		r = put_fd(sv, name, fd, size, h);
	if (r < 0)
		return berr_sys(err, -r, "cannot write layer %s", diff_id);
	hasher_final(h, got);
	if (strcmp(got, diff_id) != 0)
		return berr_set(err, EBADMSG, "layer %s: uncompressed content has digest %s",
				diff_id, got);
	return strv_push_dup(&sv->written, name);
}

static int find_image(struct image_store *s, const char *ref, struct image_record **ret_rec,
		      struct image_list **ret_list, struct image **ret, struct berr **err)
{
	_cleanup_(image_list_freep) struct image_list *l = NULL;
	int i, r;

	r = image_list_load(s, &l, err);
	if (r < 0)
		return r;
	i = image_list_find(l, ref, err);
	if (i < 0)
		return i;
	r = image_load(s, &l->v[i], ret, err);
	if (r < 0)
		return r;
	*ret_rec = &l->v[i];
	*ret_list = TAKE_PTR(l);
	return 0;
}

/* The names saved for ref: the name it was given as, or every name of the image. */
static char **names_for(const struct image_record *rec, const char *ref)
{
	_cleanup_(image_ref_done) struct image_ref r = {0};
	_cleanup_free_ char *name = NULL;
	char **v = NULL;

	if (image_ref_parse(ref, false, &r, NULL) == 0 && !r.digest &&
	    (name = image_ref_string(&r)) && strv_contains(rec->names, name)) {
		(void) strv_push_dup(&v, name);
		return v;
	}
	return strv_copy(rec->names);
}

static int save_docker_one(struct saver *sv, const char *ref, struct jwriter *list,
			   struct berr **err)
{
	_cleanup_(image_list_freep) struct image_list *l = NULL;
	_cleanup_(image_freep) struct image *img = NULL;
	_cleanup_strv_ char **names = NULL;
	struct image_record *rec;
	struct jwriter *e, *tags, *layers;
	char cfgname[80];
	int r;

	r = find_image(sv->s, ref, &rec, &l, &img, err);
	if (r < 0)
		return r;
	snprintf(cfgname, sizeof(cfgname), "%s.json", digest_hex(img->id));
	r = put_blob(sv, cfgname, img->id, err);
	for (size_t i = 0; r >= 0 && i < img->manifest->n_layers; i++)
		r = put_layer_tar(sv, img->manifest->layers[i].digest, img->config->diff_ids[i],
				  err);
	if (r < 0)
		return r;
	e = jw_object();
	tags = jw_array();
	layers = jw_array();
	jw_str(e, "Config", cfgname);
	names = names_for(rec, ref);
	STRV_FOREACH (n, names)
		jw_append_str(tags, image_ref_familiar(*n));
	for (size_t i = 0; i < img->config->n_diff_ids; i++) {
		char name[96];

		snprintf(name, sizeof(name), "%s/layer.tar", digest_hex(img->config->diff_ids[i]));
		jw_append_str(layers, name);
	}
	jw_put(e, "RepoTags", tags);
	jw_put(e, "Layers", layers);
	jw_put(list, NULL, e);
	return 0;
}

static int save_docker(struct saver *sv, char *const *refs, struct berr **err)
{
	_cleanup_jw_ struct jwriter *list = jw_array();
	_cleanup_free_ char *text = NULL;
	int r = 0;

	STRV_FOREACH (ref, refs) {
		r = save_docker_one(sv, *ref, list, err);
		if (r < 0)
			return r;
	}
	text = jw_to_string(list, false);
	if (!text)
		return -ENOMEM;
	r = put_mem(sv, "manifest.json", text, strlen(text));
	return r < 0 ? berr_sys(err, -r, "cannot write manifest.json") : 0;
}

static int blob_member(const char *digest, char *buf, size_t size)
{
	return blob_relpath(digest, buf, size);
}

static int save_oci_one(struct saver *sv, const char *ref, struct jwriter *manifests,
			struct berr **err)
{
	_cleanup_(image_list_freep) struct image_list *l = NULL;
	_cleanup_(image_freep) struct image *img = NULL;
	_cleanup_strv_ char **names = NULL;
	struct image_record *rec;
	char member[DIGEST_MAX + 16];
	int r;

	r = find_image(sv->s, ref, &rec, &l, &img, err);
	if (r < 0)
		return r;
	for (size_t i = 0; r >= 0 && i < img->manifest->n_layers; i++) {
		blob_member(img->manifest->layers[i].digest, member, sizeof(member));
		r = put_blob(sv, member, img->manifest->layers[i].digest, err);
	}
	if (r >= 0) {
		blob_member(img->id, member, sizeof(member));
		r = put_blob(sv, member, img->id, err);
	}
	if (r >= 0) {
		blob_member(img->manifest_digest, member, sizeof(member));
		r = put_blob(sv, member, img->manifest_digest, err);
	}
	if (r < 0)
		return r;
	names = names_for(rec, ref);
	for (size_t i = 0; i < (names && names[0] ? strv_length(names) : 1); i++) {
		struct jwriter *d = jw_object(), *ann = jw_object();
		const char *full = names ? names[i] : NULL;

		jw_str(d, "mediaType", img->manifest->media_type);
		jw_str(d, "digest", img->manifest_digest);
		jw_int(d, "size", (int64_t) img->manifest_len);
		if (full) {
			const char *colon = strrchr(full, ':');

			jw_str(ann, "io.containerd.image.name", full);
			jw_str(ann, "org.opencontainers.image.ref.name",
			       colon && !strchr(colon, '/') ? colon + 1 : full);
		}
		jw_put(d, "annotations", ann);
		jw_put(manifests, NULL, d);
	}
	return 0;
}

static int save_oci(struct saver *sv, char *const *refs, struct berr **err)
{
	static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
	_cleanup_jw_ struct jwriter *index = jw_object();
	_cleanup_free_ char *text = NULL;
	struct jwriter *manifests = jw_array();
	int r;

	r = put_mem(sv, "oci-layout", layout, strlen(layout));
	if (r >= 0)
		r = put_dir(sv, "blobs");
	if (r >= 0)
		r = put_dir(sv, "blobs/sha256");
	if (r < 0) {
		jw_free(manifests);
		return berr_sys(err, -r, "cannot write the archive");
	}
	STRV_FOREACH (ref, refs) {
		r = save_oci_one(sv, *ref, manifests, err);
		if (r < 0) {
			jw_free(manifests);
			return r;
		}
	}
	jw_int(index, "schemaVersion", 2);
	jw_str(index, "mediaType", MT_OCI_INDEX);
	jw_put(index, "manifests", manifests);
	text = jw_to_string(index, false);
	if (!text)
		return -ENOMEM;
	r = put_mem(sv, "index.json", text, strlen(text));
	return r < 0 ? berr_sys(err, -r, "cannot write index.json") : 0;
}

int image_archive_save(struct image_store *s, char *const *refs, enum image_archive_format f,
		       int fd, struct berr **err)
{
	struct saver sv = {.s = s};
	int r;

	sv.a = archive_write_new();
	if (!sv.a)
		return -ENOMEM;
	archive_write_set_format_pax_restricted(sv.a);
	archive_write_set_bytes_in_last_block(sv.a, 1);
	if (archive_write_open_fd(sv.a, fd) != ARCHIVE_OK) {
		archive_write_free(sv.a);
		return berr_set(err, EIO, "cannot write the archive");
	}
	r = f == IMAGE_ARCHIVE_OCI ? save_oci(&sv, refs, err) : save_docker(&sv, refs, err);
	if (archive_write_close(sv.a) != ARCHIVE_OK && r >= 0)
		r = berr_set(err, EIO, "cannot write the archive: %s", archive_error_string(sv.a));
	archive_write_free(sv.a);
	strv_free(sv.written);
	if (r < 0 && r != -ENOMEM)
		return berr_wrap(err, "save");
	return r;
}
