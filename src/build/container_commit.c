/* SPDX-License-Identifier: Apache-2.0 */
#include "build/container_commit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "build/commit.h"
#include "build/instruction.h"
#include "build/run_config.h"
#include "engine/container_ops.h"
#include "engine/userns.h"
#include "image/snapshot.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

static int replace_strv(char ***dst, char *const *src)
{
	char **v;

	if (!src)
		return 0;
	v = strv_copy(src);
	if (!v)
		return -ENOMEM;
	strv_free(*dst);
	*dst = v;
	return 0;
}

static int replace_str(char **dst, const char *src)
{
	char *v;

	if (!src)
		return 0;
	v = strdup(src);
	if (!v)
		return -ENOMEM;
	free(*dst);
	*dst = v;
	return 0;
}

/* The image's defaults overridden by what the container was created with (as docker). */
static int container_run_config(const struct image *img, const struct container_config *cc,
				struct run_config *rc, struct berr **err)
{
	int r = run_config_from_image(img, rc, err);

	if (r < 0)
		return r;
	if (replace_strv(&rc->env, cc->env) < 0 || replace_strv(&rc->cmd, cc->cmd) < 0 ||
	    replace_strv(&rc->entrypoint, cc->entrypoint) < 0 ||
	    replace_str(&rc->user, cc->user) < 0 ||
	    replace_str(&rc->working_dir, cc->working_dir) < 0 ||
	    replace_str(&rc->stop_signal, cc->stop_signal) < 0)
		return -ENOMEM;
	STRV_FOREACH (l, cc->labels) {
		const char *eq = strchr(*l, '=');
		_cleanup_free_ char *k = strndup(*l, eq ? (size_t) (eq - *l) : strlen(*l));

		if (!k || run_config_set_kv(&rc->labels, k, eq ? eq + 1 : "") < 0)
			return -ENOMEM;
	}
	return 0;
}

static int apply_changes(char *const *changes, struct run_config *rc, struct berr **err)
{
	STRV_FOREACH (c, changes) {
		int r = instruction_apply_change(*c, rc, err);

		if (r < 0)
			return berr_wrap(err, "--change '%s'", *c);
	}
	return 0;
}

static int load_image(struct image_store *s, const char *id, struct image **ret, struct berr **err)
{
	_cleanup_image_list_ struct image_list *l = NULL;
	int r = image_list_load(s, &l, err), i;

	if (r < 0)
		return r;
	i = image_list_find_id(l, id);
	if (i < 0)
		return berr_set(err, ENOENT, "the container's image %s is gone", id);
	return image_load(s, &l->v[i], ret, err);
}

static int commit_snapshot(struct image_store *s, const struct container *c,
			   const struct container_commit_opts *o, char ret_id[DIGEST_MAX],
			   struct berr **err)
{
	_cleanup_free_ char *image_id = NULL;
	_cleanup_image_ struct image *img = NULL;
	_cleanup_(run_config_done) struct run_config rc = {0};
	_cleanup_close_ int upperfd = -1;
	char upper[PATH_MAX], created_by[64];
	char *names[] = {(char *) o->name, NULL};
	struct layer_idmap ids = {.uid_map = c->cfg->uid_map, .gid_map = c->cfg->gid_map};
	int r;

	if ((r = image_snapshot_image(s, c->cfg->id, &image_id, err)) < 0 ||
	    (r = load_image(s, image_id, &img, err)) < 0 ||
	    (r = container_run_config(img, c->cfg, &rc, err)) < 0 ||
	    (r = apply_changes(o->changes, &rc, err)) < 0)
		return r;
	if ((r = image_snapshot_upper(s, c->cfg->id, upper, sizeof(upper))) < 0)
		return berr_sys(err, -r, "the container's snapshot");
	upperfd = open(upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (upperfd < 0)
		return berr_sys(err, errno, "cannot open '%s'", upper);
	snprintf(created_by, sizeof(created_by), "berth commit %.12s", c->cfg->id);
	return image_commit(s,
			    &(struct commit_opts){.parent = img,
						  .upperfd = upperfd,
						  .ids = userns_enabled(c->cfg) ? &ids : NULL,
						  .config = &rc,
						  .created_by = created_by,
						  .comment = o->comment,
						  .author = o->author,
						  .names = o->name ? names : NULL},
			    ret_id, err);
}

int container_commit(struct engine *e, struct image_store *s, const char *ref,
		     const struct container_commit_opts *o, char ret_id[DIGEST_MAX],
		     struct berr **err)
{
	_cleanup_container_ struct container *c = NULL;
	bool paused = false;
	int r = container_open(e, ref, true, &c, err);

	if (r < 0)
		return r;
	if (o->pause && container_active(c) && c->st.status == STATUS_RUNNING) {
		r = container_pause(e, c, true, err);
		if (r < 0)
			return r;
		paused = true;
	}
	r = commit_snapshot(s, c, o, ret_id, err);
	if (paused) {
		struct berr *e2 = NULL;
		int r2 = container_pause(e, c, false, r < 0 ? &e2 : err);

		berr_free(e2);
		if (r >= 0 && r2 < 0)
			r = r2;
	}
	return r;
}
