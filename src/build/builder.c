/* SPDX-License-Identifier: Apache-2.0 */
#include "build/builder.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build/build_cache.h"
#include "build/commit.h"
#include "build/history.h"
#include "image/image_ops.h"
#include "image/reference.h"
#include "build/instruction.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/rmtree.h"
#include "lib/strv.h"

#define DOCKERFILE_MAX_SIZE (1u << 20)

void builder_say(struct builder *b, const char *fmt, ...)
{
	_cleanup_free_ char *line = NULL;
	va_list ap;
	int n;

	if (!b->rn->progress)
		return;
	va_start(ap, fmt);
	n = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (n >= 0)
		b->rn->progress(b->rn->ud, line);
	else
		line = NULL;
}

char **builder_vars(struct builder *b)
{
	char **v = strv_copy(b->rc.env ? b->rc.env : (char *[]){NULL});

	STRV_FOREACH (a, b->args)
		if (v && strv_push_dup(&v, *a) < 0)
			v = strv_free(v);
	return v;
}

int builder_load_image(struct image_store *s, const char *ref, struct image **ret,
		       struct berr **err)
{
	_cleanup_image_list_ struct image_list *l = NULL;
	int r = image_list_load(s, &l, err), i;

	if (r < 0)
		return r;
	i = image_list_find(l, ref, err);
	if (i < 0)
		return i;
	return image_load(s, &l->v[i], ret, err);
}

int builder_commit(struct builder *b, int upperfd, const struct layer_idmap *ids,
		   const char *created_by, struct berr **err)
{
	struct image *next = NULL;
	char id[DIGEST_MAX];
	int r = image_commit(b->s,
			     &(struct commit_opts){.parent = b->cur,
						   .upperfd = upperfd,
						   .ids = ids,
						   .config = &b->rc,
						   .created_by = created_by},
			     id, err);

	if (r >= 0)
		r = strv_push_dup(&b->intermediates, id);
	if (r >= 0)
		r = builder_load_image(b->s, id, &next, err);
	if (r < 0)
		return r;
	image_free(b->cur);
	b->cur = next;
	/* the cache only saves work: a step whose entry cannot be written still succeeded */
	if (b->cache_key[0])
		(void) build_cache_put(b->s, b->cache_key, b->cur, NULL);
	b->cache_key[0] = '\0';
	return 0;
}

static bool text_uses(const char *text, const char *name, size_t n)
{
	for (const char *p = strchr(text, '$'); p; p = strchr(p + 1, '$')) {
		const char *q = p + 1 + (p[1] == '{');

		if (strncmp(q, name, n) == 0 && !isalnum((unsigned char) q[n]) && q[n] != '_')
			return true;
	}
	return false;
}

char **builder_args_used_by(struct builder *b, const char *text)
{
	char **v = calloc(1, sizeof(char *));

	STRV_FOREACH (a, b->args)
		if (v && text_uses(text, *a, strcspn(*a, "=")) && strv_push_dup(&v, *a) < 0)
			v = strv_free(v);
	return v;
}

int builder_cache_lookup(struct builder *b, const struct df_instr *in, char *const *extra,
			 const char *content, struct berr **err)
{
	struct image *next = NULL;
	char id[DIGEST_MAX];
	int r;

	build_cache_key(b->cur ? b->cur->id : NULL, in->original, extra, content, b->cache_key);
	if (b->o->no_cache || !b->cache_key[0] || build_cache_get(b->s, b->cache_key, id) <= 0)
		return 0;
	b->cache_key[0] = '\0';
	r = strv_push_dup(&b->intermediates, id);
	if (r >= 0)
		r = builder_load_image(b->s, id, &next, err);
	if (r < 0)
		return r;
	image_free(b->cur);
	b->cur = next;
	builder_say(b, " ---> Using cache");
	return 1;
}

/* The value of ARG name: --build-arg, else its default (NULL: none). */
static const char *build_arg(struct builder *b, const char *name)
{
	size_t n = strlen(name);

	STRV_FOREACH (a, b->o->build_args) {
		if (strncmp(*a, name, n) == 0 && (*a)[n] == '=')
			return *a + n + 1;
		if (strcmp(*a, name) == 0)
			return getenv(name);
	}
	return NULL;
}

