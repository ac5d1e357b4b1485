/* SPDX-License-Identifier: Apache-2.0 */
/* `berth pull`: manifest (and index), config, layers in parallel, then the record. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/blob.h"
#include "image/image_config.h"
#include "image/manifest.h"
#include "image/pull_layers.h"
#include "image/reference.h"
#include "image/registry.h"
#include "image/registry_http.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/strv.h"

#define ACCEPT_MANIFESTS                                                                           \
	MT_OCI_INDEX ", " MT_OCI_MANIFEST ", " MT_DOCKER_LIST ", " MT_DOCKER_MANIFEST

void pull_result_done(struct pull_result *r)
{
	free(r->name);
	r->name = NULL;
}

struct pull {
	struct image_store *s;
	const struct registry_opts *o;
	const struct pull_progress *p;
	struct reg_client *c;
	struct image_ref ref;
	char *index_raw, *manifest_raw;
	size_t index_len, manifest_len;
	char index_digest[DIGEST_MAX], manifest_digest[DIGEST_MAX];
	struct manifest *m;
	struct image_config *config;
	const char *mirror; /* the mirror that gave the manifest, or NULL: the registry */
};

static void pull_done(struct pull *pl)
{
	reg_client_free(pl->c);
	image_ref_done(&pl->ref);
	free(pl->index_raw);
	free(pl->manifest_raw);
	manifest_free(pl->m);
	image_config_free(pl->config);
}

/* GET a manifest or index by tag or digest; check it against the digest when given. */
static int get_manifest(struct pull *pl, const char *reference, char **ret, size_t *ret_len,
			char digest[DIGEST_MAX], enum manifest_kind *kind, struct berr **err)
{
	struct reg_response resp = {.max = MANIFEST_MAX_SIZE};
	_cleanup_free_ char *path = NULL;
	enum digest_algo algo = DIGEST_SHA256;
	int r;

	if (asprintf(&path, "/v2/%s/manifests/%s", pl->c->repo, reference) < 0)
		return -ENOMEM;
	r = reg_request(pl->c, "GET", path, ACCEPT_MANIFESTS, NULL, &resp, err);
	if (r >= 0 && resp.status != 200)
		r = reg_error(&resp, reference, err);
	if (r < 0)
		goto out;
	if (digest_validate(reference, &algo) == 0 &&
	    !digest_matches(reference, resp.body ?: "", resp.len)) {
		r = berr_set(err, EBADMSG,
			     "manifest %s: the registry sent content with another "
			     "digest",
			     reference);
		goto out;
	}
	digest_buffer(algo, resp.body ? resp.body : "", resp.len, digest);
	r = manifest_detect(resp.body ? resp.body : "", resp.len, resp.content_type, kind, err);
	if (r < 0)
		goto out;
	*ret = resp.body ? resp.body : strdup("");
	*ret_len = resp.len;
	resp.body = NULL;
out:
	reg_response_done(&resp);
	return r;
}

/* Fetch a small blob (the config) into the store unless it is there; verified. */
static int fetch_small_blob(struct pull *pl, const struct descriptor *d, struct berr **err)
{
	struct reg_response resp = {.max = MANIFEST_MAX_SIZE};
	_cleanup_free_ char *path = NULL;
	int r;

	if (blob_exists(pl->s, d->digest))
		return 0;
	if (d->size > (int64_t) MANIFEST_MAX_SIZE)
		return berr_set(err, EFBIG, "config %s: larger than %u bytes", d->digest,
				MANIFEST_MAX_SIZE);
	if (asprintf(&path, "/v2/%s/blobs/%s", pl->c->repo, d->digest) < 0)
		return -ENOMEM;
	r = reg_request(pl->c, "GET", path, NULL, NULL, &resp, err);
	if (r >= 0 && resp.status != 200)
		r = reg_error(&resp, d->digest, err);
	if (r >= 0 && (int64_t) resp.len != d->size)
		r = berr_set(err, EBADMSG, "blob %s: got %zu bytes, expected %lld", d->digest,
			     resp.len, (long long) d->size);
	if (r >= 0)
		r = blob_put(pl->s, resp.body ? resp.body : "", resp.len, d->digest, NULL, err);
	reg_response_done(&resp);
	return r;
}

