/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/exec_process.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/capabilities.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"

struct copy_ctx {
	struct jwriter *out;
	const struct exec_request *rq;
};

static int copy_member(const struct jnode *child, void *userdata, struct berr **err)
{
	static const char *const replaced[] = {"args", "env", "terminal", "consoleSize"};
	struct copy_ctx *cc = userdata;

	(void) err;
	for (size_t i = 0; i < ELEMENTSOF(replaced); i++)
		if (strcmp(child->key, replaced[i]) == 0)
			return 0;
	if (strcmp(child->key, "cwd") == 0 && cc->rq->cwd)
		return 0;
	if (strcmp(child->key, "user") == 0 && cc->rq->user)
		return 0;
	if (strcmp(child->key, "capabilities") == 0 && cc->rq->privileged)
		return 0;
	jw_put_node(cc->out, child->key, child);
	return 0;
}

static struct jwriter *strv_json(char *const *v)
{
	struct jwriter *a = jw_array();

	STRV_FOREACH (s, v)
		jw_append_str(a, *s);
	return a;
}

static struct jwriter *all_caps(void)
{
	_cleanup_strv_ char **caps = NULL;
	struct jwriter *c = jw_object();

	if (caps_compute(true, NULL, NULL, &caps, NULL) < 0)
		return c;
	jw_put(c, "bounding", strv_json(caps));
	jw_put(c, "effective", strv_json(caps));
	jw_put(c, "permitted", strv_json(caps));
	return c;
}

int exec_process_json(const char *config, const struct exec_request *rq, char **ret,
		      struct berr **err)
{
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	_cleanup_jw_ struct jwriter *out = jw_object();
	_cleanup_strv_ char **env = NULL;
	struct copy_ctx cc = {out, rq};
	struct jnode root, proc;
	int r;

	if ((r = jdoc_parse(config, strlen(config), "config.json", &doc, err)) < 0)
		return r;
	jdoc_root(doc, &root);
	jnode_member(&root, "process", &proc);
	if (!jnode_is_object(&proc))
		return berr_set(err, EINVAL, "the container's config.json has no process");
	if ((r = jnode_get_strv(&proc, "env", &env, err)) < 0)
		return r;
	/* docker: a terminal's TERM is xterm, unless the container's env or -e says otherwise */
	if (rq->tty && !strv_env_get(env, "TERM") && strv_env_set(&env, "TERM=xterm") < 0)
		return -ENOMEM;
	STRV_FOREACH (e, rq->env)
		if (strv_env_set(&env, *e) < 0)
			return -ENOMEM;
	if ((r = jnode_foreach_member(&proc, copy_member, &cc, err)) < 0)
		return r;
	jw_put(out, "args", strv_json(rq->args));
	jw_put(out, "env", strv_json(env));
	jw_bool(out, "terminal", rq->tty);
	if (rq->cwd)
		jw_str(out, "cwd", rq->cwd);
	if (rq->user) {
		struct jwriter *u = jw_object(), *g = jw_array();

		jw_uint(u, "uid", rq->user->uid);
		jw_uint(u, "gid", rq->user->gid);
		for (size_t i = 0; i < rq->user->n_groups; i++)
			jw_uint(g, NULL, rq->user->groups[i]);
		jw_put(u, "additionalGids", g);
		jw_put(out, "user", u);
	}
	if (rq->privileged)
		jw_put(out, "capabilities", all_caps());
	*ret = jw_to_string(out, true);
	return *ret ? 0 : berr_set(err, ENOMEM, "out of memory");
}