static int do_arg(struct builder *b, const struct df_instr *in, char ***dst, struct berr **err)
{
	_cleanup_strv_ char **words = NULL, **vars = builder_vars(b);
	int r;

	if (!vars)
		return -ENOMEM;
	r = lex_words(in->rest, b->df->escape, vars, true, &words, err);
	if (r < 0)
		return r;
	if (!words[0])
		return berr_set(err, EINVAL, "ARG requires exactly one argument");
	STRV_FOREACH (w, words) {
		char *eq = strchr(*w, '=');
		const char *val;

		if (eq)
			*eq = '\0';
		val = build_arg(b, *w);
		if (!val && !eq) {
			/* a global ARG redeclared in the stage takes its value */
			const char *g = strv_env_get(b->meta_args, *w);
			val = dst != &b->meta_args && g ? strchr(g, '=') + 1 : NULL;
		}
		if (!val)
			val = eq ? eq + 1 : NULL;
		if (!strv_contains(b->used_args, *w) && strv_push_dup(&b->used_args, *w) < 0)
			return -ENOMEM;
		if (val && (r = run_config_set_kv(dst, *w, val)) < 0)
			return r;
	}
	return 0;
}

static int stage_index(struct builder *b, const char *name)
{
	for (size_t i = 0; i < b->n_stages; i++)
		if (b->stages[i].name && strcasecmp(b->stages[i].name, name) == 0)
			return (int) i;
	return -1;
}

/* Close the stage in progress: remember its result. */
static int end_stage(struct builder *b)
{
	struct build_stage *st;

	if (!b->n_stages)
		return 0;
	st = &b->stages[b->n_stages - 1];
	free(st->image_id);
	st->image_id = b->cur ? strdup(b->cur->id) : NULL;
	return !b->cur || st->image_id ? 0 : -ENOMEM;
}

