/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /build: the body is a tar of the context, unpacked (layer_unpack_archive_fd: no
 * path out of it, no device node) into a private directory that is removed when the
 * reply ends, whatever happens; then `berth build`'s builder (image_build_run() with the
 * runner of berth_build_run.c) in the stream's thread. Its progress lines and the steps'
 * output come as {"stream":"Step 1/3 : FROM busybox\n"}, the result as {"aux":{"ID":
 * "sha256:..."}}, "Successfully built" and "Successfully tagged" lines, a failure as an
 * errorDetail line. The steps' output goes to an unlinked file, sent before each
 * progress line (a step's container has ended by then): in order, never blocking a step.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api_internal.h"
#include "api/api_stream.h"
#include "build/build.h"
#include "cli/berth_build_run.h"
#include "cli/image_events.h"
#include "engine/events.h"
#include "lib/cleanup.h"
#include "lib/rmtree.h"
#include "lib/safe_path.h"
#include "lib/strv.h"

struct build_job {
	struct build_cli bc; /* first: the runner's ud is the job */
	struct api_stream *st;
	char *context;	/* the unpacked context (removed with the job) */
	int dockerfile; /* opened inside the context, read through /proc/self/fd */
	char **tags, **args;
	char *target, *cgroup_parent;
	bool no_cache;
	off_t sent; /* the steps' output (in bc.out_fd) sent so far */
	int write_error;
};

static void build_job_free(void *data)
{
	struct build_job *j = data;

	if (!j)
		return;
	if (j->context)
		(void) rm_rf_at(AT_FDCWD, j->context);
	free(j->context);
	if (j->dockerfile >= 0)
		(void) close(j->dockerfile);
	if (j->bc.out_fd > 0)
		(void) close(j->bc.out_fd);
	strv_free(j->tags);
	strv_free(j->args);
	free(j->target);
	free(j->cgroup_parent);
	free(j);
}

static void send_doc(struct build_job *j, struct jwriter *doc)
{
	if (j->write_error)
		jw_free(doc);
	else
		j->write_error = api_stream_json(j->st, doc);
}

static void send_stream(struct build_job *j, const char *text, size_t len)
{
	_cleanup_free_ char *s = strndup(text, len);
	struct jwriter *doc;

	if (!s)
		return;
	doc = jw_object();
	jw_str(doc, "stream", s);
	send_doc(j, doc);
}

/* What the steps wrote since the last call. */
static void send_output(struct build_job *j)
{
	char buf[16384];
	ssize_t n;

	while (!j->bc.quiet && j->bc.out_fd > 0 &&
	       (n = pread(j->bc.out_fd, buf, sizeof(buf), j->sent)) > 0) {
		send_stream(j, buf, (size_t) n);
		j->sent += n;
	}
}

static void on_progress(void *ud, const char *line)
{
	struct build_job *j = ud;
	_cleanup_free_ char *s = NULL;

	send_output(j);
	if (asprintf(&s, "%s\n", line) >= 0)
		send_stream(j, s, strlen(s));
}

static void send_result(struct build_job *j, const char *id)
{
	struct jwriter *doc = jw_object(), *aux = jw_object();
	_cleanup_free_ char *line = NULL;

	jw_str(aux, "ID", id);
	jw_put(doc, "aux", aux);
	send_doc(j, doc);
	if (j->bc.quiet) {
		if (asprintf(&line, "%s\n", id) >= 0)
			send_stream(j, line, strlen(line));
		return;
	}
	if (asprintf(&line, "Successfully built %.12s\n", strchr(id, ':') + 1) >= 0)
		send_stream(j, line, strlen(line));
	STRV_FOREACH (t, j->tags) {
		_cleanup_free_ char *tagged = NULL;

		if (asprintf(&tagged, "Successfully tagged %s%s\n", *t, build_tag_suffix(*t)) >= 0)
			send_stream(j, tagged, strlen(tagged));
	}
}

static int stream_build(struct api_stream *st)
{
	struct build_job *j = st->data;
	_cleanup_berr_ struct berr *err = NULL;
	char df[32], id[DIGEST_MAX];
	struct build_opts o = {.context = j->context,
			       .dockerfile = fd_proc_path(j->dockerfile, df),
			       .tags = j->tags,
			       .build_args = j->args,
			       .target = j->target,
			       .no_cache = j->no_cache};
	struct build_runner rn;
	int r;

	j->st = st;
	j->bc.root = st->ctx.root;
	berth_build_reap(&st->ctx);
	berth_build_runner(&j->bc, &rn);
	rn.ud = j;
	if (!j->bc.quiet)
		rn.progress = on_progress;
	r = image_build_run(st->ctx.store, &o, &rn, id, &err);
	send_output(j);
	if (r < 0) {
		send_doc(j, api_error_doc(err ? err->msg : "build failed"));
		return r;
	}
	send_result(j, id);
	STRV_FOREACH (t, j->tags) {
		_cleanup_free_ char *name = image_events_familiar(*t);

		if (name)
			image_events_ref(st->ctx.root, st->ctx.store, "tag", name);
	}
	return 0;
}

/* buildargs={"K":"V"} as "K=V" entries */
static int build_args(struct api_req *r, char ***ret, struct berr **err)
{
	const char *json = api_query(r, "buildargs");
	_cleanup_(jdoc_freep) struct jdoc *doc = NULL;
	_cleanup_free_ char *text = NULL;
	struct jnode root;

	if (!json || !*json)
		return 0;
	/* api_json_kv reads a member: the map wrapped in {"buildargs": ...} */
	if (asprintf(&text, "{\"buildargs\":%s}", json) < 0)
		return -ENOMEM;
	if (jdoc_parse(text, strlen(text), "buildargs", &doc, NULL) < 0)
		return berr_set(err, EINVAL, "failed to parse buildargs: not JSON");
	jdoc_root(doc, &root);
	return api_json_kv(&root, "buildargs", ret, err);
}

/* The query's options into j; -EINVAL with *err for one berth cannot honour. */
static int build_params(struct api_req *r, struct build_job *j, struct berr **err)
{
	const char *target = api_query(r, "target"), *labels = api_query(r, "labels");
	const char *remote = api_query(r, "remote"), *net = api_query(r, "networkmode");
	const char *cgroup = api_query(r, "cgroupparent");
	int k;

	if (remote && *remote)
		return berr_set(err, EINVAL, "remote build contexts are not supported");
	if (labels && *labels && strcmp(labels, "{}") != 0 && strcmp(labels, "null") != 0)
		return berr_set(err, EINVAL, "build labels are not supported");
	if (net && *net && strcmp(net, "default") != 0 && strcmp(net, "none") != 0 &&
	    strcmp(net, "host") != 0)
		return berr_set(err, EINVAL, "networkmode '%s': only none and host are supported",
				net);
	if ((k = build_args(r, &j->args, err)) < 0)
		return k;
	j->tags = api_query_all(r, "t");
	if ((target && *target && !(j->target = strdup(target))) ||
	    (cgroup && *cgroup && !(j->cgroup_parent = strdup(cgroup))))
		return -ENOMEM;
	j->bc.cgroup_parent = j->cgroup_parent;
	j->no_cache = api_query_bool(r, "nocache");
	j->bc.quiet = api_query_bool(r, "q");
	j->bc.network = net && strcmp(net, "host") == 0 ? "host" : "none";
	j->bc.in_service = true;
	return 0;
}

/* The Dockerfile (dockerfile=, default "Dockerfile") opened inside the context. */
static int open_dockerfile(struct api_req *r, struct build_job *j, struct berr **err)
{
	const char *name = api_query(r, "dockerfile");
	_cleanup_close_ int ctxfd = open(j->context, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	if (!name || !*name)
		name = "Dockerfile";
	if (ctxfd < 0)
		return berr_sys(err, errno, "cannot open the build context");
	j->dockerfile = safe_open_in_root(ctxfd, name, O_RDONLY | O_NONBLOCK, 0);
	if (j->dockerfile < 0 || fstat(j->dockerfile, &st) < 0 || !S_ISREG(st.st_mode))
		return berr_set(err, ENOENT, "Cannot locate specified Dockerfile: %s", name);
	return 0;
}

int api_build(struct api_req *r)
{
	_cleanup_berr_ struct berr *err = NULL;
	struct build_job *j;
	int ret;

	if (r->body_fd < 0)
		return -EIO;
	if (!(j = calloc(1, sizeof(*j))))
		return -ENOMEM;
	j->dockerfile = -1;
	if ((ret = build_params(r, j, &err)) < 0 ||
	    (ret = api_unpack_body(r, &j->context, &err)) < 0)
		ret = api_reply_berr(r, EINVAL, err);
	else if ((ret = open_dockerfile(r, j, &err)) < 0)
		ret = api_reply_error(r, 500, "%s", err->msg);
	else if (!berth_store(r->ctx) || !berth_engine(r->ctx))
		ret = api_reply_error(r, 500, "cannot open the engine under '%s'", r->ctx->root);
	else if ((j->bc.out_fd = api_tar_file(&err)) < 0)
		ret = api_reply_berr(r, j->bc.out_fd, err);
	else
		return api_stream_reply(r, "application/json", stream_build, j, build_job_free);
	if (j->bc.out_fd < 0)
		j->bc.out_fd = 0;
	build_job_free(j);
	return ret;
}
