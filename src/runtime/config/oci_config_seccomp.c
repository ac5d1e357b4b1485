/* SPDX-License-Identifier: Apache-2.0 */
/* config.json: linux.seccomp (config-linux.md "Seccomp"). */
#include "runtime/config/oci_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "runtime/security/seccomp.h"

/* Limits on what a config may ask for (STYLE.md §8). */
#define MAX_RULES 4096
#define MAX_NAMES 1024
#define MAX_ARGS 16
#define MAX_ARCHES 32
#define MAX_NAME_LEN 64

typedef int (*name_fn)(const char *name);

/* A string member that must name one of the table's values. */
static int get_name(const struct jnode *obj, const char *key, name_fn lookup, const char *what,
		    bool required, int *ret, struct berr **err)
{
	_cleanup_free_ char *s = NULL;
	struct jnode m;
	int r;

	jnode_member(obj, key, &m);
	if (!jnode_present(&m))
		return required ? jnode_err(&m, err, EINVAL, "must be given") : 0;
	r = jnode_string(&m, &s, err);
	if (r < 0)
		return r;
	r = lookup(s);
	if (r < 0)
		return jnode_err(&m, err, EINVAL, "unknown %s '%s'", what, s);
	*ret = r;
	return 1;
}

static bool takes_errno(int action)
{
	return action == SECCOMP_ACT_ERRNO || action == SECCOMP_ACT_TRACE;
}

static int get_errno_ret(const struct jnode *obj, const char *key, int action,
			 struct opt_uint32 *ret, struct berr **err)
{
	struct jnode m;
	int64_t v;
	int r;

	jnode_member(obj, key, &m);
	if (!jnode_present(&m))
		return 0;
	r = jnode_int_range(&m, 0, SECCOMP_ERRNO_MAX, &v, err);
	if (r < 0)
		return r;
	if (!takes_errno(action))
		return jnode_err(&m, err, EINVAL,
				 "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, not %s",
				 seccomp_action_name(action));
	ret->v = (uint32_t) v;
	ret->set = true;
	return 0;
}

static int parse_arg(const struct jnode *e, struct spec_syscall_arg *a, struct berr **err)
{
	int64_t index;
	struct jnode m;
	int r;

	if (!jnode_is_object(e))
		return jnode_err(e, err, EINVAL, "must be an object");
	jnode_member(e, "index", &m);
	if (!jnode_present(&m))
		return jnode_err(&m, err, EINVAL, "must be given");
	r = jnode_int_range(&m, 0, 5, &index, err);
	if (r < 0)
		return r;
	a->index = (uint32_t) index;
	r = jnode_get_uint64(e, "value", &a->value, err);
	if (r == 0)
		return jnode_err(e, err, EINVAL, "value: must be given");
	if (r < 0 || (r = jnode_get_uint64(e, "valueTwo", &a->value_two, err)) < 0)
		return r;
	r = get_name(e, "op", seccomp_op_from_name, "operator", true, &a->op, err);
	return r < 0 ? r : 0;
}

static int parse_args(const struct jnode *rule, struct spec_syscall *sc, struct berr **err)
{
	struct jnode list, e;
	size_t n;
	int r;

	jnode_member(rule, "args", &list);
	if (!jnode_present(&list))
		return 0;
	if ((r = jnode_expect_array(&list, err)) < 0)
		return r;
	n = jnode_array_len(&list);
	if (n > MAX_ARGS)
		return jnode_err(&list, err, E2BIG, "more than %d conditions", MAX_ARGS);
	sc->args = calloc(n ? n : 1, sizeof(*sc->args));
	if (!sc->args)
		return berr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		jnode_array_at(&list, i, &e);
		r = parse_arg(&e, &sc->args[i], err);
		if (r < 0)
			return r;
		sc->n_args++;
	}
	return 0;
}

static int parse_names(const struct jnode *rule, struct spec_syscall *sc, struct berr **err)
{
	struct jnode m, e;
	size_t n;
	int r;

	jnode_member(rule, "names", &m);
	if (!jnode_present(&m))
		return jnode_err(&m, err, EINVAL, "must be given");
	r = jnode_strv(&m, &sc->names, err);
	if (r < 0)
		return r;
	n = strv_length(sc->names);
	if (n == 0)
		return jnode_err(&m, err, EINVAL, "must name at least one syscall");
	if (n > MAX_NAMES)
		return jnode_err(&m, err, E2BIG, "more than %d names", MAX_NAMES);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(sc->names[i]);

		if (len == 0 || len > MAX_NAME_LEN) {
			jnode_array_at(&m, i, &e);
			return jnode_err(&e, err, EINVAL, "must be a syscall name");
		}
	}
	return 0;
}

static int parse_rule(const struct jnode *e, struct spec_syscall *sc, struct berr **err)
{
	int r;

	if (!jnode_is_object(e))
		return jnode_err(e, err, EINVAL, "must be an object");
	if ((r = parse_names(e, sc, err)) < 0 ||
	    (r = get_name(e, "action", seccomp_action_from_name, "action", true, &sc->action,
			  err)) < 0 ||
	    (r = get_errno_ret(e, "errnoRet", sc->action, &sc->errno_ret, err)) < 0)
		return r;
	return parse_args(e, sc, err);
}

