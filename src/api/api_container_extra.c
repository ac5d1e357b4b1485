/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rename, update, pause, unpause, resize, top, changes and prune of containers: the
 * engine calls of `berth rename`, `update`, `pause`, `top`, `diff` and `container prune`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "api/api_internal.h"
#include "cli/attach.h"
#include "engine/container_diff.h"
#include "engine/container_ops.h"
#include "engine/container_prune.h"
#include "engine/container_runtime.h"
#include "engine/container_top.h"
#include "engine/container_update.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

int api_container_rename(struct api_req *r)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	const char *name = api_query(r, "name");
	int ret;

	if (!name || !*name)
		return api_reply_error(r, 400, "Neither old nor new names may be empty");
	if (api_container_open(r, false, &c) < 0)
		return 0;
	if ((ret = container_rename(r->ctx->engine, c, name, &err)) < 0)
		return api_reply_berr(r, ret, err);
	return api_reply_empty(r, 204);
}

/* What the flags of an update point into. */
struct update_body {
	struct container_flags f;
	char num[10][32];
	char *strs[2];
};

static void update_body_done(struct update_body *b)
{
	free(b->strs[0]);
	free(b->strs[1]);
}

/* An integer member, as the flag's text; docker's 0 (its "unset") leaves the flag NULL. */
static int int_field(const struct jnode *o, const char *key, char *buf, const char **flag,
		     struct berr **err)
{
	int64_t v = 0;
	int r = jnode_get_int64(o, key, &v, err);

	if (r <= 0 || v == 0)
		return r;
	snprintf(buf, 32, "%lld", (long long) v);
	*flag = buf;
	return 0;
}

static int str_field(const struct jnode *o, const char *key, char **owned, const char **flag,
		     struct berr **err)
{
	int r = jnode_get_string(o, key, owned, err);

	if (r > 0 && **owned)
		*flag = *owned;
	return r < 0 ? r : 0;
}

/* NanoCpus as --cpus's decimal text; PidsLimit counts when present (0 and -1: unlimited). */
static int cpu_and_pids(const struct jnode *o, struct update_body *b, struct berr **err)
{
	int64_t nano = 0, pids = 0;
	int r;

	if ((r = jnode_get_int64(o, "NanoCpus", &nano, err)) < 0 ||
	    (r = jnode_get_int64(o, "PidsLimit", &pids, err)) < 0)
		return r;
	if (nano < 0)
		return berr_set(err, EINVAL, "Range of CPUs is from 0.01 to the number of CPUs");
	if (nano > 0) {
		snprintf(b->num[7], 32, "%lld.%09lld", (long long) (nano / 1000000000),
			 (long long) (nano % 1000000000));
		b->f.cpus = b->num[7];
	}
	if (r > 0) {
		snprintf(b->num[8], 32, "%lld", (long long) pids);
		b->f.pids_limit = b->num[8];
	}
	return 0;
}

/* docker's UpdateConfig (Resources and RestartPolicy) into the flags `berth update` takes. */
static int update_flags(struct api_req *r, struct update_body *b, struct berr **err)
{
	_cleanup_(jdoc_freep) struct jdoc *doc = NULL;
	struct container_flags *f = &b->f;
	struct jnode o;
	int ret;

	if ((ret = jdoc_parse(r->body_len ? r->body : "{}", r->body_len ? r->body_len : 2, "body",
			      &doc, err)) < 0)
		return ret;
	jdoc_root(doc, &o);
	if ((ret = jnode_expect_object(&o, err)) < 0 ||
	    (ret = int_field(&o, "Memory", b->num[0], &f->memory, err)) < 0 ||
	    (ret = int_field(&o, "MemorySwap", b->num[1], &f->memory_swap, err)) < 0 ||
	    (ret = int_field(&o, "MemoryReservation", b->num[2], &f->memory_reservation, err)) <
		    0 ||
	    (ret = int_field(&o, "CpuShares", b->num[3], &f->cpu_shares, err)) < 0 ||
	    (ret = int_field(&o, "CpuPeriod", b->num[4], &f->cpu_period, err)) < 0 ||
	    (ret = int_field(&o, "CpuQuota", b->num[5], &f->cpu_quota, err)) < 0 ||
	    (ret = int_field(&o, "BlkioWeight", b->num[6], &f->blkio_weight, err)) < 0 ||
	    (ret = str_field(&o, "CpusetCpus", &b->strs[0], &f->cpuset_cpus, err)) < 0 ||
	    (ret = str_field(&o, "CpusetMems", &b->strs[1], &f->cpuset_mems, err)) < 0 ||
	    (ret = cpu_and_pids(&o, b, err)) < 0)
		return ret;
	return api_restart_policy(&o, b->num[9], sizeof(b->num[9]), &f->restart, err);
}

