/* SPDX-License-Identifier: Apache-2.0 */
#include "build/run_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/strv.h"

static int collect_kv(const struct jnode *child, void *userdata, struct berr **err)
{
	_cleanup_free_ char *v = NULL;
	int r = jnode_string(child, &v, err);

	if (r < 0)
		return r;
	return run_config_set_kv(userdata, child->key, v ? v : "");
}

static int collect_key(const struct jnode *child, void *userdata, struct berr **err)
{
	(void) err;
	return strv_contains(*(char ***) userdata, child->key)
		       ? 0
		       : strv_push_dup(userdata, child->key);
}

static int read_maps(const struct jnode *cn, struct run_config *rc, struct berr **err)
{
	struct jnode n;
	int r;

	jnode_member(cn, "Labels", &n);
	r = jnode_is_object(&n) ? jnode_foreach_member(&n, collect_kv, &rc->labels, err) : 0;
	jnode_member(cn, "ExposedPorts", &n);
	if (r >= 0 && jnode_is_object(&n))
		r = jnode_foreach_member(&n, collect_key, &rc->ports, err);
	jnode_member(cn, "Volumes", &n);
	if (r >= 0 && jnode_is_object(&n))
		r = jnode_foreach_member(&n, collect_key, &rc->volumes, err);
	return r;
}

int run_config_from_image(const struct image *img, struct run_config *rc, struct berr **err)
{
	const struct image_config *c = img ? img->config : NULL;
	struct jnode root, cn;
	int r;

	*rc = (struct run_config){0};
	if (!c)
		return 0;
	if ((c->user && !(rc->user = strdup(c->user))) ||
	    (c->working_dir && !(rc->working_dir = strdup(c->working_dir))) ||
	    (c->stop_signal && !(rc->stop_signal = strdup(c->stop_signal))) ||
	    (c->env && !(rc->env = strv_copy(c->env))) ||
	    (c->cmd && !(rc->cmd = strv_copy(c->cmd))) ||
	    (c->entrypoint && !(rc->entrypoint = strv_copy(c->entrypoint))))
		return -ENOMEM;
	if (!c->doc)
		return 0;
	jdoc_root(c->doc, &root);
	jnode_member(&root, "config", &cn);
	if (!jnode_is_object(&cn))
		return 0;
	r = jnode_get_strv(&cn, "Shell", &rc->shell, err);
	if (r >= 0)
		r = jnode_get_strv(&cn, "OnBuild", &rc->onbuild, err);
	if (r >= 0) {
		struct jnode hc;

		jnode_member(&cn, "Healthcheck", &hc);
		r = image_health_from_json(&hc, &rc->health, err);
	}
	return r < 0 ? r : read_maps(&cn, rc, err);
}

void run_config_done(struct run_config *rc)
{
	free(rc->user);
	free(rc->working_dir);
	free(rc->stop_signal);
	strv_free(rc->env);
	strv_free(rc->cmd);
	strv_free(rc->entrypoint);
	strv_free(rc->shell);
	strv_free(rc->labels);
	strv_free(rc->ports);
	strv_free(rc->volumes);
	strv_free(rc->onbuild);
	image_health_done(&rc->health);
	*rc = (struct run_config){0};
}

static int dup_str(const char *s, char **ret)
{
	*ret = NULL;
	return s && !(*ret = strdup(s)) ? -ENOMEM : 0;
}

static int dup_strv(char *const *v, char ***ret)
{
	*ret = NULL;
	return v && !(*ret = strv_copy(v)) ? -ENOMEM : 0;
}

int run_config_copy(const struct run_config *from, struct run_config *to)
{
	*to = (struct run_config){0};
	if (dup_str(from->user, &to->user) < 0 ||
	    dup_str(from->working_dir, &to->working_dir) < 0 ||
	    dup_str(from->stop_signal, &to->stop_signal) < 0 || dup_strv(from->env, &to->env) < 0 ||
	    dup_strv(from->cmd, &to->cmd) < 0 || dup_strv(from->entrypoint, &to->entrypoint) < 0 ||
	    dup_strv(from->shell, &to->shell) < 0 || dup_strv(from->labels, &to->labels) < 0 ||
	    dup_strv(from->ports, &to->ports) < 0 || dup_strv(from->volumes, &to->volumes) < 0 ||
	    dup_strv(from->onbuild, &to->onbuild) < 0 ||
	    image_health_copy(&from->health, &to->health) < 0) {
		run_config_done(to);
		return -ENOMEM;
	}
	return 0;
}

int run_config_set_kv(char ***v, const char *key, const char *value)
{
	char *e;
	size_t klen = strlen(key);

	if (asprintf(&e, "%s=%s", key, value) < 0)
		return -ENOMEM;
	for (char **p = *v; p && *p; p++)
		if (strncmp(*p, key, klen) == 0 && (*p)[klen] == '=') {
			free(*p);
			*p = e;
			return 0;
		}
	return strv_consume(v, e);
}

static struct jwriter *strv_json(char *const *v)
{
	struct jwriter *a = jw_array();

	STRV_FOREACH (s, v)
		jw_append_str(a, *s);
	return a;
}

static struct jwriter *set_json(char *const *keys)
{
	struct jwriter *o = jw_object();

	STRV_FOREACH (k, keys)
		jw_put(o, *k, jw_object());
	return o;
}

static struct jwriter *labels_json(char *const *kv)
{
	struct jwriter *o = jw_object();

	STRV_FOREACH (e, kv) {
		const char *eq = strchr(*e, '=');
		_cleanup_free_ char *k = strndup(*e, eq ? (size_t) (eq - *e) : strlen(*e));

		if (k)
			jw_str(o, k, eq ? eq + 1 : "");
	}
	return o;
}

struct jwriter *run_config_json(const struct run_config *rc)
{
	struct jwriter *c = jw_object();

	if (rc->health.test)
		jw_put(c, "Healthcheck", image_health_json(&rc->health));
	jw_str(c, "User", rc->user ? rc->user : "");
	if (rc->ports)
		jw_put(c, "ExposedPorts", set_json(rc->ports));
	if (rc->env)
		jw_put(c, "Env", strv_json(rc->env));
	if (rc->cmd)
		jw_put(c, "Cmd", strv_json(rc->cmd));
	if (rc->volumes)
		jw_put(c, "Volumes", set_json(rc->volumes));
	jw_str(c, "WorkingDir", rc->working_dir ? rc->working_dir : "");
	if (rc->entrypoint)
		jw_put(c, "Entrypoint", strv_json(rc->entrypoint));
	if (rc->onbuild)
		jw_put(c, "OnBuild", strv_json(rc->onbuild));
	if (rc->labels)
		jw_put(c, "Labels", labels_json(rc->labels));
	jw_str(c, "StopSignal", rc->stop_signal);
	if (rc->shell)
		jw_put(c, "Shell", strv_json(rc->shell));
	return c;
}
