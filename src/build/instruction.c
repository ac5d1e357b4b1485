/* SPDX-License-Identifier: Apache-2.0 */
#include "build/instruction.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "image/image_health.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

static int legacy_pair(const struct df_instr *in, char escape, char *const *vars, char ***ret,
		       struct berr **err)
{
	const char *s = in->rest, *sp = strpbrk(s, " \t");
	_cleanup_free_ char *key = NULL, *val = NULL, *kv = NULL;
	int r;

	if (!sp)
		return berr_set(err, EINVAL, "%s must have two arguments", in->cmd);
	key = strndup(s, (size_t) (sp - s));
	if (!key)
		return -ENOMEM;
	while (*sp == ' ' || *sp == '\t')
		sp++;
	r = lex_word(sp, escape, vars, &val, err);
	if (r < 0)
		return r;
	if (asprintf(&kv, "%s=%s", key, val) < 0)
		return -ENOMEM;
	return strv_consume(ret, TAKE_PTR(kv));
}

int instruction_pairs(const struct df_instr *in, char escape, char *const *vars, char ***ret,
		      struct berr **err)
{
	_cleanup_strv_ char **words = NULL, **out = calloc(1, sizeof(char *));
	int r;

	if (!out)
		return -ENOMEM;
	r = lex_words(in->rest, escape, vars, true, &words, err);
	if (r < 0)
		return r;
	if (!words[0])
		return berr_set(err, EINVAL, "%s requires at least one argument", in->cmd);
	if (!strchr(words[0], '=')) {
		r = legacy_pair(in, escape, vars, &out, err);
	} else {
		STRV_FOREACH (w, words) {
			if (!strchr(*w, '=') || **w == '=')
				return berr_set(err, EINVAL, "%s names can not be blank: '%s'",
						in->cmd, *w);
			if ((r = strv_push_dup(&out, *w)) < 0)
				return r;
		}
	}
	if (r >= 0)
		*ret = TAKE_PTR(out);
	return r;
}

static int apply_pairs(const struct df_instr *in, char escape, char *const *vars, char ***dst,
		       struct berr **err)
{
	_cleanup_strv_ char **kv = NULL;
	int r = instruction_pairs(in, escape, vars, &kv, err);

	STRV_FOREACH (e, kv) {
		char *eq = strchr(*e, '=');

		*eq = '\0';
		if (r >= 0)
			r = run_config_set_kv(dst, *e, eq + 1);
	}
	return r;
}

int instruction_command(const struct df_instr *in, const struct run_config *rc, char ***ret)
{
	static char *const sh[] = {"/bin/sh", "-c", NULL};
	char **v;

	if (in->json) {
		v = strv_copy(in->json);
	} else {
		v = strv_copy(rc->shell ? rc->shell : sh);
		if (v && strv_push_dup(&v, in->rest) < 0)
			v = strv_free(v);
	}
	if (!v)
		return -ENOMEM;
	*ret = v;
	return 0;
}

/* The words of in (the JSON form as it is, or lexed); at least one. */
static int words_of(const struct df_instr *in, char escape, char *const *vars, char ***ret,
		    struct berr **err)
{
	int r;

	if (in->json)
		r = (*ret = strv_copy(in->json)) ? 0 : -ENOMEM;
	else
		r = lex_words(in->rest, escape, vars, true, ret, err);
	if (r >= 0 && !(*ret)[0]) {
		*ret = strv_free(*ret);
		return berr_set(err, EINVAL, "%s requires at least one argument", in->cmd);
	}
	return r;
}

static int set_string(const struct df_instr *in, char escape, char *const *vars, char **dst,
		      struct berr **err)
{
	_cleanup_strv_ char **w = NULL;
	int r = words_of(in, escape, vars, &w, err);

	if (r < 0)
		return r;
	if (w[1])
		return berr_set(err, EINVAL, "%s requires exactly one argument", in->cmd);
	free(*dst);
	*dst = strdup(w[0]);
	return *dst ? 0 : -ENOMEM;
}

static int workdir(const struct df_instr *in, char escape, char *const *vars, struct run_config *rc,
		   struct berr **err)
{
	_cleanup_free_ char *dir = NULL;
	char *joined;
	int r = set_string(in, escape, vars, &dir, err);

	if (r < 0)
		return r;
	if (dir[0] == '/')
		joined = strdup(dir);
	else if (asprintf(&joined, "%s/%s",
			  rc->working_dir && *rc->working_dir ? rc->working_dir : "", dir) < 0)
		joined = NULL;
	if (!joined)
		return -ENOMEM;
	free(rc->working_dir);
	rc->working_dir = joined;
	return 0;
}

static int expose(const struct df_instr *in, char escape, char *const *vars, struct run_config *rc,
		  struct berr **err)
{
	_cleanup_strv_ char **w = NULL;
	int r = words_of(in, escape, vars, &w, err);

	STRV_FOREACH (p, w) {
		_cleanup_free_ char *port = NULL;

		if (r < 0)
			break;
		if (strspn(*p, "0123456789-") == 0)
			return berr_set(err, EINVAL, "invalid containerPort: '%s'", *p);
		if (!strchr(*p, '/') ? asprintf(&port, "%s/tcp", *p) < 0 : !(port = strdup(*p)))
			return -ENOMEM;
		if (!strv_contains(rc->ports, port))
			r = strv_consume(&rc->ports, TAKE_PTR(port));
	}
	return r;
}

