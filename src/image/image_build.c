/* SPDX-License-Identifier: Apache-2.0 */
#include "image/image_build.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "image/blob.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/strv.h"
#include "lib/timefmt.h"

#define CHUNK (256 * 1024)

/* Decompress fd with libarchive, hash the tar, gzip it into a blob writer. */
struct compress {
	struct hasher *tar_hash;
	struct blob_writer *w;
	z_stream z;
	unsigned char *out;
};

static int deflate_out(struct compress *c, int flush)
{
	do {
		c->z.next_out = c->out;
		c->z.avail_out = CHUNK;
		if (deflate(&c->z, flush) == Z_STREAM_ERROR)
			return -EIO;
		if (blob_writer_write(c->w, c->out, CHUNK - c->z.avail_out) < 0)
			return -EIO;
	} while (c->z.avail_out == 0);
	return 0;
}

static int compress_stream(int fd, struct compress *c, struct berr **err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	_cleanup_free_ unsigned char *buf = malloc(CHUNK);
	la_ssize_t n;
	int r = 0;

	if (!a || !buf) {
		if (a)
			archive_read_free(a);
		return -ENOMEM;
	}
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_fd(a, fd, CHUNK) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		r = berr_set(err, EINVAL, "cannot read the tarball: %s",
			     archive_error_string(a) ?: "empty");
		goto out;
	}
	while ((n = archive_read_data(a, buf, CHUNK)) > 0) {
		hasher_update(c->tar_hash, buf, (size_t) n);
		c->z.next_in = buf;
		c->z.avail_in = (uInt) n;
		if (deflate_out(c, Z_NO_FLUSH) < 0) {
			r = berr_set(err, EIO, "cannot write the layer");
			goto out;
		}
	}
	if (n < 0)
		r = berr_set(err, EIO, "cannot read the tarball: %s", archive_error_string(a));
	else if (deflate_out(c, Z_FINISH) < 0)
		r = berr_set(err, EIO, "cannot write the layer");
out:
	archive_read_free(a);
	return r;
}

/* Store fd's tar as a gzip layer blob: its digest, size and diff_id. */
static int store_layer(struct image_store *s, int fd, char digest[DIGEST_MAX],
		       char diff_id[DIGEST_MAX], int64_t *ret_size, struct berr **err)
{
	struct compress c = {0};
	int r;

	c.tar_hash = hasher_new(DIGEST_SHA256);
	c.out = malloc(CHUNK);
	if (!c.tar_hash || !c.out ||
	    deflateInit2(&c.z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) !=
		    Z_OK) {
		hasher_free(c.tar_hash);
		free(c.out);
		return -ENOMEM;
	}
	r = blob_writer_open(s, NULL, false, &c.w, err);
	if (r >= 0) {
		r = compress_stream(fd, &c, err);
		*ret_size = (int64_t) blob_writer_offset(c.w);
		if (r < 0)
			blob_writer_abort(c.w, false);
		else
			r = blob_writer_commit(c.w, -1, digest, err);
	}
	hasher_final(c.tar_hash, diff_id);
	hasher_free(c.tar_hash);
	deflateEnd(&c.z);
	free(c.out);
	return r;
}

static int unpack_blob(struct image_store *s, const char *digest, const char *diff_id,
		       struct berr **err)
{
	_cleanup_close_ int fd = blob_open(s, digest);
	int r;

	if (fd < 0)
		return berr_sys(err, -fd, "blob %s", digest);
	r = image_layer_unpack(s, fd, digest, diff_id, err);
	return r < 0 ? r : 0;
}

static void spec_apply_changes(struct image_config_spec *spec, const struct image_changes *ch)
{
	if (ch->cmd)
		spec->cmd = ch->cmd;
	if (ch->env)
		spec->env = ch->env;
	spec->entrypoint = ch->entrypoint;
	spec->working_dir = ch->working_dir;
	spec->user = ch->user;
	spec->stop_signal = ch->stop_signal;
	spec->labels = ch->labels;
	spec->exposed = ch->exposed;
	spec->volumes = ch->volumes;
	spec->onbuild = ch->onbuild;
	spec->health = &ch->health;
}

