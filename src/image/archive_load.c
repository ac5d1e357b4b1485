/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `berth load`: the archive is unpacked into tmp/ with the same contained unpacker as
 * layers (so a hostile archive cannot write outside), recognised (manifest.json:
 * docker-archive; index.json: OCI layout), and each image's blobs are copied into the
 * store, verified, and its layers unpacked.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/image_archive.h"
#include "image/blob.h"
#include "image/layer_unpack.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/regfile.h"
#include "lib/rmtree.h"
#include "lib/safe_path.h"
#include "lib/strv.h"

#define COPY_CHUNK (1024 * 1024)

int image_archive_format_parse(const char *s, enum image_archive_format *ret)
{
	if (strcmp(s, "docker-archive") == 0 || strcmp(s, "docker") == 0)
		*ret = IMAGE_ARCHIVE_DOCKER;
	else if (strcmp(s, "oci-archive") == 0 || strcmp(s, "oci") == 0)
		*ret = IMAGE_ARCHIVE_OCI;
	else
		return -EINVAL;
	return 0;
}

struct loader {
	struct image_store *s;
	int rootfd; /* the unpacked archive */
	char ***report;
};

static int report_line(struct loader *ld, const char *fmt, const char *v)
{
	char *line;

	if (!ld->report)
		return 0;
	if (asprintf(&line, fmt, v) < 0)
		return -ENOMEM;
	return strv_consume(ld->report, line);
}

/* A member, opened only when it is a regular file (its size is bounded by the archive). */
static int open_member(struct loader *ld, const char *path, struct berr **err)
{
	_cleanup_close_ int p = safe_open_in_root(ld->rootfd, path, O_PATH, 0);
	int fd;

	if (p < 0)
		return berr_sys(err, -p, "archive member '%s'", path);
	fd = fd_reopen_regular(p, O_RDONLY);
	if (fd == -EINVAL)
		return berr_set(err, EINVAL, "archive member '%s': not a regular file", path);
	if (fd < 0)
		return berr_sys(err, -fd, "archive member '%s'", path);
	return fd;
}

static int read_member(struct loader *ld, const char *path, char **ret, size_t *ret_len,
		       struct berr **err)
{
	_cleanup_close_ int fd = open_member(ld, path, err);
	int r;

	if (fd < 0)
		return fd;
	r = read_fd_all(fd, MANIFEST_MAX_SIZE, ret, ret_len);
	if (r < 0)
		return berr_sys(err, -r, "archive member '%s'", path);
	return 0;
}

/* Copy fd into a blob; expect may be NULL. */
static int copy_blob(struct image_store *s, int fd, const char *expect, char digest[DIGEST_MAX],
		     int64_t *ret_size, struct berr **err)
{
	_cleanup_free_ char *buf = malloc(COPY_CHUNK);
	struct blob_writer *w = NULL;
	ssize_t n;
	int r;

	if (!buf)
		return -ENOMEM;
	if (expect && blob_exists(s, expect)) {
		snprintf(digest, DIGEST_MAX, "%s", expect);
		*ret_size = blob_size(s, expect);
		return 0;
	}
	r = blob_writer_open(s, expect, false, &w, err);
	if (r == -EEXIST) {
		snprintf(digest, DIGEST_MAX, "%s", expect);
		*ret_size = blob_size(s, expect);
		return 0;
	}
	if (r < 0)
		return r;
	while ((n = read(fd, buf, COPY_CHUNK)) > 0) {
		r = blob_writer_write(w, buf, (size_t) n);
		if (r < 0)
			break;
	}
	if (n < 0 || r < 0) {
		blob_writer_abort(w, false);
		return berr_sys(err, n < 0 ? errno : -r, "cannot copy a blob");
	}
	*ret_size = (int64_t) blob_writer_offset(w);
	return blob_writer_commit(w, -1, digest, err);
}

