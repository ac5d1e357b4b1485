/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/seccomp_profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "lib/cleanup.h"
#include "lib/strv.h"

/* scripts/embed.py writes it from data/seccomp_default.json */
extern const char berth_seccomp_default[];

const char *seccomp_default_profile(void)
{
	return berth_seccomp_default;
}

static const char *const arch_map[][3] = {
	/* uname -m, Go's name, libseccomp's name */
	{"x86_64", "amd64", "SCMP_ARCH_X86_64"},     {"aarch64", "arm64", "SCMP_ARCH_AARCH64"},
	{"armv7l", "arm", "SCMP_ARCH_ARM"},	     {"i686", "x86", "SCMP_ARCH_X86"},
	{"ppc64le", "ppc64le", "SCMP_ARCH_PPC64LE"}, {"s390x", "s390x", "SCMP_ARCH_S390X"},
	{"riscv64", "riscv64", "SCMP_ARCH_RISCV64"}, {"mips64", "mips64", "SCMP_ARCH_MIPS64"},
};

void seccomp_target_host(struct seccomp_target *ret)
{
	struct utsname u;

	*ret = (struct seccomp_target){.arch = "amd64"};
	if (uname(&u) < 0)
		return;
	for (size_t i = 0; i < ELEMENTSOF(arch_map); i++)
		if (strcmp(arch_map[i][0], u.machine) == 0)
			ret->arch = arch_map[i][1];
	(void) sscanf(u.release, "%d.%d", &ret->kernel_major, &ret->kernel_minor);
}

static const char *scmp_arch(const char *go_arch)
{
	for (size_t i = 0; i < ELEMENTSOF(arch_map); i++)
		if (strcmp(arch_map[i][1], go_arch) == 0)
			return arch_map[i][2];
	return NULL;
}

/* 1 when the string array member key of n contains s (or, any_of, one of v). */
static int list_has(const struct jnode *n, const char *key, const char *s, char *const *any_of,
		    struct berr **err)
{
	_cleanup_strv_ char **v = NULL;
	int r = jnode_get_strv(n, key, &v, err);

	if (r < 0)
		return r;
	STRV_FOREACH (x, v) {
		if (s && strcmp(*x, s) == 0)
			return 1;
		if (any_of && strv_contains(any_of, *x))
			return 1;
	}
	return 0;
}

/* 1 when every capability named in the array member "caps" of n is in caps. */
static int all_caps(const struct jnode *n, char *const *caps, struct berr **err)
{
	_cleanup_strv_ char **v = NULL;
	int r = jnode_get_strv(n, "caps", &v, err);

	if (r < 0)
		return r;
	STRV_FOREACH (x, v)
		if (!strv_contains(caps, *x))
			return 0;
	return 1;
}

static int kernel_ok(const struct jnode *inc, const struct seccomp_target *t, struct berr **err)
{
	_cleanup_free_ char *min = NULL;
	int major = 0, minor = 0;
	int r = jnode_get_string(inc, "minKernel", &min, err);

	if (r <= 0)
		return r < 0 ? r : 1;
	if (sscanf(min, "%d.%d", &major, &minor) < 1)
		return berr_set(err, EINVAL, "minKernel: bad version '%s'", min);
	return t->kernel_major > major || (t->kernel_major == major && t->kernel_minor >= minor);
}

/* Whether the entry n applies to the target: 1 yes, 0 no, -errno. */
static int applies(const struct jnode *n, const struct seccomp_target *t, struct berr **err)
{
	struct jnode inc, exc;
	int r;

	jnode_member(n, "includes", &inc);
	jnode_member(n, "excludes", &exc);
	if (jnode_present(&inc)) {
		struct jnode arches;

		jnode_member(&inc, "arches", &arches);
		if (jnode_array_len(&arches) > 0 &&
		    (r = list_has(&inc, "arches", t->arch, NULL, err)) <= 0)
			return r;
		if ((r = all_caps(&inc, t->caps, err)) <= 0 || (r = kernel_ok(&inc, t, err)) <= 0)
			return r;
	}
	if (jnode_present(&exc)) {
		if ((r = list_has(&exc, "arches", t->arch, NULL, err)) != 0)
			return r < 0 ? r : 0;
		if ((r = list_has(&exc, "caps", NULL, t->caps, err)) != 0)
			return r < 0 ? r : 0;
	}
	return 1;
}

