/* SPDX-License-Identifier: Apache-2.0 */
/* config.json: the "process" object (also exec's --process file). */
#include "runtime/config/oci_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "runtime/process/affinity.h"
#include "runtime/security/caps.h"
#include "runtime/process/process_attrs.h"
#include "runtime/process/rlimits.h"

struct name_value {
	const char *name;
	int value;
};

static const struct name_value io_classes[] = {
	{"IOPRIO_CLASS_RT", 1},
	{"IOPRIO_CLASS_BE", 2},
	{"IOPRIO_CLASS_IDLE", 3},
	{NULL, 0},
};

static const struct name_value sched_policies[] = {
	{"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2},	      {"SCHED_BATCH", 3},
	{"SCHED_ISO", 4},   {"SCHED_IDLE", 5}, {"SCHED_DEADLINE", 6}, {NULL, 0},
};

static const struct name_value sched_flags[] = {
	{"SCHED_FLAG_RESET_ON_FORK", 0x01},  {"SCHED_FLAG_RECLAIM", 0x02},
	{"SCHED_FLAG_DL_OVERRUN", 0x04},     {"SCHED_FLAG_KEEP_POLICY", 0x08},
	{"SCHED_FLAG_KEEP_PARAMS", 0x10},    {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
	{"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40}, {NULL, 0},
};

/* Read a string member that must be one of table's names; 0 if absent, 1 if set. */
static int get_enum(const struct jnode *obj, const char *key, const struct name_value *table,
		    int *ret, struct berr **err)
{
	_cleanup_free_ char *s = NULL;
	struct jnode m;
	int r;

	jnode_member(obj, key, &m);
	if (!jnode_present(&m))
		return 0;
	r = jnode_string(&m, &s, err);
	if (r < 0)
		return r;
	for (const struct name_value *t = table; t->name; t++) {
		if (strcmp(t->name, s) == 0) {
			*ret = t->value;
			return 1;
		}
	}
	return jnode_err(&m, err, EINVAL, "unknown value '%s'", s);
}

#define GET_OPT(fn, obj, key, opt)                                                                 \
	do {                                                                                       \
		int _r = fn(obj, key, &(opt).v, err);                                              \
		if (_r < 0)                                                                        \
			return _r;                                                                 \
		(opt).set = _r > 0;                                                                \
	} while (0)

static int parse_user(const struct jnode *p, struct spec_user *u, struct berr **err)
{
	struct jnode user, gids;
	int r;

	jnode_member(p, "user", &user);
	if (!jnode_present(&user))
		return 0;
	if (!jnode_is_object(&user))
		return jnode_err(&user, err, EINVAL, "must be an object");
	if ((r = jnode_get_uint32(&user, "uid", &u->uid, err)) < 0 ||
	    (r = jnode_get_uint32(&user, "gid", &u->gid, err)) < 0 ||
	    (r = jnode_get_string(&user, "username", &u->username, err)) < 0)
		return r;
	GET_OPT(jnode_get_uint32, &user, "umask", u->umask);
	jnode_member(&user, "additionalGids", &gids);
	if (!jnode_present(&gids))
		return 0;
	r = jnode_expect_array(&gids, err);
	if (r < 0)
		return r;
	u->n_additional_gids = jnode_array_len(&gids);
	u->additional_gids = calloc(u->n_additional_gids + 1, sizeof(uint32_t));
	if (!u->additional_gids)
		return berr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < u->n_additional_gids; i++) {
		struct jnode e;
		int64_t v = 0;

		jnode_array_at(&gids, i, &e);
		r = jnode_int_range(&e, 0, UINT32_MAX, &v, err);
		if (r < 0)
			return r;
		u->additional_gids[i] = (uint32_t) v;
	}
	return 0;
}

static int warn_unknown_cap(const struct jnode *e, const char *name, char ***warnings)
{
	_cleanup_free_ char *path = jnode_path(e);
	char *msg = NULL;

	if (!path || asprintf(&msg, "%s: unknown capability '%s', ignoring", path, name) < 0)
		return -ENOMEM;
	return strv_consume(warnings, msg);
}

static int parse_cap_set(const struct jnode *caps, const char *key, uint64_t *ret, char ***warnings,
			 struct berr **err)
{
	struct jnode set;
	size_t len;
	int r;

	jnode_member(caps, key, &set);
	if (!jnode_present(&set))
		return 0;
	r = jnode_expect_array(&set, err);
	if (r < 0)
		return r;
	len = jnode_array_len(&set);
	for (size_t i = 0; i < len; i++) {
		_cleanup_free_ char *name = NULL;
		struct jnode e;
		int cap;

		jnode_array_at(&set, i, &e);
		r = jnode_string(&e, &name, err);
		if (r < 0)
			return r;
		cap = cap_from_name(name);
		/*
		 * config.md: a capability that cannot be mapped to the kernel MUST be
		 * logged as a warning, and runtimes SHOULD NOT fail for it (as runc).
		 */
		if (cap < 0) {
			r = warn_unknown_cap(&e, name, warnings);
			if (r < 0)
				return berr_set(err, -r, "out of memory");
			continue;
		}
		*ret |= 1ULL << cap;
	}
	return 0;
}

static int parse_capabilities(const struct jnode *p, struct spec_process *proc, struct berr **err)
{
	struct jnode caps;
	struct spec_capabilities *c = &proc->capabilities;
	int r;

	jnode_member(p, "capabilities", &caps);
	if (!jnode_present(&caps))
		return 0;
	if (!jnode_is_object(&caps))
		return jnode_err(&caps, err, EINVAL, "must be an object");
	proc->has_capabilities = true;
	if ((r = parse_cap_set(&caps, "bounding", &c->bounding, &proc->warnings, err)) < 0 ||
	    (r = parse_cap_set(&caps, "effective", &c->effective, &proc->warnings, err)) < 0 ||
	    (r = parse_cap_set(&caps, "inheritable", &c->inheritable, &proc->warnings, err)) < 0 ||
	    (r = parse_cap_set(&caps, "permitted", &c->permitted, &proc->warnings, err)) < 0 ||
	    (r = parse_cap_set(&caps, "ambient", &c->ambient, &proc->warnings, err)) < 0)
		return r;
	return 0;
}

static int parse_rlimit(const struct jnode *e, struct spec_rlimit *rl, uint32_t *seen,
			struct berr **err)
{
	_cleanup_free_ char *type = NULL;
	struct jnode m;
	int r;

	if (!jnode_is_object(e))
		return jnode_err(e, err, EINVAL, "must be an object");
	jnode_member(e, "type", &m);
	if (!jnode_present(&m))
		return jnode_err(&m, err, EINVAL, "must be given");
	r = jnode_string(&m, &type, err);
	if (r < 0)
		return r;
	rl->resource = rlimit_from_name(type);
	if (rl->resource < 0)
		return jnode_err(&m, err, EINVAL, "unknown rlimit '%s'", type);
	if (*seen & (1u << rl->resource))
		return jnode_err(&m, err, EINVAL, "'%s' given twice", type);
	*seen |= 1u << rl->resource;
	if ((r = jnode_get_uint64(e, "soft", &rl->soft, err)) < 0)
		return r;
	if (r == 0)
		return jnode_err(e, err, EINVAL, "soft: must be given");
	if ((r = jnode_get_uint64(e, "hard", &rl->hard, err)) < 0)
		return r;
	if (r == 0)
		return jnode_err(e, err, EINVAL, "hard: must be given");
	if (rl->soft > rl->hard)
		return jnode_err(e, err, EINVAL, "soft limit is above the hard limit");
	return 0;
}

static int parse_rlimits(const struct jnode *p, struct spec_process *proc, struct berr **err)
{
	struct jnode list;
	uint32_t seen = 0;
	size_t len;
	int r;

	jnode_member(p, "rlimits", &list);
	if (!jnode_present(&list))
		return 0;
	r = jnode_expect_array(&list, err);
	if (r < 0)
		return r;
	len = jnode_array_len(&list);
	proc->rlimits = calloc(len + 1, sizeof(struct spec_rlimit));
	if (!proc->rlimits)
		return berr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < len; i++) {
		struct jnode e;

		jnode_array_at(&list, i, &e);
		r = parse_rlimit(&e, &proc->rlimits[i], &seen, err);
		if (r < 0)
			return r;
		proc->n_rlimits++;
	}
	return 0;
}

static int parse_io_priority(const struct jnode *p, struct spec_io_priority *io, struct berr **err)
{
	struct jnode m;
	int r;

	jnode_member(p, "ioPriority", &m);
	if (!jnode_present(&m))
		return 0;
	if (!jnode_is_object(&m))
		return jnode_err(&m, err, EINVAL, "must be an object");
	r = get_enum(&m, "class", io_classes, &io->class, err);
	if (r < 0)
		return r;
	if (r == 0)
		return jnode_err(&m, err, EINVAL, "class: must be given");
	r = jnode_get_int32(&m, "priority", &io->priority, err);
	if (r < 0)
		return r;
	if (io->priority < 0 || io->priority > 7)
		return jnode_err(&m, err, EINVAL, "priority: must be between 0 and 7");
	io->set = true;
	return 0;
}

static int parse_sched_flags(const struct jnode *sched, uint64_t *ret, struct berr **err)
{
	struct jnode list;
	size_t len;
	int r;

	jnode_member(sched, "flags", &list);
	r = jnode_expect_array(&list, err);
	if (r < 0)
		return r;
	len = jnode_array_len(&list);
	for (size_t i = 0; i < len; i++) {
		_cleanup_free_ char *name = NULL;
		struct jnode e;
		bool found = false;

		jnode_array_at(&list, i, &e);
		r = jnode_string(&e, &name, err);
		if (r < 0)
			return r;
		for (const struct name_value *t = sched_flags; t->name; t++)
			if (strcmp(t->name, name) == 0) {
				*ret |= (uint64_t) t->value;
				found = true;
			}
		if (!found)
			return jnode_err(&e, err, EINVAL, "unknown flag '%s'", name);
	}
	return 0;
}

static int parse_scheduler(const struct jnode *p, struct spec_scheduler *s, struct berr **err)
{
	struct jnode m;
	int r;

	jnode_member(p, "scheduler", &m);
	if (!jnode_present(&m))
		return 0;
	if (!jnode_is_object(&m))
		return jnode_err(&m, err, EINVAL, "must be an object");
	r = get_enum(&m, "policy", sched_policies, &s->policy, err);
	if (r < 0)
		return r;
	if (r == 0)
		return jnode_err(&m, err, EINVAL, "policy: must be given");
	GET_OPT(jnode_get_int32, &m, "nice", s->nice);
	GET_OPT(jnode_get_int32, &m, "priority", s->priority);
	GET_OPT(jnode_get_uint64, &m, "runtime", s->runtime);
	GET_OPT(jnode_get_uint64, &m, "deadline", s->deadline);
	GET_OPT(jnode_get_uint64, &m, "period", s->period);
	r = parse_sched_flags(&m, &s->flags, err);
	if (r < 0)
		return r;
	if (s->nice.set && (s->nice.v < -20 || s->nice.v > 19))
		return jnode_err(&m, err, EINVAL, "nice: must be between -20 and 19");
	s->set = true;
	return 0;
}

static int check_cpu_list(const struct jnode *aff, const char *key, const char *v,
			  struct berr **err)
{
	struct jnode m;
	cpu_set_t set;

	if (!v || !*v || affinity_parse(v, key, &set, NULL) == 0)
		return 0;
	jnode_member(aff, key, &m);
	return jnode_err(&m, err, EINVAL, "'%s' is not a CPU list like '0-3,7'", v);
}

static int parse_affinity(const struct jnode *p, struct spec_process *proc, struct berr **err)
{
	struct jnode m;
	int r;

	jnode_member(p, "execCPUAffinity", &m);
	if (!jnode_present(&m))
		return 0;
	if (!jnode_is_object(&m))
		return jnode_err(&m, err, EINVAL, "must be an object");
	if ((r = jnode_get_string(&m, "initial", &proc->exec_cpu_affinity_initial, err)) < 0 ||
	    (r = jnode_get_string(&m, "final", &proc->exec_cpu_affinity_final, err)) < 0 ||
	    (r = check_cpu_list(&m, "initial", proc->exec_cpu_affinity_initial, err)) < 0 ||
	    (r = check_cpu_list(&m, "final", proc->exec_cpu_affinity_final, err)) < 0)
		return r;
	return 0;
}

static int parse_console_size(const struct jnode *p, struct spec_process *proc, struct berr **err)
{
	struct jnode m;

	jnode_member(p, "consoleSize", &m);
	if (!jnode_present(&m))
		return 0;
	if (!jnode_is_object(&m))
		return jnode_err(&m, err, EINVAL, "must be an object");
	GET_OPT(jnode_get_uint64, &m, "height", proc->console_height);
	GET_OPT(jnode_get_uint64, &m, "width", proc->console_width);
	if (!proc->console_height.set || !proc->console_width.set)
		return jnode_err(&m, err, EINVAL, "height and width must both be given");
	return 0;
}

static int parse_args_env_cwd(const struct jnode *p, struct spec_process *proc, struct berr **err)
{
	struct jnode m;
	int r;

	jnode_member(p, "args", &m);
	if ((r = jnode_get_strv(p, "args", &proc->args, err)) < 0)
		return r;
	if (!proc->args || !proc->args[0])
		return jnode_err(&m, err, EINVAL, "must be a non-empty array");
	if ((r = jnode_get_string(p, "commandLine", &proc->command_line, err)) < 0 ||
	    (r = jnode_get_strv(p, "env", &proc->env, err)) < 0)
		return r;
	STRV_FOREACH (e, proc->env) {
		if (!strchr(*e, '=') || **e == '=') {
			jnode_member(p, "env", &m);
			return jnode_err(&m, err, EINVAL, "'%s' is not NAME=VALUE", *e);
		}
	}
	jnode_member(p, "cwd", &m);
	if (!jnode_present(&m))
		return jnode_err(&m, err, EINVAL, "must be given");
	r = jnode_string(&m, &proc->cwd, err);
	if (r < 0)
		return r;
	if (proc->cwd[0] != '/')
		return jnode_err(&m, err, EINVAL, "must be an absolute path, not '%s'", proc->cwd);
	return 0;
}

static int parse_process_fields(const struct jnode *p, struct spec_process *proc, struct berr **err)
{
	int r;

	if ((r = parse_args_env_cwd(p, proc, err)) < 0 ||
	    (r = jnode_get_bool(p, "terminal", &proc->terminal, err)) < 0 ||
	    (r = parse_console_size(p, proc, err)) < 0 ||
	    (r = parse_user(p, &proc->user, err)) < 0 ||
	    (r = parse_capabilities(p, proc, err)) < 0 || (r = parse_rlimits(p, proc, err)) < 0 ||
	    (r = jnode_get_bool(p, "noNewPrivileges", &proc->no_new_privileges, err)) < 0 ||
	    (r = jnode_get_string(p, "apparmorProfile", &proc->apparmor_profile, err)) < 0 ||
	    (r = jnode_get_string(p, "selinuxLabel", &proc->selinux_label, err)) < 0 ||
	    (r = parse_io_priority(p, &proc->io_priority, err)) < 0 ||
	    (r = parse_scheduler(p, &proc->scheduler, err)) < 0 ||
	    (r = parse_affinity(p, proc, err)) < 0)
		return r;
	GET_OPT(jnode_get_int32, p, "oomScoreAdj", proc->oom_score_adj);
	if (proc->oom_score_adj.set &&
	    (proc->oom_score_adj.v < -1000 || proc->oom_score_adj.v > 1000))
		return berr_set(err, EINVAL, "process.oomScoreAdj: must be between -1000 and 1000");
	return process_attrs_validate(proc, err);
}

int oci_parse_process(const struct jnode *p, struct spec_process **ret, struct berr **err)
{
	struct spec_process *proc;
	int r;

	if (!jnode_is_object(p))
		return jnode_err(p, err, EINVAL, "must be an object");
	proc = calloc(1, sizeof(*proc));
	if (!proc)
		return berr_set(err, ENOMEM, "out of memory");
	r = parse_process_fields(p, proc, err);
	if (r < 0) {
		spec_process_free(proc);
		return r;
	}
	spec_process_free(*ret);
	*ret = proc;
	return 0;
}

void spec_process_done(struct spec_process *p)
{
	free(p->user.additional_gids);
	free(p->user.username);
	strv_free(p->args);
	free(p->command_line);
	strv_free(p->env);
	free(p->cwd);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	free(p->exec_cpu_affinity_initial);
	free(p->exec_cpu_affinity_final);
	strv_free(p->warnings);
}

struct spec_process *spec_process_free(struct spec_process *p)
{
	if (p) {
		spec_process_done(p);
		free(p);
	}
	return NULL;
}

int oci_process_parse(const char *text, size_t len, struct spec_process **ret, struct berr **err)
{
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	struct jnode top;
	int r;

	r = jdoc_parse(text, len, "process.json", &doc, err);
	if (r < 0)
		return r;
	jdoc_root(doc, &top);
	r = oci_parse_process(&top, ret, err);
	if (r < 0)
		return berr_wrap(err, "process.json");
	return 0;
}