static int do_from(struct builder *b, const struct df_instr *in, struct berr **err)
{
	_cleanup_strv_ char **words = NULL;
	struct build_stage *v;
	const char *ref;
	int r = end_stage(b), i;

	if (r >= 0)
		r = lex_words(in->rest, b->df->escape, b->meta_args, true, &words, err);
	if (r < 0)
		return r;
	if (!words[0] || (words[1] && (!words[2] || strcasecmp(words[1], "AS") || words[3])))
		return berr_set(err, EINVAL, "FROM requires either one or three arguments");
	ref = words[0];
	b->cur = image_free(b->cur);
	run_config_done(&b->rc);
	b->args = strv_free(b->args);
	b->cmd_set = false;
	i = stage_index(b, ref);
	if (i >= 0)
		r = b->stages[i].image_id
			    ? builder_load_image(b->s, b->stages[i].image_id, &b->cur, err)
			    : 0;
	else if (strcmp(ref, "scratch") != 0)
		r = builder_load_image(b->s, ref, &b->cur, err);
	if (r >= 0)
		r = run_config_from_image(b->cur, &b->rc, err);
	if (r < 0)
		return r;
	v = realloc(b->stages, (b->n_stages + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	b->stages = v;
	v[b->n_stages] = (struct build_stage){0};
	if (words[1] && !(v[b->n_stages].name = strdup(words[2])))
		return -ENOMEM;
	b->n_stages++;
	return 0;
}

/*
 * A config-only step: no layer, the history line docker's classic builder writes
 * ("/bin/sh -c #(nop)  CMD [\"sh\"]"); comment NULL: the instruction as written.
 */
static int nop_step(struct builder *b, const struct df_instr *in, const char *comment,
		    struct berr **err)
{
	_cleanup_strv_ char **used = builder_args_used_by(b, in->original);
	_cleanup_free_ char *created_by = NULL;
	int r;

	if (!used)
		return -ENOMEM;
	r = builder_cache_lookup(b, in, used, NULL, err);
	if (r != 0)
		return r < 0 ? r : 0;
	if (!(created_by = history_nop(&b->rc, true, comment ? comment : in->original)))
		return -ENOMEM;
	return builder_commit(b, -1, NULL, created_by, err);
}

static int config_step(struct builder *b, const struct df_instr *in, struct berr **err)
{
	_cleanup_strv_ char **vars = builder_vars(b);
	_cleanup_free_ char *comment = NULL;
	bool entrypoint = strcmp(in->cmd, "ENTRYPOINT") == 0;
	int r;

	if (!vars)
		return -ENOMEM;
	if (!strcmp(in->cmd, "MAINTAINER"))
		r = 1; /* kept in history only */
	else
		r = instruction_apply(in, b->df->escape, vars, &b->rc, err);
	if (r == 0)
		return berr_set(err, EINVAL, "unknown instruction: %s", in->cmd);
	if (r < 0)
		return r;
	if (!strcmp(in->cmd, "CMD"))
		b->cmd_set = true;
	/* docker: an ENTRYPOINT resets the base image's CMD, not one set in this stage */
	if (entrypoint && !b->cmd_set)
		b->rc.cmd = strv_free(b->rc.cmd);
	if (!strcmp(in->cmd, "WORKDIR"))
		return build_workdir(b, in, err);
	r = history_comment(in, b->df->escape, vars, &b->rc, &comment, err);
	return r < 0 ? r : nop_step(b, in, comment, err);
}

static int step(struct builder *b, const struct df_instr *in, struct berr **err);

/* docker's: the base image's ONBUILD triggers run right after FROM, and are not inherited. */
static int run_triggers(struct builder *b, struct berr **err)
{
	_cleanup_strv_ char **triggers = TAKE_PTR(b->rc.onbuild);
	size_t n = strv_length(triggers);

	if (n)
		builder_say(b, "# Executing %zu build trigger%s", n, n == 1 ? "" : "s");
	STRV_FOREACH (t, triggers) {
		_cleanup_dockerfile_ struct dockerfile *d = NULL;
		int r = instruction_onbuild_check(*t, err);

		if (r >= 0)
			r = dockerfile_parse(*t, strlen(*t), &d, err);
		if (r >= 0 && d->n != 1)
			r = berr_set(err, EINVAL, "not one instruction");
		if (r >= 0)
			r = step(b, &d->v[0], err);
		if (r < 0)
			return berr_wrap(err, "ONBUILD trigger '%s'", *t);
	}
	return 0;
}

static int step(struct builder *b, const struct df_instr *in, struct berr **err)
{
	const char *c = in->cmd;

	if (!strcmp(c, "FROM")) {
		int r = do_from(b, in, err);

		return r < 0 ? r : run_triggers(b, err);
	}
	if (!b->n_stages) {
		if (!strcmp(c, "ARG"))
			return do_arg(b, in, &b->meta_args, err);
		return berr_set(err, EINVAL, "no build stage in current context");
	}
	if (!strcmp(c, "ARG")) {
		int r = do_arg(b, in, &b->args, err);

		return r < 0 ? r : nop_step(b, in, NULL, err);
	}
	if (!strcmp(c, "RUN"))
		return build_run(b, in, err);
	if (!strcmp(c, "COPY") || !strcmp(c, "ADD"))
		return build_copy(b, in, !strcmp(c, "ADD"), err);
	return config_step(b, in, err);
}

/* The index of the last instruction to run (the end of the --target stage). */
static int last_instruction(struct builder *b, size_t *ret, struct berr **err)
{
	bool in_target = false;

	*ret = b->df->n;
	if (!b->o->target)
		return 0;
	for (size_t i = 0; i < b->df->n; i++) {
		const struct df_instr *in = &b->df->v[i];
		const char *as;

		if (strcmp(in->cmd, "FROM") != 0)
			continue;
		if (in_target) {
			*ret = i;
			return 0;
		}
		as = strcasestr(in->rest, " as ");
		in_target = as && strcasecmp(as + 4 + strspn(as + 4, " \t"), b->o->target) == 0;
	}
	if (!in_target)
		return berr_set(err, EINVAL, "failed to reach build target %s in Dockerfile",
				b->o->target);
	return 0;
}

static int run_steps(struct builder *b, struct berr **err)
{
	size_t end;
	int r = last_instruction(b, &end, err);

	if (r < 0)
		return r;
	b->n_steps = (unsigned) end;
	for (size_t i = 0; i < end; i++) {
		const struct df_instr *in = &b->df->v[i];

		b->step = (unsigned) i + 1;
		b->cache_key[0] = '\0';
		builder_say(b, "Step %u/%u : %s", b->step, b->n_steps, in->original);
		r = step(b, in, err);
		if (r < 0)
			return r;
		if (b->cur)
			builder_say(b, " ---> %.12s", strchr(b->cur->id, ':') + 1);
	}
	if (!b->n_stages)
		return berr_set(err, EINVAL, "the Dockerfile has no FROM instruction");
	if (!b->cur)
		return berr_set(err, EINVAL,
				"the build made no image (FROM scratch and nothing else)");
	return 0;
}

/* Remove the step images (but keep) and collect what they alone held. */
static void drop_intermediates(struct builder *b, const char *keep)
{
	_cleanup_image_list_ struct image_list *l = NULL;
	_cleanup_strv_ char **used = NULL;
	bool changed = false;

	if (!b->intermediates)
		return;
	{
		_cleanup_close_ int lock = image_store_lock(b->s, "lock", true);

		if (lock < 0 || image_store_used_ids(b->s, &used) < 0 ||
		    image_list_load(b->s, &l, NULL) < 0)
			return;
		STRV_FOREACH (id, b->intermediates) {
			int i = image_list_find_id(l, *id);

			if (i < 0 || (keep && !strcmp(*id, keep)) || strv_contains(used, *id) ||
			    (l->v[i].names && l->v[i].names[0]))
				continue;
			image_list_remove(l, (size_t) i);
			changed = true;
		}
		if (!changed || image_list_save(b->s, l, NULL) < 0)
			return;
	}
	(void) image_store_gc(b->s, NULL, NULL);
}

/* tmp/build-XXXXXX in the store, locked while the build lives. */
static int make_tmpdir(struct builder *b, struct berr **err)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/tmp/build-XXXXXX", b->s->path);
	if (!mkdtemp(path))
		return berr_sys(err, errno, "cannot create a directory in '%s/tmp'", b->s->path);
	snprintf(b->tmpname, sizeof(b->tmpname), "tmp/%s", strrchr(path, '/') + 1);
	b->tmpfd = openat(b->s->dirfd, b->tmpname, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->tmpfd < 0 || flock(b->tmpfd, LOCK_EX) < 0)
		return berr_sys(err, errno, "cannot lock '%s'", path);
	return 0;
}

static int read_dockerfile(struct builder *b, struct berr **err)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = 0;
	int r;

	if (b->o->dockerfile)
		path = strdup(b->o->dockerfile);
	else if (asprintf(&path, "%s/Dockerfile", b->o->context) < 0)
		path = NULL;
	if (!path)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return berr_sys(err, errno, "cannot read the Dockerfile '%s'", path);
	r = read_fd_all(fd, DOCKERFILE_MAX_SIZE, &text, &len);
	if (r < 0)
		return berr_sys(err, -r, "cannot read the Dockerfile '%s'", path);
	r = dockerfile_parse(text, len, &b->df, err);
	return r < 0 ? berr_wrap(err, "%s", path) : 0;
}

