/* SPDX-License-Identifier: Apache-2.0 */
#include "image/image_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "image/digest.h"
#include "image/manifest.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

#define CONFIG_MAX_HISTORY 10000

struct image_config *image_config_free(struct image_config *c)
{
	if (!c)
		return NULL;
	free(c->architecture);
	free(c->os);
	free(c->variant);
	free(c->created);
	free(c->author);
	strv_free(c->diff_ids);
	for (size_t i = 0; c->history && i < c->n_history; i++) {
		free(c->history[i].created);
		free(c->history[i].created_by);
		free(c->history[i].author);
		free(c->history[i].comment);
	}
	free(c->history);
	free(c->user);
	free(c->working_dir);
	free(c->stop_signal);
	strv_free(c->env);
	strv_free(c->entrypoint);
	strv_free(c->cmd);
	jdoc_free(c->doc);
	free(c);
	return NULL;
}

static int parse_rootfs(const struct jnode *root, struct image_config *c, struct berr **err)
{
	_cleanup_free_ char *type = NULL;
	struct jnode rn, dn;
	int r;

	jnode_member(root, "rootfs", &rn);
	if (!jnode_present(&rn))
		return berr_set(err, EINVAL, "rootfs is required");
	r = jnode_expect_object(&rn, err);
	if (r < 0)
		return r;
	r = jnode_get_string(&rn, "type", &type, err);
	if (r < 0)
		return r;
	if (!type || strcmp(type, "layers") != 0)
		return berr_set(err, EINVAL, "rootfs.type: must be 'layers'");
	jnode_member(&rn, "diff_ids", &dn);
	if (!jnode_present(&dn))
		return berr_set(err, EINVAL, "rootfs.diff_ids is required");
	if (jnode_is_array(&dn) && jnode_array_len(&dn) > MANIFEST_MAX_LAYERS)
		return jnode_err(&dn, err, E2BIG, "more than %d layers", MANIFEST_MAX_LAYERS);
	r = jnode_strv(&dn, &c->diff_ids, err);
	if (r < 0)
		return r;
	if (!c->diff_ids && !(c->diff_ids = calloc(1, sizeof(char *))))
		return -ENOMEM;
	c->n_diff_ids = strv_length(c->diff_ids);
	for (size_t i = 0; i < c->n_diff_ids; i++)
		if (digest_validate(c->diff_ids[i], NULL) < 0)
			return berr_set(err, EINVAL, "rootfs.diff_ids[%zu]: invalid digest '%s'", i,
					c->diff_ids[i]);
	return 0;
}

static int parse_history_entry(const struct jnode *e, struct image_history *h, struct berr **err)
{
	int r;

	r = jnode_expect_object(e, err);
	if (r >= 0)
		r = jnode_get_string(e, "created", &h->created, err);
	if (r >= 0)
		r = jnode_get_string(e, "created_by", &h->created_by, err);
	if (r >= 0)
		r = jnode_get_string(e, "author", &h->author, err);
	if (r >= 0)
		r = jnode_get_string(e, "comment", &h->comment, err);
	if (r >= 0)
		r = jnode_get_bool(e, "empty_layer", &h->empty_layer, err);
	return r < 0 ? r : 0;
}