static int parse_rules(const struct jnode *n, struct spec_seccomp *out, struct berr **err)
{
	struct jnode list, e;
	size_t len;
	int r;

	jnode_member(n, "syscalls", &list);
	if (!jnode_present(&list))
		return 0;
	if ((r = jnode_expect_array(&list, err)) < 0)
		return r;
	len = jnode_array_len(&list);
	if (len > MAX_RULES)
		return jnode_err(&list, err, E2BIG, "more than %d entries", MAX_RULES);
	out->syscalls = calloc(len ? len : 1, sizeof(*out->syscalls));
	if (!out->syscalls)
		return berr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < len; i++) {
		jnode_array_at(&list, i, &e);
		r = parse_rule(&e, &out->syscalls[i], err);
		out->n_syscalls++;
		if (r < 0)
			return r;
		if (out->syscalls[i].action == SECCOMP_ACT_NOTIFY)
			out->uses_notify = true;
	}
	return 0;
}

/* A member that is an array of names, each looked up in a table. */
static int parse_name_list(const struct jnode *n, const char *key, name_fn lookup, const char *what,
			   int *ret_values, size_t max, size_t *ret_n, struct berr **err)
{
	_cleanup_free_ char *s = NULL;
	struct jnode list, e;
	size_t len;
	int r;

	jnode_member(n, key, &list);
	if (!jnode_present(&list))
		return 0;
	if ((r = jnode_expect_array(&list, err)) < 0)
		return r;
	len = jnode_array_len(&list);
	if (len > max)
		return jnode_err(&list, err, E2BIG, "more than %zu entries", max);
	for (size_t i = 0; i < len; i++) {
		jnode_array_at(&list, i, &e);
		free(s);
		s = NULL;
		if ((r = jnode_string(&e, &s, err)) < 0)
			return r;
		r = lookup(s);
		if (r < 0)
			return jnode_err(&e, err, EINVAL, "unknown %s '%s'", what, s);
		ret_values[i] = r;
	}
	*ret_n = len;
	return 0;
}

static int parse_arches_flags(const struct jnode *n, struct spec_seccomp *out, struct berr **err)
{
	int flags[_SECCOMP_FLAG_MAX * 4];
	size_t n_flags = 0;
	int r;

	out->architectures = calloc(MAX_ARCHES, sizeof(int));
	if (!out->architectures)
		return berr_set(err, ENOMEM, "out of memory");
	r = parse_name_list(n, "architectures", seccomp_arch_from_name, "architecture",
			    out->architectures, MAX_ARCHES, &out->n_architectures, err);
	if (r < 0)
		return r;
	r = parse_name_list(n, "flags", seccomp_flag_from_name, "flag", flags, ELEMENTSOF(flags),
			    &n_flags, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n_flags; i++)
		out->flags |= 1u << flags[i];
	return 0;
}

/* The rules that tie fields together (config-linux.md, and what berth can honour). */
static int check_listener(const struct jnode *n, struct spec_seccomp *out, struct berr **err)
{
	struct jnode m;

	if (out->listener_metadata && !out->listener_path)
		return jnode_err(n, err, EINVAL, "listenerMetadata: needs listenerPath");
	if (out->listener_path) {
		jnode_member(n, "listenerPath", &m);
		if (!*out->listener_path ||
		    strlen(out->listener_path) >= sizeof(((struct sockaddr_un *) 0)->sun_path))
			return jnode_err(&m, err, EINVAL, "must be a socket path shorter than %zu",
					 sizeof(((struct sockaddr_un *) 0)->sun_path));
	}
	if (out->default_action == SECCOMP_ACT_NOTIFY)
		return jnode_err(n, err, EINVAL,
				 "defaultAction: SCMP_ACT_NOTIFY would stop the container before "
				 "the runtime could hand the listener its fd");
	if (out->uses_notify && !out->listener_path)
		return jnode_err(n, err, EINVAL, "SCMP_ACT_NOTIFY needs listenerPath");
	/* berth hands the fd over with sendmsg, under the filter it just loaded. */
	for (size_t i = 0; i < out->n_syscalls; i++)
		if (out->syscalls[i].action == SECCOMP_ACT_NOTIFY &&
		    strv_contains(out->syscalls[i].names, "sendmsg"))
			return jnode_err(n, err, EINVAL,
					 "syscalls[%zu]: SCMP_ACT_NOTIFY on sendmsg would stop the "
					 "runtime before it hands the listener its fd",
					 i);
	return 0;
}

int oci_parse_seccomp(const struct jnode *n, struct spec_seccomp *sc, struct berr **err)
{
	int r;

	if (!jnode_present(n))
		return 0;
	if (!jnode_is_object(n))
		return jnode_err(n, err, EINVAL, "must be an object");
	sc->set = true;
	r = get_name(n, "defaultAction", seccomp_action_from_name, "action", true,
		     &sc->default_action, err);
	if (r < 0 ||
	    (r = get_errno_ret(n, "defaultErrnoRet", sc->default_action, &sc->default_errno_ret,
			       err)) < 0 ||
	    (r = parse_arches_flags(n, sc, err)) < 0 ||
	    (r = jnode_get_string(n, "listenerPath", &sc->listener_path, err)) < 0 ||
	    (r = jnode_get_string(n, "listenerMetadata", &sc->listener_metadata, err)) < 0 ||
	    (r = parse_rules(n, sc, err)) < 0)
		return r;
	return check_listener(n, sc, err);
}

void spec_seccomp_done(struct spec_seccomp *sc)
{
	free(sc->architectures);
	free(sc->listener_path);
	free(sc->listener_metadata);
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		strv_free(sc->syscalls[i].names);
		free(sc->syscalls[i].args);
	}
	free(sc->syscalls);
}
