/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `features` parses, and says a feature is supported exactly when support_check does
 * not warn that a config using it is not applied.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/test.h"
#include "runtime/security/caps.h"
#include "runtime/config/mount_opts.h"
#include "runtime/process/namespaces.h"
#include "runtime/config/oci_config.h"
#include "runtime/config/oci_features.h"
#include "runtime/security/seccomp.h"
#include "runtime/config/support.h"

#define BASE                                                                                       \
	"{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"},"                            \
	" \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"]%s},"                                    \
	" \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"},"              \
	" {\"type\": \"mount\"}]%s}%s}"

static struct jdoc *doc;
static struct jnode root;
static char warned[4096]; /* every warning of the last support_check, one a line */

static void load_features(void)
{
	_cleanup_free_ char *text = NULL;
	struct berr *err = NULL;

	if (doc)
		return;
	ASSERT_OK(features_json(&text, &err));
	ASSERT_OK(jdoc_parse(text, strlen(text), "features", &doc, &err));
	jdoc_root(doc, &root);
}

/* The node at a dotted path ("linux.seccomp.enabled"); nodes[] keeps the parents alive. */
static void lookup(const char *path, struct jnode nodes[8], struct jnode **ret)
{
	char copy[128], *save = NULL;
	size_t depth = 0;

	snprintf(copy, sizeof(copy), "%s", path);
	nodes[0] = root;
	for (char *k = strtok_r(copy, ".", &save); k && depth < 7; k = strtok_r(NULL, ".", &save)) {
		jnode_member(&nodes[depth], k, &nodes[depth + 1]);
		depth++;
	}
	*ret = &nodes[depth];
}

static bool get_bool(const char *path)
{
	struct jnode nodes[8], *n;
	bool v = false;
	struct berr *err = NULL;

	lookup(path, nodes, &n);
	ASSERT_TRUE(jnode_present(n));
	ASSERT_OK(jnode_bool(n, &v, &err));
	return v;
}

static char **get_strv(const char *path)
{
	struct jnode nodes[8], *n;
	char **v = NULL;
	struct berr *err = NULL;

	lookup(path, nodes, &n);
	ASSERT_TRUE(jnode_is_array(n));
	ASSERT_OK(jnode_strv(n, &v, &err));
	return v;
}

static bool present(const char *path)
{
	struct jnode nodes[8], *n;

	lookup(path, nodes, &n);
	return jnode_present(n);
}

static void collect(const char *message)
{
	size_t len = strlen(warned);

	snprintf(warned + len, sizeof(warned) - len, "%s\n", message);
}

static void test_features_parse(void)
{
	_cleanup_strv_ char **ns = NULL, **caps = NULL;
	_cleanup_free_ char *min = NULL, *max = NULL;
	struct berr *err = NULL;

	load_features();
	ASSERT_OK(jnode_get_string(&root, "ociVersionMin", &min, &err));
	ASSERT_OK(jnode_get_string(&root, "ociVersionMax", &max, &err));
	ASSERT_STREQ(min, BERTH_OCI_VERSION_MIN);
	ASSERT_STREQ(max, BERTH_OCI_VERSION);
	ns = get_strv("linux.namespaces");
	ASSERT_EQ(strv_length(ns), _NS_TYPE_MAX);
	STRV_FOREACH (n, ns)
		ASSERT_TRUE(ns_type_from_spec_name(*n) >= 0);
	caps = get_strv("linux.capabilities");
	ASSERT_EQ(strv_length(caps), (size_t) cap_last_known() + 1);
	STRV_FOREACH (c, caps)
		ASSERT_TRUE(cap_from_name(*c) >= 0);
	ASSERT_TRUE(get_bool("linux.cgroup.v1"));
	ASSERT_TRUE(get_bool("linux.cgroup.v2"));
	ASSERT_FALSE(get_bool("linux.cgroup.systemd"));
	ASSERT_TRUE(present("annotations"));
}

/* Every mount option listed is one the parser knows (none becomes filesystem data). */
static void test_mount_options_are_recognised(void)
{
	_cleanup_strv_ char **opts = NULL;

	load_features();
	opts = get_strv("mountOptions");
	ASSERT_TRUE(strv_length(opts) > 40);
	ASSERT_TRUE(strv_contains(opts, "rbind"));
	ASSERT_TRUE(strv_contains(opts, "rro"));
	ASSERT_FALSE(strv_contains(opts, "acl")); /* filesystem data (features.md: SHOULD NOT) */
	STRV_FOREACH (o, opts) {
		char *one[] = {*o, NULL};
		struct mount_opts m = {0};

		ASSERT_OK(mount_opts_parse(one, &m));
		ASSERT_NULL(m.data);
	}
}

static void test_hooks_all_or_none(void)
{
	_cleanup_strv_ char **hooks = NULL;

	load_features();
	hooks = get_strv("hooks");
	if (!support_field_applied("hooks")) {
		ASSERT_EQ(strv_length(hooks), 0);
		return;
	}
	ASSERT_EQ(strv_length(hooks), _HOOK_KIND_MAX);
	for (int k = 0; k < _HOOK_KIND_MAX; k++)
		ASSERT_TRUE(strv_contains(hooks, hook_kind_name((enum hook_kind) k)));
}

/* Each seccomp list names exactly what the parser takes; supported flags are known ones. */
static void test_seccomp_lists_are_recognised(void)
{
	static const struct {
		const char *path;
		int (*from_name)(const char *name);
		int n;
	} lists[] = {
		{"linux.seccomp.actions", seccomp_action_from_name, _SECCOMP_ACT_MAX},
		{"linux.seccomp.operators", seccomp_op_from_name, _SECCOMP_OP_MAX},
		{"linux.seccomp.archs", seccomp_arch_from_name, _SECCOMP_ARCH_MAX},
		{"linux.seccomp.knownFlags", seccomp_flag_from_name, _SECCOMP_FLAG_MAX},
	};
	_cleanup_strv_ char **known = NULL, **supported = NULL;

	load_features();
	if (!get_bool("linux.seccomp.enabled"))
		return;
	for (size_t i = 0; i < ELEMENTSOF(lists); i++) {
		_cleanup_strv_ char **names = get_strv(lists[i].path);

		ASSERT_EQ(strv_length(names), (size_t) lists[i].n);
		STRV_FOREACH (n, names)
			ASSERT_TRUE(lists[i].from_name(*n) >= 0);
	}
	known = get_strv("linux.seccomp.knownFlags");
	supported = get_strv("linux.seccomp.supportedFlags");
	STRV_FOREACH (f, supported)
		ASSERT_TRUE(strv_contains(known, *f));
	/* Linux 4.14: every kernel berth runs on takes the log flag. */
	ASSERT_TRUE(strv_contains(supported, "SECCOMP_FILTER_FLAG_LOG"));
}

static bool has_tmpcopyup(void)
{
	_cleanup_strv_ char **opts = get_strv("mountOptions");

	return strv_contains(opts, "tmpcopyup");
}
static bool has_hooks(void)
{
	_cleanup_strv_ char **hooks = get_strv("hooks");

	return strv_length(hooks) > 0;
}
static bool has_seccomp(void)
{
	return get_bool("linux.seccomp.enabled");
}
static bool has_apparmor(void)
{
	return get_bool("linux.apparmor.enabled");
}
static bool has_selinux(void)
{
	return get_bool("linux.selinux.enabled");
}
static bool has_intel_rdt(void)
{
	return get_bool("linux.intelRdt.enabled");
}
static bool has_net_devices(void)
{
	return get_bool("linux.netDevices.enabled");
}
static bool has_idmap(void)
{
	return get_bool("linux.mountExtensions.idmap.enabled");
}
static bool has_rdma(void)
{
	return get_bool("linux.cgroup.rdma");
}
static bool has_memory_policy(void)
{
	return present("linux.memoryPolicy");
}

#define IDMAP_MOUNT                                                                                \
	", \"mounts\": [{\"destination\": \"/m\", \"type\": \"bind\", \"source\": \"/tmp\","       \
	" \"options\": [\"rbind\", \"idmap\"],"                                                    \
	" \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}],"                 \
	" \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]}]"

/* A config using one feature, the field support_check warns with, where features says it. */
static const struct {
	const char *process, *linux, *top;
	const char *field;
	bool (*supported)(void);
} cases[] = {
	{"", "", ", \"hooks\": {\"poststop\": [{\"path\": \"/bin/true\"}]}", "hooks", has_hooks},
	{"", ", \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\"}", "", "linux.seccomp",
	 has_seccomp},
	{", \"apparmorProfile\": \"berth\"", "", "", "process.apparmorProfile", has_apparmor},
	{", \"selinuxLabel\": \"system_u:system_r:container_t:s0\"", "", "", "process.selinuxLabel",
	 has_selinux},
	{"", ", \"intelRdt\": {\"closID\": \"berth\"}", "", "linux.intelRdt", has_intel_rdt},
	{"", ", \"netDevices\": {\"eth9\": {}}", "", "linux.netDevices", has_net_devices},
	{"", "", IDMAP_MOUNT, "mounts[].options: idmap", has_idmap},
	{"", "",
	 ", \"mounts\": [{\"destination\": \"/t\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
	 " \"options\": [\"tmpcopyup\"]}]",
	 "mounts[].options: tmpcopyup", has_tmpcopyup},
	{"", ", \"resources\": {\"rdma\": {\"mlx5_1\": {\"hcaHandles\": 3}}}", "",
	 "linux.resources", has_rdma},
	{"", ", \"memoryPolicy\": {\"mode\": \"MPOL_BIND\", \"nodes\": \"0\"}", "",
	 "linux.memoryPolicy", has_memory_policy},
};

static void test_features_match_warnings(void)
{
	load_features();
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_spec_ struct spec *s = NULL;
		struct berr *err = NULL;
		char config[4096], needle[128];
		bool warns;

		snprintf(config, sizeof(config), BASE, cases[i].process, cases[i].linux,
			 cases[i].top);
		ASSERT_OK(oci_config_parse(config, strlen(config), &s, &err));
		warned[0] = '\0';
		snprintf(needle, sizeof(needle), "config.json: %s: not applied", cases[i].field);
		/* Refused where ignoring it would be wrong (intelRdt: config-linux.md). */
		if (support_check(s, false, false, collect, &err) < 0) {
			ASSERT_TRUE(strstr(err->msg, cases[i].field) != NULL);
			snprintf(warned, sizeof(warned), "%s\n", needle);
			berr_clear(&err);
		}
		warns = strstr(warned, needle) != NULL;
		if (warns == cases[i].supported()) {
			printf("# %s: features says %s, support_check %s\n", cases[i].field,
			       warns ? "supported" : "unsupported",
			       warns ? "warns" : "does not warn");
			ASSERT_TRUE(warns != cases[i].supported());
		}
		ASSERT_EQ(support_field_applied(cases[i].field), !warns);
	}
}

static void test_support_field_applied_prefixes(void)
{
	/* A field inside one that is not applied is not applied either. */
	if (!support_field_applied("linux.resources"))
		ASSERT_FALSE(support_field_applied("linux.resources.rdma"));
	ASSERT_TRUE(support_field_applied("process.args"));
	ASSERT_TRUE(support_field_applied("linux.resourcesX"));
}

static void features_done(void)
{
	doc = jdoc_free(doc);
}

static const struct test tests[] = {
	TEST(test_features_parse),
	TEST(test_mount_options_are_recognised),
	TEST(test_hooks_all_or_none),
	TEST(test_seccomp_lists_are_recognised),
	TEST(test_features_match_warnings),
	TEST(test_support_field_applied_prefixes),
	{NULL, NULL},
};

int main(void)
{
	int r = test_main(tests);

	features_done();
	return r;
}
