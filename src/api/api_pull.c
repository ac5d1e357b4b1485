/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /images/create?fromImage=NAME&tag=TAG: image_pull() as `berth pull` calls it, its
 * progress streamed as docker's JSON messages, one a line: {"status":"Pulling from
 * library/busybox","id":"latest"}, per layer {"status":"Downloading","progressDetail":
 * {"current":N,"total":N},"id":"<12 hex>"}, then "Digest: ..." and "Status: ...". An
 * error after the stream began is {"errorDetail":{"message":M},"error":M}.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "api/api_stream.h"
#include "engine/events.h"
#include "image/reference.h"
#include "image/registry.h"
#include "lib/cleanup.h"

struct pull_job {
	char *name, *auth;
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
	free(j);
}

/* One JSON message; once the client is gone nothing more is sent. */
static void send_msg(struct pull_job *j, struct jwriter *doc)
{
	_cleanup_jw_ struct jwriter *d = doc;
	_cleanup_free_ char *s = jw_to_string(d, false);

	if (!s || j->write_error)
		return;
	if ((j->write_error = api_stream_write(j->st, s, strlen(s))) == 0)
		j->write_error = api_stream_write(j->st, "\r\n", 2);
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
	[PULL_LAYER_MOUNTED] = "Mounted from",
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
	struct jwriter *doc = jw_object(), *detail = jw_object();

	jw_str(detail, "message", msg);
	jw_put(doc, "errorDetail", detail);
	jw_str(doc, "error", msg);
	send_msg(j, doc);
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

static int stream_pull(struct api_stream *st)
{
	struct pull_job *j = st->data;
	_cleanup_(image_ref_done) struct image_ref ref = {0};
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_free_ char *from = NULL;
	const struct registry_opts o = {.tls_verify = true,
					.debug = st->ctx.debug,
					.auth_file = j->auth,
					.config = st->ctx.registries};
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

int api_image_pull(struct api_req *r)
{
	_cleanup_berr_ struct berr *err = NULL;
	struct pull_job *j = calloc(1, sizeof(*j));
	int ret;

	if (!j)
		return -ENOMEM;
	if ((ret = pull_name(r, &j->name, &err)) < 0)
		ret = api_reply_berr(r, ret, err);
	else if (!berth_store(r->ctx))
		ret = api_reply_error(r, 500, "cannot open the image store under '%s'",
				      r->ctx->root);
	else if (berth_load_registries(r->ctx) < 0)
		ret = api_reply_error(r, 500, "cannot load the registry configuration");
	else if (!(j->auth = berth_auth_file(r->ctx)))
		ret = -ENOMEM;
	else
		return api_stream_reply(r, "application/json", stream_pull, j, pull_job_free);
	pull_job_free(j);
	return ret;
}