static int convert_syscall(const struct jnode *n, const struct seccomp_target *t,
			   struct jwriter *out, struct berr **err)
{
	_cleanup_strv_ char **names = NULL;
	_cleanup_free_ char *name = NULL, *action = NULL;
	struct jnode m;
	struct jwriter *s, *arr;
	int r;

	if ((r = applies(n, t, err)) <= 0)
		return r;
	if ((r = jnode_get_strv(n, "names", &names, err)) < 0 ||
	    (r = jnode_get_string(n, "name", &name, err)) < 0 ||
	    (r = jnode_get_string(n, "action", &action, err)) < 0)
		return r;
	if (name && strv_consume(&names, TAKE_PTR(name)) < 0)
		return -ENOMEM;
	if (!names || !action)
		return jnode_err(n, err, EINVAL, "needs names and an action");
	s = jw_object();
	arr = jw_array();
	STRV_FOREACH (x, names)
		jw_append_str(arr, *x);
	jw_put(s, "names", arr);
	jw_str(s, "action", action);
	jnode_member(n, "errnoRet", &m);
	jw_put_node(s, "errnoRet", &m);
	jnode_member(n, "args", &m);
	if (jnode_array_len(&m) > 0)
		jw_put_node(s, "args", &m);
	jw_put(out, NULL, s);
	return 0;
}

/* architectures: the profile's own list, or the archMap entry of the machine. */
static int convert_arches(const struct jnode *root, const struct seccomp_target *t,
			  struct jwriter *out, struct berr **err)
{
	const char *native = scmp_arch(t->arch);
	struct jnode arches, map;

	jnode_member(root, "architectures", &arches);
	if (jnode_present(&arches)) {
		jw_put_node(out, "architectures", &arches);
		return 0;
	}
	jnode_member(root, "archMap", &map);
	for (size_t i = 0; native && i < jnode_array_len(&map); i++) {
		_cleanup_free_ char *a = NULL;
		_cleanup_strv_ char **subs = NULL;
		struct jnode e;
		struct jwriter *list;
		int r;

		jnode_array_at(&map, i, &e);
		if ((r = jnode_get_string(&e, "architecture", &a, err)) < 0 ||
		    (r = jnode_get_strv(&e, "subArchitectures", &subs, err)) < 0)
			return r;
		if (!a || strcmp(a, native) != 0)
			continue;
		list = jw_array();
		jw_append_str(list, a);
		STRV_FOREACH (x, subs)
			jw_append_str(list, *x);
		jw_put(out, "architectures", list);
		break;
	}
	return 0;
}

int seccomp_profile_convert(const char *text, size_t len, const struct seccomp_target *t,
			    struct jwriter **ret, struct berr **err)
{
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	_cleanup_jw_ struct jwriter *out = jw_object();
	_cleanup_free_ char *def = NULL;
	struct jwriter *calls;
	struct jnode root, m, syscalls;
	int r;

	if (!out)
		return -ENOMEM;
	if ((r = jdoc_parse(text, len, "seccomp profile", &doc, err)) < 0)
		return r;
	jdoc_root(doc, &root);
	if ((r = jnode_expect_object(&root, err)) < 0 ||
	    (r = jnode_get_string(&root, "defaultAction", &def, err)) < 0)
		return berr_wrap(err, "seccomp profile");
	if (!def)
		return berr_set(err, EINVAL, "seccomp profile: defaultAction is missing");
	jw_str(out, "defaultAction", def);
	jnode_member(&root, "defaultErrnoRet", &m);
	jw_put_node(out, "defaultErrnoRet", &m);
	if ((r = convert_arches(&root, t, out, err)) < 0)
		return berr_wrap(err, "seccomp profile");
	jnode_member(&root, "flags", &m);
	jw_put_node(out, "flags", &m);
	jnode_member(&root, "syscalls", &syscalls);
	if ((r = jnode_expect_array(&syscalls, err)) < 0)
		return berr_wrap(err, "seccomp profile");
	calls = jw_array();
	jw_put(out, "syscalls", calls);
	for (size_t i = 0; i < jnode_array_len(&syscalls); i++) {
		struct jnode e;

		jnode_array_at(&syscalls, i, &e);
		if ((r = convert_syscall(&e, t, calls, err)) < 0)
			return berr_wrap(err, "seccomp profile");
	}
	*ret = TAKE_PTR(out);
	return 0;
}