int api_container_update(struct api_req *r)
{
	_cleanup_(update_body_done) struct update_body b = {0};
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_strv_ char **warnings = NULL;
	_cleanup_jw_ struct jwriter *out = jw_object(), *w = jw_array();
	const struct container_flags *f = &b.f;
	struct container_update u = {0};
	int ret;

	if ((ret = update_flags(r, &b, &err)) < 0)
		return api_reply_berr(r, EINVAL, err);
	/* an update that sets nothing changes nothing (dockerd's), where the CLI refuses */
	if ((f->memory || f->memory_swap || f->memory_reservation || f->cpu_shares ||
	     f->cpu_period || f->cpu_quota || f->blkio_weight || f->cpuset_cpus || f->cpuset_mems ||
	     f->cpus || f->pids_limit || f->restart) &&
	    (ret = container_update_parse(f, &u, &err)) < 0)
		return api_reply_berr(r, ret, err);
	if (api_container_open(r, false, &c) < 0)
		return 0;
	if (u.set && (ret = container_update(r->ctx->engine, c, &u, &warnings, &err)) < 0)
		return api_reply_berr(r, ret, err);
	STRV_FOREACH (x, warnings)
		jw_append_str(w, *x);
	jw_put(out, "Warnings", TAKE_PTR(w));
	return api_reply_json(r, 200, out);
}

/* pause (pause true) or unpause, refused as dockerd refuses them (409) */
static int pause_or_unpause(struct api_req *r, bool pause)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	int ret;

	if (api_container_open(r, false, &c) < 0)
		return 0;
	(void) container_refresh(r->ctx->engine, c, NULL);
	if (pause && c->st.status == STATUS_PAUSED)
		return api_reply_error(r, 409, "Container %s is already paused", c->cfg->id);
	if (c->st.status != STATUS_RUNNING && c->st.status != STATUS_PAUSED)
		return api_reply_error(r, 409, "Container %s is not running", c->cfg->id);
	if (!pause && c->st.status != STATUS_PAUSED)
		return api_reply_error(r, 409, "Container %s is not paused", c->cfg->id);
	if ((ret = container_pause(r->ctx->engine, c, pause, &err)) < 0)
		return api_reply_berr(r, ret, err);
	return api_reply_empty(r, 204);
}

int api_container_pause(struct api_req *r)
{
	return pause_or_unpause(r, true);
}

int api_container_unpause(struct api_req *r)
{
	return pause_or_unpause(r, false);
}

/* A running container: opened, refreshed, unlocked; replies 409 when it does not run. */
static int open_running(struct api_req *r, struct container **ret)
{
	_cleanup_container_ struct container *c = NULL;

	if (api_container_open(r, false, &c) < 0)
		return -ENOENT;
	(void) container_refresh(r->ctx->engine, c, NULL);
	container_unlock(c);
	if (c->st.status != STATUS_RUNNING && c->st.status != STATUS_PAUSED) {
		api_reply_error(r, 409, "Container %s is not running", c->cfg->id);
		return -ESRCH;
	}
	*ret = TAKE_PTR(c);
	return 0;
}

/* The tty of a running container, resized through its monitor's pty master (attach's). */
int api_container_resize(struct api_req *r)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_close_ int master = -1;
	int64_t h = -1, w = -1;
	struct winsize ws = {0};

	if (api_query_int(r, "h", 0, UINT16_MAX, &h) < 0 ||
	    api_query_int(r, "w", 0, UINT16_MAX, &w) < 0)
		return 0;
	if (h < 0 || w < 0)
		return api_reply_error(r, 400, "h and w are required");
	if (open_running(r, &c) < 0)
		return 0;
	if (!c->cfg->tty)
		return api_reply_error(r, 409, "Container %s has no tty", c->cfg->id);
	if ((master = attach_console_master(r->ctx->engine, c->cfg->id)) < 0)
		return api_reply_error(r, 500, "cannot resize the tty of %s: %s", c->cfg->id,
				       strerror(-master));
	ws.ws_row = (unsigned short) h;
	ws.ws_col = (unsigned short) w;
	if (ioctl(master, TIOCSWINSZ, &ws) < 0)
		return api_reply_error(r, 500, "cannot resize the tty of %s: %m", c->cfg->id);
	return api_reply_empty(r, 200);
}

