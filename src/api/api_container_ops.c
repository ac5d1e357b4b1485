/* SPDX-License-Identifier: Apache-2.0 */
/* start, stop, restart, kill, wait and DELETE of one container: the CLI's engine calls. */
#include <errno.h>
#include <string.h>

#include "api/api_internal.h"
#include "cli/berth_container.h"
#include "engine/container_ops.h"
#include "engine/events.h"
#include "engine/units.h"
#include "lib/cleanup.h"

int api_container_open(struct api_req *r, bool any, struct container **ret)
{
	_cleanup_berr_ struct berr *err = NULL;
	int ret_r;

	if (!berth_engine(r->ctx)) {
		api_reply_error(r, 500, "cannot open the engine under '%s'", r->ctx->root);
		return -EIO;
	}
	ret_r = any ? container_open_any(r->ctx->engine, r->parts[1], true, ret, &err)
		    : container_open(r->ctx->engine, r->parts[1], true, ret, &err);
	if (ret_r == -ENOENT) {
		api_reply_error(r, 404, "No such container: %s", r->parts[1]);
		return ret_r;
	}
	if (ret_r < 0)
		api_reply_berr(r, ret_r, err);
	return ret_r;
}

int api_container_start(struct api_req *r)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	int ret;

	if (api_container_open(r, false, &c) < 0)
		return 0;
	if (container_active(c))
		return api_reply_empty(r, 304);
	if ((ret = berth_start_container(r->ctx, c, -1, false, &err)) < 0)
		return api_reply_berr(r, ret, err);
	return api_reply_empty(r, 204);
}

/* ?t=: seconds before SIGKILL; -1 (absent) is the container's own stop timeout */
static int stop_timeout(struct api_req *r, int64_t *t)
{
	*t = -1;
	return api_query_int(r, "t", -1, INT32_MAX, t);
}

int api_container_stop(struct api_req *r)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	int64_t t;
	int ret;

	if (stop_timeout(r, &t) < 0 || api_container_open(r, false, &c) < 0)
		return 0;
	if (!container_active(c))
		return api_reply_empty(r, 304);
	if ((ret = container_stop(r->ctx->engine, c, t, &err)) < 0)
		return api_reply_berr(r, ret, err);
	return api_reply_empty(r, 204);
}

int api_container_restart(struct api_req *r)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	int64_t t;
	int ret;

	if (stop_timeout(r, &t) < 0 || api_container_open(r, false, &c) < 0)
		return 0;
	if ((ret = container_stop(r->ctx->engine, c, t, &err)) < 0 ||
	    (ret = berth_start_container(r->ctx, c, -1, false, &err)) < 0)
		return api_reply_berr(r, ret, err);
	(void) events_container(r->ctx->engine->root, c->cfg, "restart", NULL, NULL);
	return api_reply_empty(r, 204);
}

int api_container_kill(struct api_req *r)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	const char *sig_s = api_query(r, "signal");
	int sig, ret;

	if (units_parse_signal(sig_s && *sig_s ? sig_s : "KILL", &sig, &err) < 0)
		return api_reply_berr(r, EINVAL, err);
	if (api_container_open(r, false, &c) < 0)
		return 0;
	if (!container_active(c))
		return api_reply_error(r, 409, "Container %s is not running", r->parts[1]);
	if ((ret = container_kill(r->ctx->engine, c, sig, &err)) < 0)
		return api_reply_berr(r, ret, err);
	return api_reply_empty(r, 204);
}

/*
 * ?condition=not-running (default) or next-exit: both wait for the next exit of a running
 * container; not-running answers at once for one that is not running. removed is refused.
 */
int api_container_wait(struct api_req *r)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_jw_ struct jwriter *out = jw_object();
	const char *cond = api_query(r, "condition");
	int ret;

	if (cond && *cond && strcmp(cond, "not-running") != 0 && strcmp(cond, "next-exit") != 0)
		return api_reply_error(r, 400, "invalid condition: '%s'", cond);
	if (api_container_open(r, false, &c) < 0)
		return 0;
	if ((ret = container_wait_exit(r->ctx->engine, c, -1, &err)) < 0)
		return api_reply_berr(r, ret, err);
	jw_int(out, "StatusCode", c->st.exit_code);
	jw_null(out, "Error");
	return api_reply_json(r, 200, out);
}

int api_container_delete(struct api_req *r)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	bool force = api_query_bool(r, "force"), volumes = api_query_bool(r, "v");
	struct image_store *s;
	int ret;

	if (api_container_open(r, true, &c) < 0)
		return 0;
	if (!(s = berth_store(r->ctx)))
		return api_reply_error(r, 500, "cannot open the image store under '%s'",
				       r->ctx->root);
	if (container_active(c) && !force)
		return api_reply_error(r, 409,
				       "You cannot remove a running container %s. Stop the "
				       "container before attempting removal or force remove",
				       c->cfg->id);
	if ((ret = container_remove(r->ctx->engine, s, c, force, volumes, &err)) < 0)
		return api_reply_berr(r, ret, err);
	return api_reply_empty(r, 204);
}