static int resolve_manifest(struct pull *pl, struct berr **err)
{
	const char *reference = pl->ref.digest ? pl->ref.digest : pl->ref.tag;
	_cleanup_(image_index_freep) struct image_index *x = NULL;
	_cleanup_(platform_done) struct platform want = {0};
	enum manifest_kind kind;
	char *raw;
	size_t len;
	int r, i;

	r = get_manifest(pl, reference, &raw, &len, pl->manifest_digest, &kind, err);
	if (r < 0)
		return r;
	if (kind == MANIFEST_KIND_IMAGE) {
		pl->manifest_raw = raw;
		pl->manifest_len = len;
		return 0;
	}
	pl->index_raw = raw;
	pl->index_len = len;
	memcpy(pl->index_digest, pl->manifest_digest, DIGEST_MAX);
	r = image_index_parse(raw, len, &x, err);
	if (r >= 0)
		r = pl->o->platform ? platform_parse(pl->o->platform, &want, err)
				    : platform_host(&want);
	if (r < 0)
		return r;
	i = image_index_select(x, &want, err);
	if (i < 0)
		return i;
	r = get_manifest(pl, x->manifests[i].digest, &pl->manifest_raw, &pl->manifest_len,
			 pl->manifest_digest, &kind, err);
	if (r >= 0 && kind != MANIFEST_KIND_IMAGE)
		r = berr_set(err, EINVAL, "index entry %s is not an image manifest",
			     x->manifests[i].digest);
	return r;
}

/* Forget what a failed endpoint answered, for the next one. */
static void endpoint_reset(struct pull *pl)
{
	pl->c = reg_client_free(pl->c);
	free(pl->index_raw);
	free(pl->manifest_raw);
	pl->index_raw = pl->manifest_raw = NULL;
	pl->index_len = pl->manifest_len = 0;
	*pl->index_digest = *pl->manifest_digest = '\0';
}

/*
 * The manifest from the registry's mirrors in order (registries.json), then from the
 * registry itself; the client that answered is kept for the blobs.
 */
static int connect_and_resolve(struct pull *pl, struct berr **err)
{
	char *const *mirrors = registry_config_mirrors(pl->o->config, pl->ref.domain);
	int r;

	STRV_FOREACH (m, mirrors) {
		_cleanup_berr_ struct berr *merr = NULL;

		r = reg_client_new_mirror(pl->o, *m, pl->ref.path, &pl->c, &merr);
		if (r >= 0)
			r = resolve_manifest(pl, &merr);
		if (r >= 0) {
			log_debug("pull '%s' from mirror '%s'", pl->ref.path, *m);
			pl->mirror = *m;
			return 0;
		}
		if (r == -ENOMEM)
			return r;
		log_debug("mirror '%s': %s, trying the next", *m, merr ? merr->msg : "failed");
		endpoint_reset(pl);
	}
	r = reg_client_new(pl->o, pl->ref.domain, pl->ref.path, "pull", &pl->c, err);
	return r < 0 ? r : resolve_manifest(pl, err);
}

static int load_config(struct pull *pl, struct berr **err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	r = manifest_parse(pl->manifest_raw, pl->manifest_len, &pl->m, err);
	if (r < 0)
		return r;
	if (!media_type_is_image_config(pl->m->config.media_type))
		return berr_set(err, EINVAL,
				"'%s' is not a container image (config media type '%s')",
				pl->ref.path, pl->m->config.media_type);
	r = fetch_small_blob(pl, &pl->m->config, err);
	if (r >= 0)
		r = blob_read(pl->s, pl->m->config.digest, MANIFEST_MAX_SIZE, &buf, &len, err);
	if (r >= 0)
		r = image_config_parse(buf, len, &pl->config, err);
	if (r < 0)
		return r;
	if (pl->config->n_diff_ids != pl->m->n_layers)
		return berr_set(err, EBADMSG,
				"the manifest has %zu layers, the config %zu diff_ids",
				pl->m->n_layers, pl->config->n_diff_ids);
	return 0;
}

