/* SPDX-License-Identifier: Apache-2.0 */
/* The API's exec instances: create, inspect, and the registry start runs them from. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_exec.h"
#include "cli/berth_exec.h"
#include "engine/container_store.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

struct exec_inst {
	struct exec_spec spec;
	bool started, running;
	int exit_code; /* valid once started and not running */
};

/* the registry: the service's only state, as dockerd's exec store (api_exec.h) */
static pthread_mutex_t execs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct exec_inst *execs[EXEC_MAX];

static void spec_done(struct exec_spec *s)
{
	free(s->container);
	strv_free(s->cmd);
	strv_free(s->env);
	free(s->user);
	free(s->workdir);
}

void exec_spec_free(struct exec_spec *s)
{
	if (s)
		spec_done(s);
	free(s);
}

static void inst_free(struct exec_inst *x)
{
	if (x)
		spec_done(&x->spec);
	free(x);
}

/* the slot of id, or NULL; the caller holds execs_lock */
static struct exec_inst **find(const char *id)
{
	for (size_t i = 0; i < EXEC_MAX; i++)
		if (execs[i] && strcmp(execs[i]->spec.id, id) == 0)
			return &execs[i];
	return NULL;
}

/* an empty slot, or the first finished one's (freed); the caller holds execs_lock */
static struct exec_inst **free_slot(void)
{
	for (size_t i = 0; i < EXEC_MAX; i++)
		if (!execs[i])
			return &execs[i];
	for (size_t i = 0; i < EXEC_MAX; i++)
		if (execs[i]->started && !execs[i]->running) {
			inst_free(execs[i]);
			execs[i] = NULL;
			return &execs[i];
		}
	return NULL;
}

void api_exec_finished(const char *id, int code)
{
	struct exec_inst **x;

	pthread_mutex_lock(&execs_lock);
	if ((x = find(id))) {
		(*x)->running = false;
		(*x)->exit_code = code;
	}
	pthread_mutex_unlock(&execs_lock);
}

static int read_spec(struct api_req *r, struct exec_spec *s, struct berr **err)
{
	_cleanup_(jdoc_freep) struct jdoc *doc = NULL;
	struct jnode root;
	int ret;

	if ((ret = jdoc_parse(r->body, r->body_len, "body", &doc, err)) < 0)
		return -EINVAL;
	jdoc_root(doc, &root);
	if ((ret = jnode_expect_object(&root, err)) < 0 ||
	    (ret = jnode_get_strv(&root, "Cmd", &s->cmd, err)) < 0 ||
	    (ret = jnode_get_strv(&root, "Env", &s->env, err)) < 0 ||
	    (ret = jnode_get_string(&root, "User", &s->user, err)) < 0 ||
	    (ret = jnode_get_string(&root, "WorkingDir", &s->workdir, err)) < 0 ||
	    (ret = jnode_get_bool(&root, "Tty", &s->tty, err)) < 0 ||
	    (ret = jnode_get_bool(&root, "Privileged", &s->privileged, err)) < 0 ||
	    (ret = jnode_get_bool(&root, "AttachStdin", &s->attach_stdin, err)) < 0 ||
	    (ret = jnode_get_bool(&root, "AttachStdout", &s->attach_stdout, err)) < 0 ||
	    (ret = jnode_get_bool(&root, "AttachStderr", &s->attach_stderr, err)) < 0)
		return -EINVAL;
	if (strv_length(s->cmd) == 0)
		return berr_set(err, EINVAL, "No exec command specified");
	/* docker sends "" for "not given": the container's own */
	if (s->user && !*s->user) {
		free(s->user);
		s->user = NULL;
	}
	if (s->workdir && !*s->workdir) {
		free(s->workdir);
		s->workdir = NULL;
	}
	return 0;
}

static int new_id(char id[static 65])
{
	char a[CONTAINER_ID_LEN + 1];
	int r;

	if ((r = container_new_id(a)) < 0)
		return r;
	snprintf(id, 65, "%s", a);
	return 0;
}

/* Put x in the registry (it owns x then). */
static int register_inst(struct exec_inst *x)
{
	struct exec_inst **slot;

	pthread_mutex_lock(&execs_lock);
	slot = free_slot();
	if (slot)
		*slot = x;
	pthread_mutex_unlock(&execs_lock);
	return slot ? 0 : -EAGAIN;
}

int api_exec_create(struct api_req *r)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_jw_ struct jwriter *out = jw_object();
	struct exec_inst *x = calloc(1, sizeof(*x));
	struct engine *e;
	int ret;

	if (!x)
		return -ENOMEM;
	if ((ret = read_spec(r, &x->spec, &err)) < 0 || (ret = new_id(x->spec.id)) < 0) {
		inst_free(x);
		return api_reply_berr(r, ret, err);
	}
	if ((ret = berth_exec_target(r->ctx, r->parts[1], &e, &c, &err)) < 0) {
		inst_free(x);
		if (ret == -ENOENT)
			return api_reply_error(r, 404, "No such container: %s", r->parts[1]);
		/* not running, paused: dockerd's 409 */
		return api_reply_berr(r, ret == -EINVAL ? EBUSY : ret, err);
	}
	if (!(x->spec.container = strdup(c->cfg->id)))
		return inst_free(x), -ENOMEM;
	berth_exec_event(e, c, "exec_create", x->spec.cmd);
	jw_str(out, "Id", x->spec.id);
	if (register_inst(x) < 0) {
		inst_free(x);
		return api_reply_error(r, 503, "too many exec instances (%d)", EXEC_MAX);
	}
	return api_reply_json(r, 201, out);
}