int image_layer_add_tar(struct image_store *s, int fd, char digest[DIGEST_MAX],
			char diff_id[DIGEST_MAX], int64_t *ret_size, struct berr **err)
{
	int r = store_layer(s, fd, digest, diff_id, ret_size, err);

	return r < 0 ? r : unpack_blob(s, digest, diff_id, err);
}

static int write_image(struct image_store *s, const struct image_import_opts *o, const char *digest,
		       const char *diff_id, int64_t size, char ret_id[DIGEST_MAX],
		       struct berr **err)
{
	_cleanup_free_ char *cfg = NULL, *man = NULL, *name = NULL;
	_cleanup_(platform_done) struct platform p = {0};
	char now[64], cfg_digest[DIGEST_MAX], man_digest[DIGEST_MAX];
	struct manifest m = {.media_type = (char *) MT_OCI_MANIFEST};
	struct descriptor layer = {
		.media_type = (char *) MT_OCI_LAYER_GZIP, .digest = (char *) digest, .size = size};
	const struct image_changes *ch = o->changes;
	struct image_config_spec spec;
	int r;

	r = o->platform ? platform_parse(o->platform, &p, err) : platform_host(&p);
	if (r < 0)
		return r;
	spec = (struct image_config_spec){
		.architecture = p.architecture,
		.os = p.os,
		.variant = p.variant,
		.created = o->created ? o->created : rfc3339_ns(now_ns(), now, sizeof(now)),
		.diff_id = diff_id,
		.created_by = o->created_by ? o->created_by : "berth import",
		.comment = o->comment,
		.env = o->env,
		.cmd = o->cmd,
	};
	if (ch)
		spec_apply_changes(&spec, ch);
	cfg = image_config_build(&spec);
	if (!cfg)
		return -ENOMEM;
	r = blob_put(s, cfg, strlen(cfg), NULL, cfg_digest, err);
	if (r < 0)
		return r;
	m.config = (struct descriptor){.media_type = (char *) MT_OCI_CONFIG,
				       .digest = cfg_digest,
				       .size = (int64_t) strlen(cfg)};
	m.layers = &layer;
	m.n_layers = 1;
	man = manifest_to_json(&m);
	if (!man)
		return -ENOMEM;
	r = blob_put(s, man, strlen(man), NULL, man_digest, err);
	if (r < 0)
		return r;
	if (o->name) {
		_cleanup_(image_ref_done) struct image_ref ref = {0};

		r = image_ref_parse(o->name, false, &ref, err);
		if (r < 0)
			return r;
		name = image_ref_string(&ref);
		if (!name)
			return -ENOMEM;
	}
	r = image_store_add(
		s, &(struct image_add){.id = cfg_digest, .manifest = man_digest, .name = name},
		err);
	if (r >= 0)
		memcpy(ret_id, cfg_digest, DIGEST_MAX);
	return r;
}

int image_import(struct image_store *s, int fd, const struct image_import_opts *o,
		 char ret_id[DIGEST_MAX], struct berr **err)
{
	_cleanup_close_ int gclock = image_store_lock(s, "gc.lock", false);
	char digest[DIGEST_MAX], diff_id[DIGEST_MAX];
	int64_t size = 0;
	int r;

	if (gclock < 0)
		return berr_sys(err, -gclock, "cannot lock the image store");
	if (o->name) {
		_cleanup_(image_ref_done) struct image_ref ref = {0};

		r = image_ref_parse(o->name, false, &ref, err);
		if (r < 0)
			return r;
	}
	r = store_layer(s, fd, digest, diff_id, &size, err);
	if (r >= 0)
		r = unpack_blob(s, digest, diff_id, err);
	if (r >= 0)
		r = write_image(s, o, digest, diff_id, size, ret_id, err);
	return r;
}
