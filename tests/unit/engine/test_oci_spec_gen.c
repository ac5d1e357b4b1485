/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI config with docker's defaults, and what the flags change in it. */
#include <stdlib.h>
#include <string.h>

#include "engine/capabilities.h"
#include "engine/oci_spec_gen.h"
#include "lib/strv.h"
#include "lib/test.h"

static char *generate_lsm(struct container_config *cfg, bool apparmor, bool selinux)
{
	struct exec_user user = {.uid = 0, .gid = 0, .home = "/root"};
	char *src[] = {"/h", NULL};
	struct spec_inputs in = {.cfg = cfg,
				 .dir = "/ctr",
				 .netns_path = "/ctr/netns",
				 .user = &user,
				 .mount_sources = src,
				 .devdir = "/dev",
				 .apparmor = apparmor,
				 .selinux = selinux};
	struct berr *err = NULL;
	char *json = NULL;

	if (oci_spec_generate(&in, &json, &err) < 0)
		TEST_FAIL("%s", err ? err->msg : "?");
	return json;
}

static char *generate(struct container_config *cfg)
{
	return generate_lsm(cfg, false, false);
}

static void test_defaults(void)
{
	char *args[] = {"ping", "127.0.0.1", NULL};
	struct container_config cfg = {
		.id = "abc123", .hostname = "abc", .args = args, .stop_timeout = -1};
	char *json = generate(&cfg);

	ASSERT_CONTAINS(json, "\"CAP_NET_RAW\"");
	ASSERT_TRUE(!strstr(json, "\"CAP_SYS_ADMIN\""));
	ASSERT_CONTAINS(json, "\"/proc/kcore\"");
	ASSERT_CONTAINS(json, "\"readonlyPaths\"");
	ASSERT_CONTAINS(json, "\"seccomp\"");
	ASSERT_CONTAINS(json, "\"SCMP_ACT_ERRNO\"");
	ASSERT_CONTAINS(json, "\"cgroupsPath\":\"/berth/abc123\"");
	ASSERT_CONTAINS(json, "\"path\":\"/ctr/netns\"");
	ASSERT_CONTAINS(json, "\"/ctr/hostname\"");
	ASSERT_CONTAINS(json, "\"HOME=/root\"");
	ASSERT_CONTAINS(json, "\"PATH=/usr/local/sbin");
	free(json);
}

static void test_privileged_and_flags(void)
{
	char *args[] = {"sh", NULL}, *add[] = {"sys_admin", NULL};
	struct ctr_mount m = {
		.kind = MOUNT_BIND, .source = "/h", .target = "/data", .readonly = true};
	struct container_config cfg = {.id = "abc123",
				       .hostname = "abc",
				       .args = args,
				       .cap_add = add,
				       .memory = 64 << 20,
				       .pids_limit = 10,
				       .read_only = true,
				       .mounts = &m,
				       .n_mounts = 1,
				       .cgroup_parent = "/berth-test/x",
				       .stop_timeout = -1};
	char *json = generate(&cfg);

	ASSERT_CONTAINS(json, "\"CAP_SYS_ADMIN\"");
	ASSERT_CONTAINS(json, "\"limit\":67108864");
	ASSERT_CONTAINS(json, "\"readonly\":true");
	ASSERT_CONTAINS(json, "\"destination\":\"/data\"");
	ASSERT_CONTAINS(json, "\"cgroupsPath\":\"/berth-test/x/abc123\"");
	free(json);
	cfg.privileged = true;
	cfg.cap_add = NULL;
	json = generate(&cfg);
	ASSERT_TRUE(!strstr(json, "\"maskedPaths\""));
	ASSERT_TRUE(!strstr(json, "\"seccomp\""));
	free(json);
}