static int parse_history(const struct jnode *root, struct image_config *c, struct berr **err)
{
	struct jnode hn;
	size_t n;
	int r;

	jnode_member(root, "history", &hn);
	r = jnode_expect_array(&hn, err);
	if (r < 0 || !jnode_present(&hn))
		return r;
	n = jnode_array_len(&hn);
	if (n > CONFIG_MAX_HISTORY)
		return jnode_err(&hn, err, E2BIG, "more than %d entries", CONFIG_MAX_HISTORY);
	c->history = calloc(n ? n : 1, sizeof(*c->history));
	if (!c->history)
		return -ENOMEM;
	c->n_history = n;
	for (size_t i = 0; i < n; i++) {
		struct jnode e;

		jnode_array_at(&hn, i, &e);
		r = parse_history_entry(&e, &c->history[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_run_config(const struct jnode *root, struct image_config *c, struct berr **err)
{
	struct jnode cn;
	int r;

	jnode_member(root, "config", &cn);
	r = jnode_expect_object(&cn, err);
	if (r < 0 || !jnode_present(&cn))
		return r;
	r = jnode_get_string(&cn, "User", &c->user, err);
	if (r >= 0)
		r = jnode_get_string(&cn, "WorkingDir", &c->working_dir, err);
	if (r >= 0)
		r = jnode_get_string(&cn, "StopSignal", &c->stop_signal, err);
	if (r >= 0)
		r = jnode_get_strv(&cn, "Env", &c->env, err);
	if (r >= 0)
		r = jnode_get_strv(&cn, "Entrypoint", &c->entrypoint, err);
	if (r >= 0)
		r = jnode_get_strv(&cn, "Cmd", &c->cmd, err);
	return r < 0 ? r : 0;
}

static int parse_top(const struct jnode *root, struct image_config *c, struct berr **err)
{
	int r;

	r = jnode_expect_object(root, err);
	if (r < 0)
		return r;
	if (!jnode_present(root))
		return berr_set(err, EINVAL, "must be an object");
	r = jnode_get_string(root, "architecture", &c->architecture, err);
	if (r >= 0)
		r = jnode_get_string(root, "os", &c->os, err);
	if (r >= 0)
		r = jnode_get_string(root, "variant", &c->variant, err);
	if (r >= 0)
		r = jnode_get_string(root, "created", &c->created, err);
	if (r >= 0)
		r = jnode_get_string(root, "author", &c->author, err);
	if (r >= 0)
		r = parse_rootfs(root, c, err);
	if (r >= 0)
		r = parse_history(root, c, err);
	if (r >= 0)
		r = parse_run_config(root, c, err);
	return r < 0 ? r : 0;
}

int image_config_parse(const char *buf, size_t len, struct image_config **ret, struct berr **err)
{
	_cleanup_image_config_ struct image_config *c = NULL;
	struct jnode root;
	int r;

	if (len > MANIFEST_MAX_SIZE)
		return berr_set(err, EFBIG, "image config larger than %u bytes", MANIFEST_MAX_SIZE);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	r = jdoc_parse(buf, len, "image config", &c->doc, err);
	if (r < 0)
		return r;
	jdoc_root(c->doc, &root);
	r = parse_top(&root, c, err);
	if (r < 0)
		return r == -ENOMEM ? r : berr_wrap(err, "image config");
	*ret = TAKE_PTR(c);
	return 0;
}

void image_config_run_node(const struct image_config *c, struct jnode *ret)
{
	struct jnode root;

	jdoc_root(c->doc, &root);
	jnode_member(&root, "config", ret);
}

static struct jwriter *strv_json(char *const *v)
{
	struct jwriter *a = jw_array();

	STRV_FOREACH (s, v)
		jw_append_str(a, *s);
	return a;
}

/* {"80/tcp": {}, ...}: docker's sets (ExposedPorts, Volumes). */
static struct jwriter *set_json(char *const *v)
{
	struct jwriter *o = jw_object();

	STRV_FOREACH (s, v)
		jw_put(o, *s, jw_object());
	return o;
}

/* {"k": "v", ...} of "k=v" strings. */
static struct jwriter *map_json(char *const *v)
{
	struct jwriter *o = jw_object();

	STRV_FOREACH (s, v) {
		_cleanup_free_ char *k = strndup(*s, strcspn(*s, "="));

		if (k)
			jw_str(o, k, *s + strlen(k) + ((*s)[strlen(k)] == '='));
	}
	return o;
}

/* The changes' parts of config.config (import --change). */
static void build_extras(struct jwriter *cfg, const struct image_config_spec *s)
{
	if (s->exposed)
		jw_put(cfg, "ExposedPorts", set_json(s->exposed));
	if (s->volumes)
		jw_put(cfg, "Volumes", set_json(s->volumes));
	if (s->labels)
		jw_put(cfg, "Labels", map_json(s->labels));
	if (s->onbuild)
		jw_put(cfg, "OnBuild", strv_json(s->onbuild));
	if (s->health && s->health->test)
		jw_put(cfg, "Healthcheck", image_health_json(s->health));
	jw_str(cfg, "StopSignal", s->stop_signal);
}

char *image_config_build(const struct image_config_spec *s)
{
	_cleanup_jw_ struct jwriter *w = jw_object();
	struct jwriter *cfg = jw_object(), *rootfs = jw_object(), *ids = jw_array();
	struct jwriter *hist = jw_array(), *h = jw_object();

	jw_str(w, "created", s->created);
	jw_str(w, "architecture", s->architecture);
	jw_str(w, "os", s->os);
	jw_str(w, "variant", s->variant);
	if (s->env)
		jw_put(cfg, "Env", strv_json(s->env));
	if (s->entrypoint)
		jw_put(cfg, "Entrypoint", strv_json(s->entrypoint));
	if (s->cmd)
		jw_put(cfg, "Cmd", strv_json(s->cmd));
	jw_str(cfg, "WorkingDir", s->working_dir);
	jw_str(cfg, "User", s->user);
	build_extras(cfg, s);
	jw_put(w, "config", cfg);
	jw_str(rootfs, "type", "layers");
	jw_append_str(ids, s->diff_id);
	jw_put(rootfs, "diff_ids", ids);
	jw_put(w, "rootfs", rootfs);
	jw_str(h, "created", s->created);
	jw_str(h, "created_by", s->created_by);
	jw_str(h, "comment", s->comment);
	jw_put(hist, NULL, h);
	jw_put(w, "history", hist);
	return jw_to_string(w, false);
}
