/* SPDX-License-Identifier: Apache-2.0 */
#include "build/commit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build/layer_diff.h"
#include "image/blob.h"
#include "image/image_build.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/timefmt.h"

struct new_layer {
	char digest[DIGEST_MAX], diff_id[DIGEST_MAX];
	int64_t size;
	bool present;
};

static int make_layer(struct image_store *s, int upperfd, const struct layer_idmap *ids,
		      struct new_layer *l, struct berr **err)
{
	_cleanup_close_ int fd = openat(s->dirfd, "tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	int r;

	if (fd < 0)
		return berr_sys(err, errno, "cannot make a temporary file in '%s/tmp'", s->path);
	r = layer_diff_write(upperfd, fd, ids, err);
	if (r <= 0)
		return r; /* no change: docker's empty_layer, no layer (l->present stays false) */
	if (lseek(fd, 0, SEEK_SET) < 0)
		return berr_sys(err, errno, "cannot read the layer back");
	r = image_layer_add_tar(s, fd, l->digest, l->diff_id, &l->size, err);
	l->present = r >= 0;
	return r;
}

static void history_json(struct jwriter *hist, const struct image_history *h)
{
	struct jwriter *o = jw_object();

	jw_str(o, "created", h->created);
	jw_str(o, "created_by", h->created_by);
	jw_str(o, "author", h->author);
	jw_str(o, "comment", h->comment);
	if (h->empty_layer)
		jw_bool(o, "empty_layer", true);
	jw_put(hist, NULL, o);
}

static void platform_json(struct jwriter *w, const struct image *p, const struct platform *host)
{
	const struct image_config *c = p ? p->config : NULL;

	jw_str(w, "architecture", c && c->architecture ? c->architecture : host->architecture);
	jw_str(w, "os", c && c->os ? c->os : host->os);
	jw_str(w, "variant", c ? c->variant : host->variant);
}

static char *config_json(const struct commit_opts *o, const struct new_layer *l, const char *now,
			 const struct platform *host)
{
	_cleanup_jw_ struct jwriter *w = jw_object();
	struct jwriter *rootfs = jw_object(), *ids = jw_array(), *hist = jw_array();
	const struct image_config *pc = o->parent ? o->parent->config : NULL;

	jw_str(w, "created", now);
	jw_str(w, "author", o->author);
	platform_json(w, o->parent, host);
	jw_put(w, "config", run_config_json(o->config));
	jw_str(rootfs, "type", "layers");
	for (size_t i = 0; pc && i < pc->n_diff_ids; i++)
		jw_append_str(ids, pc->diff_ids[i]);
	if (l->present)
		jw_append_str(ids, l->diff_id);
	jw_put(rootfs, "diff_ids", ids);
	jw_put(w, "rootfs", rootfs);
	for (size_t i = 0; pc && i < pc->n_history; i++)
		history_json(hist, &pc->history[i]);
	history_json(hist, &(struct image_history){.created = (char *) now,
						   .created_by = (char *) o->created_by,
						   .author = (char *) o->author,
						   .comment = (char *) o->comment,
						   .empty_layer = !l->present});
	jw_put(w, "history", hist);
	return jw_to_string(w, false);
}

/* The manifest: the parent's layers and the new one, in the parent's media types. */
static char *manifest_json(const struct image *p, const struct new_layer *l, const char *cfg_digest,
			   size_t cfg_len)
{
	bool docker = p && strcmp(p->manifest->media_type, MT_DOCKER_MANIFEST) == 0;
	size_t n = p ? p->manifest->n_layers : 0;
	_cleanup_free_ struct descriptor *layers = calloc(n + 1, sizeof(*layers));
	struct manifest m = {
		.media_type = (char *) (docker ? MT_DOCKER_MANIFEST : MT_OCI_MANIFEST),
		.config = {.media_type = (char *) (docker ? MT_DOCKER_CONFIG : MT_OCI_CONFIG),
			   .digest = (char *) cfg_digest,
			   .size = (int64_t) cfg_len},
		.layers = layers,
		.n_layers = n,
	};

	if (!layers)
		return NULL;
	for (size_t i = 0; i < n; i++)
		layers[i] = p->manifest->layers[i];
	if (l->present)
		layers[m.n_layers++] = (struct descriptor){
			.media_type = (char *) (docker ? MT_DOCKER_LAYER_GZIP : MT_OCI_LAYER_GZIP),
			.digest = (char *) l->digest,
			.size = l->size};
	return manifest_to_json(&m);
}

int image_commit_tag(struct image_store *s, const char *id, const char *manifest, const char *name,
		     struct berr **err)
{
	_cleanup_(image_ref_done) struct image_ref ref = {0};
	_cleanup_free_ char *norm = NULL;
	int r = image_ref_parse(name, false, &ref, err);

	if (r < 0)
		return r;
	norm = image_ref_string(&ref);
	if (!norm)
		return -ENOMEM;
	return image_store_add(s, &(struct image_add){.id = id, .manifest = manifest, .name = norm},
			       err);
}

static int check_names(char *const *names, struct berr **err)
{
	for (char *const *n = names; n && *n; n++) {
		_cleanup_(image_ref_done) struct image_ref ref = {0};
		int r = image_ref_parse(*n, false, &ref, err);

		if (r < 0)
			return r;
	}
	return 0;
}

static int write_image(struct image_store *s, const struct commit_opts *o,
		       const struct new_layer *l, char ret_id[DIGEST_MAX], struct berr **err)
{
	_cleanup_free_ char *cfg = NULL, *man = NULL;
	_cleanup_(platform_done) struct platform host = {0};
	char now[64], cfg_digest[DIGEST_MAX], man_digest[DIGEST_MAX];
	int r = platform_host(&host);

	if (r < 0)
		return r;
	cfg = config_json(o, l, rfc3339_ns(now_ns(), now, sizeof(now)), &host);
	if (!cfg)
		return -ENOMEM;
	r = blob_put(s, cfg, strlen(cfg), NULL, cfg_digest, err);
	if (r < 0)
		return r;
	man = manifest_json(o->parent, l, cfg_digest, strlen(cfg));
	if (!man)
		return -ENOMEM;
	r = blob_put(s, man, strlen(man), NULL, man_digest, err);
	if (r < 0)
		return r;
	r = image_store_add(s, &(struct image_add){.id = cfg_digest, .manifest = man_digest}, err);
	for (char *const *n = o->names; r >= 0 && n && *n; n++)
		r = image_commit_tag(s, cfg_digest, man_digest, *n, err);
	if (r >= 0)
		memcpy(ret_id, cfg_digest, DIGEST_MAX);
	return r;
}

int image_commit(struct image_store *s, const struct commit_opts *o, char ret_id[DIGEST_MAX],
		 struct berr **err)
{
	_cleanup_close_ int gclock = image_store_lock(s, "gc.lock", false);
	struct new_layer l = {0};
	int r;

	if (gclock < 0)
		return berr_sys(err, -gclock, "cannot lock the image store");
	r = check_names(o->names, err);
	if (r >= 0 && o->upperfd >= 0)
		r = make_layer(s, o->upperfd, o->ids, &l, err);
	return r < 0 ? r : write_image(s, o, &l, ret_id, err);
}
