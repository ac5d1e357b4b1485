/* SPDX-License-Identifier: Apache-2.0 */
/* The process `exec` runs: from --process, or from the config's process and the options. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/strv.h"
#include "runtime/security/caps.h"
#include "runtime/lifecycle/exec.h"
#include "runtime/lifecycle/exec_internal.h"

/* Largest process.json read (config.json's limit is of the same order). */
#define PROCESS_JSON_MAX (4u << 20)

static void spec_process_freep(struct spec_process **p)
{
	*p = spec_process_free(*p);
}
#define _cleanup_process_ __attribute__((cleanup(spec_process_freep)))

/* A uid or gid: decimal, and not (uint32_t) -1, which the kernel reads as "unchanged". */
static int parse_id(const char *s, size_t len, uint32_t *ret)
{
	uint64_t v = 0;

	if (len == 0 || len > 10)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t) (s[i] - '0');
	}
	if (v >= UINT32_MAX)
		return -EINVAL;
	*ret = (uint32_t) v;
	return 0;
}

static int apply_user(struct spec_process *p, const char *user, struct berr **err)
{
	const char *colon = strchr(user, ':');
	size_t uid_len = colon ? (size_t) (colon - user) : strlen(user);

	if (parse_id(user, uid_len, &p->user.uid) < 0 ||
	    (colon && parse_id(colon + 1, strlen(colon + 1), &p->user.gid) < 0))
		return berr_set(err, EINVAL, "--user: '%s' is not uid[:gid] (numbers)", user);
	return 0;
}

static int apply_gids(struct spec_process *p, char **gids, struct berr **err)
{
	size_t n = strv_length(gids), have = p->user.n_additional_gids;
	uint32_t *v;

	if (n == 0)
		return 0;
	v = realloc(p->user.additional_gids, (have + n) * sizeof(uint32_t));
	if (!v)
		return berr_set(err, ENOMEM, "out of memory");
	p->user.additional_gids = v;
	for (size_t i = 0; i < n; i++)
		if (parse_id(gids[i], strlen(gids[i]), &v[have + i]) < 0)
			return berr_set(err, EINVAL, "--additional-gids: '%s' is not a gid",
					gids[i]);
	p->user.n_additional_gids = have + n;
	return 0;
}

/*
 * As runc since 1.1.2: --cap adds to the bounding, permitted, effective and ambient sets,
 * never the inheritable one (CVE-2022-29162). Unlike runc, an unknown name is an error.
 */
static int apply_caps(struct spec_process *p, char **caps, struct berr **err)
{
	STRV_FOREACH (c, caps) {
		int cap = cap_from_name(*c);
		uint64_t bit;

		if (cap < 0)
			return berr_set(err, EINVAL, "--cap: unknown capability '%s'", *c);
		bit = 1ULL << cap;
		p->capabilities.bounding |= bit;
		p->capabilities.permitted |= bit;
		p->capabilities.effective |= bit;
		p->capabilities.ambient |= bit;
		p->has_capabilities = true;
	}
	return 0;
}

static int apply_env(struct spec_process *p, char **env, struct berr **err)
{
	STRV_FOREACH (e, env) {
		int r = strv_env_set(&p->env, *e);

		if (r == -EINVAL)
			return berr_set(err, EINVAL, "--env: '%s' is not NAME=VALUE", *e);
		if (r < 0)
			return berr_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

static int replace_str(char **field, const char *value)
{
	char *copy = strdup(value);

	if (!copy)
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

static int apply_strings(const struct exec_opts *o, struct spec_process *p, struct berr **err)
{
	char **args = strv_copy(o->args);

	if (!args)
		return berr_set(err, ENOMEM, "out of memory");
	strv_free(p->args);
	p->args = args;
	if (o->cwd && o->cwd[0] != '/')
		return berr_set(err, EINVAL, "--cwd: '%s' is not an absolute path", o->cwd);
	if ((o->cwd && replace_str(&p->cwd, o->cwd) < 0) ||
	    (o->apparmor && replace_str(&p->apparmor_profile, o->apparmor) < 0) ||
	    (o->process_label && replace_str(&p->selinux_label, o->process_label) < 0))
		return berr_set(err, ENOMEM, "out of memory");
	return 0;
}

static int from_file(const char *path, struct spec_process **ret, struct berr **err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	r = read_file_at(AT_FDCWD, path, PROCESS_JSON_MAX, &text, &len);
	if (r < 0)
		return berr_sys(err, -r, "--process: reading '%s'", path);
	return oci_process_parse(text, len, ret, err);
}

int exec_build_process(const struct exec_opts *o, struct spec *config, struct spec_process **ret,
		       struct berr **err)
{
	_cleanup_process_ struct spec_process *p = NULL;
	int r;

	if (o->process_path) {
		if (o->args && o->args[0])
			return berr_set(err, EINVAL,
					"exec: give the command or --process, not both");
		r = from_file(o->process_path, &p, err);
		if (r < 0)
			return r;
		/* As runc: without capabilities the process gets the container's, not all. */
		if (!p->has_capabilities && config->process) {
			p->capabilities = config->process->capabilities;
			p->has_capabilities = config->process->has_capabilities;
		}
		*ret = TAKE_PTR(p);
		return 0;
	}
	if (!o->args || !o->args[0])
		return berr_set(err, EINVAL, "exec: no command given (nor --process FILE)");
	if (!config->process)
		return berr_set(err, EINVAL, "config.json: process: must be given");
	p = TAKE_PTR(config->process);
	p->terminal = o->tty;
	if (o->no_new_privs >= 0)
		p->no_new_privileges = o->no_new_privs;
	if ((r = apply_strings(o, p, err)) < 0 || (r = apply_env(p, o->env, err)) < 0 ||
	    (o->user && (r = apply_user(p, o->user, err)) < 0) ||
	    (r = apply_gids(p, o->additional_gids, err)) < 0 ||
	    (r = apply_caps(p, o->caps, err)) < 0)
		return r;
	*ret = TAKE_PTR(p);
	return 0;
}
