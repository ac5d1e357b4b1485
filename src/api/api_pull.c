/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /images/create?fromImage=NAME&tag=TAG: image_pull() as `berth pull` calls it, and
 * POST /images/{name}/push?tag=TAG: image_push() as `berth push` does; the credentials of
 * X-Registry-Auth if the client sends them (else those of `berth login`). The progress
 * is streamed as docker's JSON messages, one a line: {"status":"Pulling from
 * library/busybox","id":"latest"}, per layer {"status":"Downloading","progressDetail":
 * {"current":N,"total":N},"id":"<12 hex>"}, then "Digest: ..." and "Status: ...". An
 * error after the stream began is {"errorDetail":{"message":M},"error":M}. A push ends
 * with {"status":"TAG: digest: sha256:... size: N"} and the same in "aux".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "api/api_stream.h"
#include "cli/image_events.h"
#include "engine/events.h"
#include "image/reference.h"
#include "image/registry.h"
#include "image/store.h"
#include "lib/cleanup.h"

struct pull_job {
	char *name, *auth, *creds;
	struct api_stream *st;
	int write_error; /* the first failed write: the client went away */
};

static void pull_job_free(void *data)
{
	struct pull_job *j = data;

	if (!j)
		return;
	free(j->name);
	free(j->auth);
	free(j->creds);
	free(j);
}

/* One JSON message; once the client is gone nothing more is sent. */
static void send_msg(struct pull_job *j, struct jwriter *doc)
{
	if (j->write_error)
		jw_free(doc);
	else
		j->write_error = api_stream_json(j->st, doc);
}

static void send_status(struct pull_job *j, const char *status, const char *id)
{
	struct jwriter *doc = jw_object();

	jw_str(doc, "status", status);
	if (id)
		jw_str(doc, "id", id);
	send_msg(j, doc);
}

static const char *const event_status[] = {
	[PULL_LAYER_WAITING] = "Waiting",
	[PULL_LAYER_EXISTS] = "Already exists",
	[PULL_LAYER_DOWNLOADING] = "Downloading",
	[PULL_LAYER_RESUMING] = "Downloading",
	[PULL_LAYER_DOWNLOADED] = "Download complete",
	[PULL_LAYER_EXTRACTING] = "Extracting",
	[PULL_LAYER_DONE] = "Pull complete",
	[PULL_LAYER_PUSHING] = "Pushing",
	[PULL_LAYER_PUSHED] = "Pushed",
	[PULL_LAYER_MOUNTED] = "Layer already exists",
};

static void on_layer(void *data, size_t index, const char *digest, enum pull_event ev,
		     uint64_t done, uint64_t total)
{
	struct pull_job *j = data;
	struct jwriter *doc = jw_object(), *detail = jw_object();
	const char *colon = strchr(digest, ':');
	char id[13];

	(void) index;
	snprintf(id, sizeof(id), "%s", colon ? colon + 1 : digest);
	jw_str(doc, "status", event_status[ev]);
	if ((ev == PULL_LAYER_DOWNLOADING || ev == PULL_LAYER_EXTRACTING) && total > 0) {
		jw_uint(detail, "current", done);
		jw_uint(detail, "total", total);
	}
	jw_put(doc, "progressDetail", detail);
	jw_str(doc, "id", id);
	send_msg(j, doc);
}

static void send_error(struct pull_job *j, const char *msg)
{
	send_msg(j, api_error_doc(msg));
}

static void send_result(struct pull_job *j, const struct pull_result *res)
{
	_cleanup_free_ char *digest = NULL, *status = NULL;
	const char *name = image_ref_familiar(res->name);

	if (asprintf(&digest, "Digest: %s", res->digest) < 0)
		digest = NULL;
	if (asprintf(&status, "Status: %s for %s",
		     res->updated ? "Downloaded newer image" : "Image is up to date", name) < 0)
		status = NULL;
	send_status(j, digest ? digest : "", NULL);
	send_status(j, status ? status : "", NULL);
}

/* The registry options of j: the request's credentials, else those of `berth login`. */
static struct registry_opts job_opts(const struct api_stream *st, const struct pull_job *j)
{
	return (struct registry_opts){.tls_verify = true,
				      .debug = st->ctx.debug,
				      .auth_file = j->auth,
				      .creds = j->creds,
				      .config = st->ctx.registries};
}

static int stream_pull(struct api_stream *st)
{
	struct pull_job *j = st->data;
	_cleanup_(image_ref_done) struct image_ref ref = {0};
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_free_ char *from = NULL;
	const struct registry_opts o = job_opts(st, j);
	const struct pull_progress p = {.layer = on_layer, .data = j};
	struct pull_result res = {0};
	int r;

	j->st = st;
	if (image_ref_parse(j->name, false, &ref, &err) == 0 &&
	    asprintf(&from, "Pulling from %s", ref.path) >= 0)
		send_status(j, from, ref.digest ? ref.digest : ref.tag);
	r = image_pull(st->ctx.store, j->name, &o, &p, &res, &err);
	if (r < 0) {
		send_error(j, err ? err->msg : "pull failed");
	} else {
		send_result(j, &res);
		(void) events_image(st->ctx.root, "pull", image_ref_familiar(res.name),
				    image_ref_familiar(res.name));
	}
	pull_result_done(&res);
	return r;
}