/* --security-opt apparmor= and label=: written where the host has the LSM, as docker. */
static void test_lsm_options(void)
{
	char *args[] = {"sh", NULL}, *label[] = {"type:svirt_lxc_net_t", "level:s0:c1,c2", NULL};
	char *disable[] = {"disable", NULL};
	struct container_config cfg = {.id = "abc123",
				       .hostname = "abc",
				       .args = args,
				       .apparmor = "berth-test",
				       .label_opts = label,
				       .stop_timeout = -1};
	char *json = generate_lsm(&cfg, true, true);

	ASSERT_CONTAINS(json, "\"apparmorProfile\":\"berth-test\"");
	ASSERT_CONTAINS(json, "\"selinuxLabel\":\"system_u:system_r:svirt_lxc_net_t:s0:c1,c2\"");
	free(json);
	/* A host without them: nothing the runtime would refuse. */
	json = generate_lsm(&cfg, false, false);
	ASSERT_TRUE(!strstr(json, "apparmorProfile"));
	ASSERT_TRUE(!strstr(json, "selinuxLabel"));
	free(json);
	/* unconfined and label=disable: no label; --privileged: none either. */
	cfg.apparmor = "unconfined";
	cfg.label_opts = disable;
	json = generate_lsm(&cfg, true, true);
	ASSERT_TRUE(!strstr(json, "apparmorProfile"));
	ASSERT_TRUE(!strstr(json, "selinuxLabel"));
	free(json);
	cfg.apparmor = "berth-test";
	cfg.label_opts = label;
	cfg.privileged = true;
	json = generate_lsm(&cfg, true, true);
	ASSERT_TRUE(!strstr(json, "apparmorProfile"));
	ASSERT_TRUE(!strstr(json, "selinuxLabel"));
	free(json);
}

static void test_caps(void)
{
	char *drop[] = {"ALL", NULL}, *add[] = {"net_admin", NULL}, *bad[] = {"nope", NULL};
	char **caps = NULL;
	struct berr *err = NULL;

	ASSERT_OK(caps_compute(false, NULL, NULL, &caps, NULL));
	ASSERT_EQ(strv_length(caps), 14);
	caps = strv_free(caps);
	ASSERT_OK(caps_compute(false, add, drop, &caps, NULL));
	ASSERT_EQ(strv_length(caps), 1);
	ASSERT_STREQ(caps[0], "CAP_NET_ADMIN");
	caps = strv_free(caps);
	ASSERT_EQ(caps_compute(false, bad, NULL, &caps, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "CAP_NOPE");
	berr_free(err);
}

/* --network container:NAME: the donor's namespace by path, its /etc files bound */
static void test_network_joins_the_donor(void)
{
	char *args[] = {"sh", NULL}, *src[] = {NULL};
	struct exec_user user = {.uid = 0, .gid = 0, .home = "/root"};
	struct container_config cfg = {.id = "abc123",
				       .hostname = "web",
				       .args = args,
				       .network = NETWORK_CONTAINER,
				       .network_name = "container:def456",
				       .stop_timeout = -1};
	struct ns_joins joins = {.path = {[NS_SHARE_NET] = "/proc/42/ns/net"},
				 .etc_dir = "/root/containers/def456"};
	struct spec_inputs in = {.cfg = &cfg,
				 .dir = "/ctr",
				 .user = &user,
				 .mount_sources = src,
				 .devdir = "/dev",
				 .joins = &joins};
	char *json = NULL;

	ASSERT_OK(oci_spec_generate(&in, &json, NULL));
	ASSERT_CONTAINS(json, "\"type\":\"network\",\n\t\t\t\t\"path\":\"/proc/42/ns/net\"");
	ASSERT_CONTAINS(json, "\"source\":\"/root/containers/def456/hosts\"");
	ASSERT_CONTAINS(json, "\"source\":\"/root/containers/def456/resolv.conf\"");
	ASSERT_CONTAINS(json, "\"source\":\"/root/containers/def456/hostname\"");
	ASSERT_NULL(strstr(json, "\"/ctr/hosts\""));
	/* its own UTS namespace, named as the donor */
	ASSERT_CONTAINS(json, "\"hostname\":\"web\"");
	ASSERT_CONTAINS(json, "\"type\":\"uts\"\n");
	free(json);
}

static const struct test tests[] = {
	TEST(test_defaults),	TEST(test_privileged_and_flags),    TEST(test_caps),
	TEST(test_lsm_options), TEST(test_network_joins_the_donor), {},
};

int main(void)
{
	return test_main(tests);
}