/* One line of ps as docker's API splits it: len(titles) fields, the last one the rest. */
static struct jwriter *process_row(const char *line, size_t ntitles)
{
	struct jwriter *row = jw_array();
	const char *p = line;

	for (size_t i = 0; i < ntitles && *p; i++) {
		_cleanup_free_ char *f = NULL;
		size_t len;

		p += strspn(p, " \t");
		len = i + 1 == ntitles ? strlen(p) : strcspn(p, " \t");
		f = strndup(p, len);
		jw_append_str(row, f ? f : "");
		p += len;
	}
	return row;
}

int api_container_top(struct api_req *r)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_strv_ char **args = NULL, **lines = NULL, **titles = NULL;
	_cleanup_jw_ struct jwriter *out = jw_object(), *t = jw_array(), *procs = jw_array();
	const char *ps_args = api_query(r, "ps_args");
	size_t n = 0;
	int ret;

	if (ps_args && *ps_args && !(args = strv_split(ps_args, " ")))
		return -ENOMEM;
	if (open_running(r, &c) < 0)
		return 0;
	if ((ret = container_top(r->ctx->engine, c, args, &lines, &err)) < 0)
		return api_reply_berr(r, ret == -EINVAL ? -EIO : ret, err);
	titles = strv_split(lines[0], " ");
	STRV_FOREACH (x, titles)
		if (**x) {
			jw_append_str(t, *x);
			n++;
		}
	STRV_FOREACH (l, lines + 1)
		jw_put(procs, NULL, process_row(*l, n));
	jw_put(out, "Titles", TAKE_PTR(t));
	jw_put(out, "Processes", TAKE_PTR(procs));
	return api_reply_json(r, 200, out);
}

/* docker's change kinds: 0 modified, 1 added, 2 deleted (container_diff's C, A, D) */
static int change_kind(char k)
{
	return k == 'A' ? 1 : k == 'D' ? 2 : 0;
}

int api_container_changes(struct api_req *r)
{
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_free_ char *id = NULL;
	_cleanup_strv_ char **lines = NULL;
	_cleanup_jw_ struct jwriter *out = jw_array();
	struct image_store *s;
	int ret;

	if (!berth_engine(r->ctx) || !(s = berth_store(r->ctx)))
		return api_reply_error(r, 500, "cannot open the engine under '%s'", r->ctx->root);
	if ((ret = container_resolve(r->ctx->engine, r->parts[1], &id, &err)) == -ENOENT)
		return api_reply_error(r, 404, "No such container: %s", r->parts[1]);
	if (ret < 0 || (ret = container_diff(s, id, &lines, &err)) < 0)
		return api_reply_berr(r, ret, err);
	STRV_FOREACH (l, lines) {
		struct jwriter *o = jw_object();

		jw_str(o, "Path", strlen(*l) > 2 ? *l + 2 : "");
		jw_int(o, "Kind", change_kind(**l));
		jw_put(out, NULL, o);
	}
	return api_reply_json(r, 200, out);
}

int api_containers_prune(struct api_req *r)
{
	_cleanup_(container_prune_filter_done) struct prune_filter pf = {0};
	_cleanup_strv_ char **filters = NULL, **ids = NULL, **errors = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_jw_ struct jwriter *out = jw_object(), *deleted = jw_array();
	struct image_store *s;
	uint64_t bytes = 0;
	int ret;

	if ((ret = api_filters_parse(api_query(r, "filters"), &filters, &err)) < 0 ||
	    (ret = container_prune_filter_parse(filters, &pf, &err)) < 0)
		return api_reply_berr(r, EINVAL, err);
	if (!berth_engine(r->ctx) || !(s = berth_store(r->ctx)))
		return api_reply_error(r, 500, "cannot open the engine under '%s'", r->ctx->root);
	if ((ret = container_prune(r->ctx->engine, s, &pf, &ids, &bytes, &errors)) < 0)
		return ret;
	if (errors && *errors)
		return api_reply_error(r, 500, "%s", *errors);
	STRV_FOREACH (id, ids)
		jw_append_str(deleted, *id);
	if (ids && *ids)
		jw_put(out, "ContainersDeleted", TAKE_PTR(deleted));
	else
		jw_null(out, "ContainersDeleted");
	jw_uint(out, "SpaceReclaimed", bytes);
	return api_reply_json(r, 200, out);
}