static int volume(const struct df_instr *in, char escape, char *const *vars, struct run_config *rc,
		  struct berr **err)
{
	_cleanup_strv_ char **w = NULL;
	int r = words_of(in, escape, vars, &w, err);

	STRV_FOREACH (p, w)
		if (r >= 0 && !strv_contains(rc->volumes, *p))
			r = strv_push_dup(&rc->volumes, *p);
	return r;
}

static int set_command(const struct df_instr *in, const struct run_config *rc, char ***dst)
{
	char **v = NULL;
	int r = instruction_command(in, rc, &v);

	if (r < 0)
		return r;
	strv_free(*dst);
	*dst = v;
	return 0;
}

static int shell(const struct df_instr *in, struct run_config *rc, struct berr **err)
{
	if (!in->json || !in->json[0])
		return berr_set(err, EINVAL, "SHELL requires the arguments to be in JSON form");
	strv_free(rc->shell);
	rc->shell = strv_copy(in->json);
	return rc->shell ? 0 : -ENOMEM;
}

int instruction_onbuild_check(const char *trigger, struct berr **err)
{
	size_t n = strcspn(trigger, " \t");

	if (!n)
		return berr_set(err, EINVAL, "ONBUILD requires at least one argument");
	if (n == 7 && !strncasecmp(trigger, "ONBUILD", 7))
		return berr_set(err, EINVAL,
				"Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
	if ((n == 4 && !strncasecmp(trigger, "FROM", 4)) ||
	    (n == 10 && !strncasecmp(trigger, "MAINTAINER", 10)))
		return berr_set(err, EINVAL, "%.*s isn't allowed as an ONBUILD trigger", (int) n,
				trigger);
	return 0;
}

/* ONBUILD: the trigger as written (without "ONBUILD "), kept in config.OnBuild. */
static int onbuild(const struct df_instr *in, struct run_config *rc, struct berr **err)
{
	const char *t = in->original + strlen(in->cmd);
	_cleanup_free_ char *trigger = NULL;
	size_t n;
	int r;

	t += strspn(t, " \t");
	r = instruction_onbuild_check(t, err);
	if (r < 0)
		return r;
	n = strlen(t);
	while (n && (t[n - 1] == ' ' || t[n - 1] == '\t'))
		n--;
	trigger = strndup(t, n);
	if (!trigger)
		return -ENOMEM;
	if (!(n = strcspn(trigger, " \t")))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		trigger[i] = (char) toupper((unsigned char) trigger[i]);
	return strv_consume(&rc->onbuild, TAKE_PTR(trigger));
}

int instruction_apply(const struct df_instr *in, char escape, char *const *vars,
		      struct run_config *rc, struct berr **err)
{
	const char *c = in->cmd;
	int r;

	if (!strcmp(c, "ENV"))
		r = apply_pairs(in, escape, vars, &rc->env, err);
	else if (!strcmp(c, "LABEL"))
		r = apply_pairs(in, escape, vars, &rc->labels, err);
	else if (!strcmp(c, "CMD"))
		r = set_command(in, rc, &rc->cmd);
	else if (!strcmp(c, "ENTRYPOINT"))
		r = set_command(in, rc, &rc->entrypoint);
	else if (!strcmp(c, "EXPOSE"))
		r = expose(in, escape, vars, rc, err);
	else if (!strcmp(c, "USER"))
		r = set_string(in, escape, vars, &rc->user, err);
	else if (!strcmp(c, "VOLUME"))
		r = volume(in, escape, vars, rc, err);
	else if (!strcmp(c, "WORKDIR"))
		r = workdir(in, escape, vars, rc, err);
	else if (!strcmp(c, "STOPSIGNAL"))
		r = set_string(in, escape, vars, &rc->stop_signal, err);
	else if (!strcmp(c, "SHELL"))
		r = shell(in, rc, err);
	else if (!strcmp(c, "HEALTHCHECK"))
		r = image_health_parse(in->flags, in->rest, &rc->health, err);
	else if (!strcmp(c, "ONBUILD"))
		r = onbuild(in, rc, err);
	else
		return 0;
	return r < 0 ? r : 1;
}

int instruction_apply_change(const char *text, struct run_config *rc, struct berr **err)
{
	_cleanup_dockerfile_ struct dockerfile *d = NULL;
	int r = dockerfile_parse(text, strlen(text), &d, err);

	if (r < 0)
		return r;
	if (d->n != 1)
		return berr_set(err, EINVAL, "must be one instruction");
	if (!strcmp(d->v[0].cmd, "SHELL") || !strcmp(d->v[0].cmd, "STOPSIGNAL"))
		r = 0;
	else
		r = instruction_apply(&d->v[0], d->escape, rc->env, rc, err);
	if (r == 0)
		return berr_set(err, EINVAL, "%s is not supported", d->v[0].cmd);
	return r < 0 ? r : 0;
}