static int record(struct pull *pl, struct pull_result *ret, struct berr **err)
{
	_cleanup_(image_list_freep) struct image_list *l = NULL;
	_cleanup_free_ char *repo = image_ref_repository(&pl->ref), *name = NULL, *rd = NULL;
	const char *top = *pl->index_digest ? pl->index_digest : pl->manifest_digest;
	int r, prev = -1;

	if (!repo || asprintf(&rd, "%s@%s", repo, top) < 0)
		return -ENOMEM;
	if (pl->ref.tag && asprintf(&name, "%s:%s", repo, pl->ref.tag) < 0)
		return -ENOMEM;
	r = blob_put(pl->s, pl->manifest_raw, pl->manifest_len, pl->manifest_digest, NULL, err);
	if (r >= 0 && pl->index_raw)
		r = blob_put(pl->s, pl->index_raw, pl->index_len, pl->index_digest, NULL, err);
	if (r >= 0 && image_list_load(pl->s, &l, NULL) >= 0)
		prev = image_list_find(l, name ? name : rd, NULL);
	if (r >= 0)
		r = image_store_add(
			pl->s,
			&(struct image_add){.id = pl->m->config.digest,
					    .manifest = pl->manifest_digest,
					    .index = *pl->index_digest ? pl->index_digest : NULL,
					    .name = name,
					    .repo_digest = rd},
			err);
	if (r < 0)
		return r;
	snprintf(ret->id, sizeof(ret->id), "%s", pl->m->config.digest);
	snprintf(ret->digest, sizeof(ret->digest), "%s", top);
	ret->updated = prev < 0 || strcmp(l->v[prev].id, pl->m->config.digest) != 0;
	ret->name = name ? TAKE_PTR(name) : TAKE_PTR(rd);
	return 0;
}

static int config_and_layers(struct pull *pl, struct berr **err)
{
	int r = load_config(pl, err);

	return r < 0 ? r : pull_layers(pl->s, pl->c, pl->m, pl->config, pl->o, pl->p, err);
}

/*
 * The config and the layers of the manifest, from where the manifest came; a mirror that
 * fails on one of them (a blob it lacks, a connection that breaks) is left for the
 * registry itself, which has the same blobs by digest (what is already in the store or
 * half-downloaded in ingest/ is kept).
 */
static int fetch_blobs(struct pull *pl, struct berr **err)
{
	_cleanup_berr_ struct berr *merr = NULL;
	int r = config_and_layers(pl, pl->mirror ? &merr : err);

	if (r >= 0 || !pl->mirror || r == -ENOMEM)
		return r;
	log_debug("mirror '%s': %s, the blobs from '%s'", pl->mirror, merr ? merr->msg : "failed",
		  pl->ref.domain);
	pl->c = reg_client_free(pl->c);
	pl->mirror = NULL;
	image_config_free(pl->config);
	pl->config = NULL;
	manifest_free(pl->m); /* parsed again by load_config */
	pl->m = NULL;
	r = reg_client_new(pl->o, pl->ref.domain, pl->ref.path, "pull", &pl->c, err);
	return r < 0 ? r : config_and_layers(pl, err);
}

int image_pull(struct image_store *s, const char *ref, const struct registry_opts *o,
	       const struct pull_progress *p, struct pull_result *ret, struct berr **err)
{
	_cleanup_close_ int gclock = -1;
	struct pull pl = {.s = s, .o = o, .p = p};
	int r;

	*ret = (struct pull_result){0};
	r = image_ref_parse(ref, false, &pl.ref, err);
	if (r < 0)
		return r;
	gclock = image_store_lock(s, "gc.lock", false);
	if (gclock < 0) {
		r = berr_sys(err, -gclock, "cannot lock the image store");
		goto out;
	}
	r = connect_and_resolve(&pl, err);
	if (r >= 0)
		r = fetch_blobs(&pl, err);
	if (r >= 0)
		r = record(&pl, ret, err);
out:
	if (r < 0 && r != -ENOMEM)
		berr_wrap(err, "pull '%s'", ref);
	pull_done(&pl);
	return r;
}