static struct jwriter *inspect_doc(const struct exec_inst *x)
{
	struct jwriter *o = jw_object(), *pc = jw_object(), *args = jw_array();

	jw_str(o, "ID", x->spec.id);
	jw_bool(o, "Running", x->running);
	if (x->started && !x->running)
		jw_int(o, "ExitCode", x->exit_code);
	else
		jw_null(o, "ExitCode");
	jw_bool(pc, "tty", x->spec.tty);
	jw_str(pc, "entrypoint", x->spec.cmd[0]);
	for (size_t i = 1; x->spec.cmd[i]; i++)
		jw_append_str(args, x->spec.cmd[i]);
	jw_put(pc, "arguments", args);
	jw_bool(pc, "privileged", x->spec.privileged);
	jw_str(pc, "user", x->spec.user ? x->spec.user : "");
	jw_put(o, "ProcessConfig", pc);
	jw_bool(o, "OpenStdin", x->spec.attach_stdin);
	jw_bool(o, "OpenStderr", x->spec.attach_stderr);
	jw_bool(o, "OpenStdout", x->spec.attach_stdout);
	jw_bool(o, "CanRemove", false);
	jw_str(o, "ContainerID", x->spec.container);
	jw_str(o, "DetachKeys", "");
	jw_int(o, "Pid", 0);
	return o;
}

int api_exec_inspect(struct api_req *r)
{
	_cleanup_jw_ struct jwriter *doc = NULL;
	struct exec_inst **x;

	pthread_mutex_lock(&execs_lock);
	if ((x = find(r->parts[1])))
		doc = inspect_doc(*x);
	pthread_mutex_unlock(&execs_lock);
	if (!x)
		return api_reply_error(r, 404, "No such exec instance: %s", r->parts[1]);
	return api_reply_json(r, 200, doc);
}

/*
 * POST /exec/{id}/resize?h=&w=: execs run without a terminal here (a Tty exec's output is
 * raw, ARCHITECTURE.md), so there is no window to size; answered as dockerd answers it for
 * a process without a console (containerd's shim ignores the resize): 200, after
 * dockerd's checks of h and w (400) and of the id (404).
 */
int api_exec_resize(struct api_req *r)
{
	int64_t h = -1, w = -1;
	bool found;

	if (api_query_int(r, "h", 0, UINT16_MAX, &h) < 0 ||
	    api_query_int(r, "w", 0, UINT16_MAX, &w) < 0)
		return 0;
	if (h < 0 || w < 0)
		return api_reply_error(r, 400, "h and w are required");
	pthread_mutex_lock(&execs_lock);
	found = find(r->parts[1]) != NULL;
	pthread_mutex_unlock(&execs_lock);
	if (!found)
		return api_reply_error(r, 404, "No such exec instance: %s", r->parts[1]);
	return api_reply_empty(r, 200);
}

/* A copy of x's spec to run; x is marked started (and running). */
static struct exec_spec *start_copy(struct exec_inst *x)
{
	struct exec_spec *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	*s = x->spec;
	s->container = strdup(x->spec.container);
	s->cmd = strv_copy(x->spec.cmd);
	s->env = x->spec.env ? strv_copy(x->spec.env) : NULL;
	s->user = x->spec.user ? strdup(x->spec.user) : NULL;
	s->workdir = x->spec.workdir ? strdup(x->spec.workdir) : NULL;
	if (!s->container || !s->cmd || (x->spec.env && !s->env) || (x->spec.user && !s->user) ||
	    (x->spec.workdir && !s->workdir)) {
		exec_spec_free(s);
		return NULL;
	}
	x->started = x->running = true;
	return s;
}

int api_exec_start(struct api_req *r)
{
	_cleanup_(jdoc_freep) struct jdoc *doc = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	struct exec_spec *s = NULL;
	struct exec_inst **x;
	struct jnode root;
	bool detach = false, started = false;

	if (r->body_len &&
	    (jdoc_parse(r->body, r->body_len, "body", &doc, &err) < 0 ||
	     (jdoc_root(doc, &root), jnode_get_bool(&root, "Detach", &detach, &err)) < 0))
		return api_reply_berr(r, EINVAL, err);
	pthread_mutex_lock(&execs_lock);
	if ((x = find(r->parts[1])) && !(started = (*x)->started))
		s = start_copy(*x);
	pthread_mutex_unlock(&execs_lock);
	if (!x)
		return api_reply_error(r, 404, "No such exec instance: %s", r->parts[1]);
	if (started)
		return api_reply_error(r, 409, "Error: Exec command %s has already run",
				       r->parts[1]);
	if (!s)
		return -ENOMEM;
	return api_exec_run(r, s, detach);
}