static void builder_done(struct builder *b)
{
	dockerfile_free(b->df);
	free(b->context);
	if (b->ctxfd >= 0)
		close(b->ctxfd);
	if (b->tmpfd >= 0) {
		(void) rm_rf_at(b->s->dirfd, b->tmpname);
		close(b->tmpfd);
	}
	strv_free(b->meta_args);
	strv_free(b->args);
	strv_free(b->used_args);
	run_config_done(&b->rc);
	image_free(b->cur);
	strv_free(b->intermediates);
	for (size_t i = 0; i < b->n_stages; i++) {
		free(b->stages[i].name);
		free(b->stages[i].image_id);
	}
	free(b->stages);
}

static void warn_unused_args(struct builder *b)
{
	STRV_FOREACH (a, b->o->build_args) {
		_cleanup_free_ char *name = strndup(*a, strcspn(*a, "="));

		if (name && !strv_contains(b->used_args, name))
			builder_say(b, "[Warning] One or more build-args [%s] were not consumed",
				    name);
	}
}

static int tag_result(struct builder *b, struct berr **err)
{
	STRV_FOREACH (t, b->o->tags) {
		int r = image_tag(b->s, b->cur->id, *t, err);

		if (r < 0)
			return r;
	}
	return 0;
}

int image_build_run(struct image_store *s, const struct build_opts *o,
		    const struct build_runner *rn, char ret_id[DIGEST_MAX], struct berr **err)
{
	struct builder b = {.s = s, .o = o, .rn = rn, .ctxfd = -1, .tmpfd = -1};
	int r;

	STRV_FOREACH (t, o->tags) {
		_cleanup_(image_ref_done) struct image_ref ref = {0};

		if ((r = image_ref_parse(*t, false, &ref, err)) < 0)
			return berr_wrap(err, "invalid tag '%s'", *t);
	}
	b.ctxfd = open(o->context, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b.ctxfd < 0)
		r = berr_sys(err, errno, "cannot open the build context '%s'", o->context);
	else if ((r = read_dockerfile(&b, err)) >= 0 && (r = make_tmpdir(&b, err)) >= 0 &&
		 (r = build_context_filter(&b, err)) >= 0)
		r = run_steps(&b, err);
	if (r >= 0) {
		warn_unused_args(&b);
		r = tag_result(&b, err);
	}
	if (r >= 0)
		snprintf(ret_id, DIGEST_MAX, "%s", b.cur->id);
	drop_intermediates(&b, r >= 0 ? b.cur->id : NULL);
	builder_done(&b);
	return r;
}

const char *build_tag_suffix(const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *last = slash ? slash : name;

	return strchr(last, ':') || strchr(name, '@') ? "" : ":latest";
}