/* fromImage with tag (a digest "sha256:..." too), as the docker CLI splits them */
static int pull_name(struct api_req *r, char **ret, struct berr **err)
{
	_cleanup_(image_ref_done) struct image_ref ref = {0};
	const char *from = api_query(r, "fromImage"), *tag = api_query(r, "tag");
	int n;

	if (!from || !*from)
		return berr_set(err, EINVAL,
				"fromImage is required (importing with fromSrc is not "
				"supported)");
	if (tag && *tag)
		n = asprintf(ret, "%s%s%s", from, strncmp(tag, "sha256:", 7) == 0 ? "@" : ":", tag);
	else
		n = asprintf(ret, "%s", from);
	if (n < 0)
		return -ENOMEM;
	if (image_ref_parse(*ret, false, &ref, err) < 0) {
		free(*ret);
		*ret = NULL;
		return -EINVAL;
	}
	return 0;
}

/* A job for name with the request's credentials; replies itself on failure (NULL). */
static struct pull_job *job_new(struct api_req *r, char *name, int *ret)
{
	_cleanup_berr_ struct berr *err = NULL;
	struct pull_job *j = calloc(1, sizeof(*j));

	*ret = 0;
	if (!j || !name) {
		free(name);
		free(j);
		*ret = -ENOMEM;
		return NULL;
	}
	j->name = name;
	if ((*ret = api_registry_auth(r, &j->creds, &err)) < 0)
		*ret = api_reply_berr(r, EINVAL, err);
	else if (!berth_store(r->ctx))
		*ret = api_reply_error(r, 500, "cannot open the image store under '%s'",
				       r->ctx->root);
	else if (berth_load_registries(r->ctx) < 0)
		*ret = api_reply_error(r, 500, "cannot load the registry configuration");
	else if (!(j->auth = berth_auth_file(r->ctx)))
		*ret = -ENOMEM;
	else
		return j;
	pull_job_free(j);
	return NULL;
}

int api_image_pull(struct api_req *r)
{
	_cleanup_berr_ struct berr *err = NULL;
	struct pull_job *j;
	char *name = NULL;
	int ret;

	if ((ret = pull_name(r, &name, &err)) < 0)
		return api_reply_berr(r, ret, err);
	if (!(j = job_new(r, name, &ret)))
		return ret;
	return api_stream_reply(r, "application/json", stream_pull, j, pull_job_free);
}

/* The size of the manifest of the local image name (what the registry now has). */
static size_t manifest_size(struct image_store *s, const char *name)
{
	_cleanup_(image_list_freep) struct image_list *l = NULL;
	_cleanup_(image_freep) struct image *img = NULL;
	int i;

	if (image_list_load(s, &l, NULL) < 0 || (i = image_list_find(l, name, NULL)) < 0 ||
	    image_load(s, &l->v[i], &img, NULL) < 0)
		return 0;
	return img->manifest_len;
}

static void send_pushed(struct pull_job *j, const char *digest)
{
	_cleanup_(image_ref_done) struct image_ref ref = {0};
	_cleanup_free_ char *status = NULL;
	struct jwriter *doc = jw_object(), *aux = jw_object();
	size_t size = manifest_size(j->st->ctx.store, j->name);
	const char *tag =
		image_ref_parse(j->name, false, &ref, NULL) == 0 && ref.tag ? ref.tag : "latest";

	if (asprintf(&status, "%s: digest: %s size: %zu", tag, digest, size) < 0)
		status = NULL;
	send_status(j, status ? status : "", NULL);
	jw_put(doc, "progressDetail", jw_object());
	jw_str(aux, "Tag", tag);
	jw_str(aux, "Digest", digest);
	jw_uint(aux, "Size", size);
	jw_put(doc, "aux", aux);
	send_msg(j, doc);
}

static int stream_push(struct api_stream *st)
{
	struct pull_job *j = st->data;
	_cleanup_(image_ref_done) struct image_ref ref = {0};
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_free_ char *head = NULL, *repo = NULL, *fam = NULL;
	const struct registry_opts o = job_opts(st, j);
	const struct pull_progress p = {.layer = on_layer, .data = j};
	char digest[DIGEST_MAX];
	int r;

	j->st = st;
	if (image_ref_parse(j->name, false, &ref, &err) == 0 &&
	    (repo = image_ref_repository(&ref)) &&
	    asprintf(&head, "The push refers to repository [%s]", repo) >= 0)
		send_status(j, head, NULL);
	r = image_push(st->ctx.store, j->name, NULL, &o, &p, digest, &err);
	if (r < 0) {
		send_error(j, err ? err->msg : "push failed");
		return r;
	}
	send_pushed(j, digest);
	if ((fam = image_events_familiar(j->name)))
		(void) events_image(st->ctx.root, "push", fam, fam);
	return 0;
}

int api_image_push(struct api_req *r)
{
	_cleanup_(image_list_freep) struct image_list *l = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_free_ char *base = api_image_name(r, 1);
	const char *tag = api_query(r, "tag");
	struct pull_job *j;
	char *name = NULL;
	int ret;

	if (!base)
		return -ENOMEM;
	if (tag && *tag && asprintf(&name, "%s:%s", base, tag) < 0)
		return -ENOMEM;
	if (!name && !(name = strdup(base)))
		return -ENOMEM;
	if (!(j = job_new(r, name, &ret)))
		return ret;
	/* dockerd's 404 before the stream, for a name the store does not have */
	if ((ret = image_list_load(r->ctx->store, &l, &err)) < 0 ||
	    (ret = image_list_find(l, j->name, &err)) < 0) {
		pull_job_free(j);
		return ret == -ENOENT ? api_reply_error(r, 404,
							"An image does not exist locally with the "
							"tag: %s",
							base)
				      : api_reply_berr(r, ret, err);
	}
	return api_stream_reply(r, "application/json", stream_push, j, pull_job_free);
}