static const char *layer_media_type(struct image_store *s, const char *digest)
{
	_cleanup_close_ int fd = blob_open(s, digest);
	unsigned char m[4] = {0};

	if (fd < 0 || read(fd, m, sizeof(m)) != sizeof(m))
		return MT_OCI_LAYER;
	if (m[0] == 0x1f && m[1] == 0x8b)
		return MT_OCI_LAYER_GZIP;
	if (m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
		return MT_OCI_LAYER_ZSTD;
	return MT_OCI_LAYER;
}

static int unpack_stored(struct image_store *s, const char *digest, const char *diff_id,
			 struct berr **err)
{
	_cleanup_close_ int fd = -1;
	int r;

	if (image_layer_exists(s, diff_id))
		return 0;
	fd = blob_open(s, digest);
	if (fd < 0)
		return berr_sys(err, -fd, "blob %s", digest);
	r = image_layer_unpack(s, fd, digest, diff_id, err);
	return r < 0 ? r : 0;
}

static int name_image(struct loader *ld, const char *id, const char *manifest, const char *name,
		      struct berr **err)
{
	_cleanup_(image_ref_done) struct image_ref ref = {0};
	_cleanup_free_ char *full = NULL;
	int r;

	if (name) {
		r = image_ref_parse(name, false, &ref, err);
		if (r < 0)
			return r;
		full = image_ref_string(&ref);
		if (!full)
			return -ENOMEM;
	}
	r = image_store_add(ld->s,
			    &(struct image_add){.id = id, .manifest = manifest, .name = full}, err);
	if (r < 0)
		return r;
	return name ? report_line(ld, "Loaded image: %s", image_ref_familiar(full))
		    : report_line(ld, "Loaded image ID: %s", id);
}

/* docker-archive: one manifest.json entry. */
static int load_docker_entry(struct loader *ld, const struct jnode *e, struct berr **err)
{
	_cleanup_free_ char *cfg_path = NULL, *cfg = NULL, *man = NULL;
	_cleanup_strv_ char **layers = NULL, **tags = NULL;
	_cleanup_(image_config_freep) struct image_config *c = NULL;
	_cleanup_free_ struct descriptor *ds = NULL;
	char cfg_digest[DIGEST_MAX], man_digest[DIGEST_MAX];
	char(*digests)[DIGEST_MAX] = NULL;
	size_t cfg_len, n;
	int r;

	r = jnode_get_string(e, "Config", &cfg_path, err);
	if (r >= 0)
		r = jnode_get_strv(e, "Layers", &layers, err);
	if (r >= 0)
		r = jnode_get_strv(e, "RepoTags", &tags, err);
	if (r < 0)
		return r;
	if (!cfg_path)
		return berr_set(err, EINVAL, "manifest.json: an entry has no Config");
	r = read_member(ld, cfg_path, &cfg, &cfg_len, err);
	if (r >= 0)
		r = image_config_parse(cfg, cfg_len, &c, err);
	if (r < 0)
		return r;
	n = strv_length(layers);
	if (n != c->n_diff_ids)
		return berr_set(err, EINVAL, "'%s': %zu layers but %zu diff_ids", cfg_path, n,
				c->n_diff_ids);
	r = blob_put(ld->s, cfg, cfg_len, NULL, cfg_digest, err);
	if (r < 0)
		return r;
	ds = calloc(n ? n : 1, sizeof(*ds));
	digests = calloc(n ? n : 1, sizeof(*digests));
	if (!ds || !digests) {
		free(digests);
		return -ENOMEM;
	}
	for (size_t i = 0; r >= 0 && i < n; i++) {
		_cleanup_close_ int fd = open_member(ld, layers[i], err);

		if (fd < 0) {
			r = fd;
			break;
		}
		r = copy_blob(ld->s, fd, NULL, digests[i], &ds[i].size, err);
		if (r >= 0)
			r = unpack_stored(ld->s, digests[i], c->diff_ids[i], err);
		ds[i].digest = digests[i];
		ds[i].media_type = (char *) layer_media_type(ld->s, digests[i]);
	}
	if (r >= 0) {
		struct manifest m = {.media_type = (char *) MT_OCI_MANIFEST,
				     .config = {.media_type = (char *) MT_OCI_CONFIG,
						.digest = cfg_digest,
						.size = (int64_t) cfg_len},
				     .layers = ds,
				     .n_layers = n};

		man = manifest_to_json(&m);
		r = man ? blob_put(ld->s, man, strlen(man), NULL, man_digest, err) : -ENOMEM;
	}
	free(digests);
	if (r < 0)
		return r;
	if (!tags)
		return name_image(ld, cfg_digest, man_digest, NULL, err);
	STRV_FOREACH (t, tags) {
		r = name_image(ld, cfg_digest, man_digest, *t, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int load_docker(struct loader *ld, struct berr **err)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	struct jnode root;
	size_t len;
	int r;

	r = read_member(ld, "manifest.json", &buf, &len, err);
	if (r >= 0)
		r = jdoc_parse(buf, len, "manifest.json", &doc, err);
	if (r < 0)
		return r;
	jdoc_root(doc, &root);
	if (!jnode_is_array(&root))
		return berr_set(err, EINVAL, "manifest.json: must be an array");
	for (size_t i = 0; i < jnode_array_len(&root); i++) {
		struct jnode e;

		jnode_array_at(&root, i, &e);
		r = load_docker_entry(ld, &e, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* OCI layout: copy blobs/<alg>/<hex> for digest into the store (verified). */
static int oci_blob(struct loader *ld, const struct descriptor *d, struct berr **err)
{
	_cleanup_close_ int fd = -1;
	char rel[DIGEST_MAX + 16], got[DIGEST_MAX];
	int64_t size;
	int r;

	if (blob_exists(ld->s, d->digest))
		return 0;
	r = blob_relpath(d->digest, rel, sizeof(rel));
	if (r < 0)
		return berr_set(err, EINVAL, "invalid digest '%s'", d->digest);
	fd = open_member(ld, rel, err);
	if (fd < 0)
		return fd;
	return copy_blob(ld->s, fd, d->digest, got, &size, err);
}

static int oci_image(struct loader *ld, const struct descriptor *d, const char *name,
		     struct berr **err)
{
	_cleanup_(manifest_freep) struct manifest *m = NULL;
	_cleanup_(image_config_freep) struct image_config *c = NULL;
	_cleanup_free_ char *raw = NULL, *cfg = NULL;
	size_t len, cfg_len;
	int r;

	r = oci_blob(ld, d, err);
	if (r >= 0)
		r = blob_read(ld->s, d->digest, MANIFEST_MAX_SIZE, &raw, &len, err);
	if (r >= 0)
		r = manifest_parse(raw, len, &m, err);
	if (r >= 0)
		r = oci_blob(ld, &m->config, err);
	if (r >= 0)
		r = blob_read(ld->s, m->config.digest, MANIFEST_MAX_SIZE, &cfg, &cfg_len, err);
	if (r >= 0)
		r = image_config_parse(cfg, cfg_len, &c, err);
	if (r < 0)
		return r;
	if (c->n_diff_ids != m->n_layers)
		return berr_set(err, EINVAL, "manifest %s: %zu layers but %zu diff_ids", d->digest,
				m->n_layers, c->n_diff_ids);
	for (size_t i = 0; i < m->n_layers; i++) {
		r = oci_blob(ld, &m->layers[i], err);
		if (r >= 0)
			r = unpack_stored(ld->s, m->layers[i].digest, c->diff_ids[i], err);
		if (r < 0)
			return r;
	}
	return name_image(ld, m->config.digest, d->digest, name, err);
}

/* The name an index entry gives: containerd's full name, else a full ref.name. */
static const char *oci_name(const struct descriptor *d)
{
	if (d->image_name)
		return d->image_name;
	if (d->ref_name && (strchr(d->ref_name, '/') || strchr(d->ref_name, ':')))
		return d->ref_name;
	return NULL;
}

static int oci_entry(struct loader *ld, const struct descriptor *d, struct berr **err)
{
	_cleanup_(image_index_freep) struct image_index *x = NULL;
	_cleanup_(platform_done) struct platform want = {0};
	_cleanup_free_ char *raw = NULL;
	size_t len;
	int i, r;

	if (strcmp(d->media_type, MT_OCI_MANIFEST) == 0 ||
	    strcmp(d->media_type, MT_DOCKER_MANIFEST) == 0)
		return oci_image(ld, d, oci_name(d), err);
	if (strcmp(d->media_type, MT_OCI_INDEX) != 0 && strcmp(d->media_type, MT_DOCKER_LIST) != 0)
		return 0;
	r = oci_blob(ld, d, err);
	if (r >= 0)
		r = blob_read(ld->s, d->digest, MANIFEST_MAX_SIZE, &raw, &len, err);
	if (r >= 0)
		r = image_index_parse(raw, len, &x, err);
	if (r >= 0)
		r = platform_host(&want);
	if (r < 0)
		return r;
	i = image_index_select(x, &want, err);
	if (i < 0)
		return i;
	return oci_image(ld, &x->manifests[i], oci_name(d), err);
}

static int load_oci(struct loader *ld, struct berr **err)
{
	_cleanup_(image_index_freep) struct image_index *x = NULL;
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	r = read_member(ld, "index.json", &buf, &len, err);
	if (r >= 0)
		r = image_index_parse(buf, len, &x, err);
	for (size_t i = 0; r >= 0 && x && i < x->n_manifests; i++)
		r = oci_entry(ld, &x->manifests[i], err);
	return r;
}

/* tmp/load-XXXXXX, locked while we live. */
static int make_tmpdir(struct image_store *s, char *name, size_t size)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/tmp/load-XXXXXX", s->path);
	if (!mkdtemp(path))
		return -errno;
	snprintf(name, size, "tmp/%s", strrchr(path, '/') + 1);
	fd = openat(s->dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX) < 0) {
		(void) close(fd);
		return -errno;
	}
	return fd;
}

int image_archive_load(struct image_store *s, int fd, char ***report, struct berr **err)
{
	_cleanup_close_ int gclock = image_store_lock(s, "gc.lock", false);
	struct loader ld = {.s = s, .report = report};
	char tmpname[64];
	int r;

	if (gclock < 0)
		return berr_sys(err, -gclock, "cannot lock the image store");
	ld.rootfd = make_tmpdir(s, tmpname, sizeof(tmpname));
	if (ld.rootfd < 0)
		return berr_sys(err, -ld.rootfd, "cannot create a directory in '%s/tmp'", s->path);
	r = layer_unpack_archive_fd(fd, ld.rootfd, err);
	if (r < 0)
		berr_wrap(err, "the archive");
	else if (faccessat(ld.rootfd, "manifest.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		r = load_docker(&ld, err);
	else if (faccessat(ld.rootfd, "index.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		r = load_oci(&ld, err);
	else
		r = berr_set(err, EINVAL, "not an image archive (no manifest.json, no index.json)");
	(void) rm_rf_at(s->dirfd, tmpname);
	(void) close(ld.rootfd);
	if (r < 0 && r != -ENOMEM)
		return berr_wrap(err, "load");
	return r;
}
