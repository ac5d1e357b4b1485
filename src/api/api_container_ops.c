/* SPDX-License-Identifier: Apache-2.0 */
/* start, stop, restart, kill and DELETE of one container: the CLI's engine calls. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

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

	if (!api_engine(r))
		return -EIO;
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

	int attach_fd;

	if (api_container_open(r, false, &c) < 0)
		return 0;
	if (container_active(c))
		return api_reply_empty(r, 304);
	/* a client attached before the start is the new monitor's first (api_attach.c) */
	attach_fd = api_attach_take(c->cfg->id);
	ret = berth_start_container(r->ctx, c, attach_fd, false, &err);
	if (attach_fd >= 0)
		(void) close(attach_fd);
	if (ret < 0)
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
