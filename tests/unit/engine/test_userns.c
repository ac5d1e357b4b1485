/* SPDX-License-Identifier: Apache-2.0 */
/* --userns, --uidmap, --gidmap into a config, and the user namespace in the OCI config. */
#include <stdlib.h>
#include <string.h>

#include "engine/oci_spec_gen.h"
#include "engine/userns.h"
#include "lib/strv.h"
#include "lib/test.h"

static int flags(const char *mode, char **uid, char **gid, struct container_config *c,
		 struct berr **err)
{
	memset(c, 0, sizeof(*c));
	return userns_from_flags(mode, uid, gid, c, err);
}

static void expect_error(const char *mode, char **uid, char **gid, const char *msg)
{
	struct container_config c;
	struct berr *err = NULL;

	ASSERT_EQ(flags(mode, uid, gid, &c, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, msg);
	berr_clear(&err);
	container_config_done(&c);
}

static void test_ranges(void)
{
	struct idmap_range m;

	ASSERT_OK(userns_parse_range("--uidmap", "0:100000:65536", &m, NULL));
	ASSERT_EQ(m.container, 0u);
	ASSERT_EQ(m.host, 100000u);
	ASSERT_EQ(m.size, 65536u);
	ASSERT_OK(userns_parse_range("--uidmap", "0:4294967294:1", &m, NULL));
	ASSERT_EQ(userns_parse_range("--uidmap", "0:4294967295:1", &m, NULL), -EINVAL);
	ASSERT_EQ(userns_parse_range("--uidmap", "0:1:2:3", &m, NULL), -EINVAL);
	ASSERT_EQ(userns_parse_range("--uidmap", "0:+1:2", &m, NULL), -EINVAL);
	ASSERT_EQ(userns_parse_range("--uidmap", ":1:2", &m, NULL), -EINVAL);
	ASSERT_EQ(userns_parse_range("--uidmap", "0:1:", &m, NULL), -EINVAL);
	ASSERT_EQ(userns_parse_range("--uidmap", "0:99999999999:1", &m, NULL), -EINVAL);
}

static void test_modes(void)
{
	char *u[] = {"0:100000:1000", "1000:300000:10", NULL}, *g[] = {"0:200000:10", NULL};
	char *bad_root[] = {"1:100000:10", NULL}, *overlap[] = {"0:1:10", "5:100:10", NULL};
	char *host_overlap[] = {"0:100:10", "20:105:10", NULL};
	struct container_config c;

	ASSERT_OK(flags(NULL, NULL, NULL, &c, NULL));
	ASSERT_FALSE(userns_enabled(&c));
	container_config_done(&c);
	ASSERT_OK(flags("host", NULL, NULL, &c, NULL));
	ASSERT_FALSE(userns_enabled(&c));
	container_config_done(&c);
	ASSERT_OK(flags("auto:size=1000", NULL, NULL, &c, NULL));
	ASSERT_STREQ(c.userns, "auto:size=1000");
	ASSERT_FALSE(userns_enabled(&c)); /* the range comes at create */
	container_config_done(&c);
	ASSERT_OK(flags(NULL, u, NULL, &c, NULL));
	ASSERT_STREQ(c.userns, "private");
	ASSERT_EQ(strv_length(c.gid_map), 2u); /* --uidmap alone maps gids too (podman) */
	container_config_done(&c);
	ASSERT_OK(flags(NULL, u, g, &c, NULL));
	ASSERT_TRUE(userns_enabled(&c));
	uid_t uid;
	gid_t gid;
	userns_root_ids(&c, &uid, &gid);
	ASSERT_EQ(uid, 100000u);
	ASSERT_EQ(gid, 200000u);
	container_config_done(&c);
	expect_error("private", NULL, NULL, "invalid USER mode");
	expect_error("auto:size=", NULL, NULL, "auto:size=N");
	expect_error("auto:size=16777217", NULL, NULL, "auto:size=N");
	expect_error("auto", u, NULL, "cannot be combined");
	expect_error("host", NULL, g, "cannot be combined");
	expect_error(NULL, bad_root, NULL, "container id 0 (root) must be mapped");
	expect_error(NULL, overlap, NULL, "overlaps");
	expect_error(NULL, u, host_overlap, "--gidmap '20:105:10' overlaps '0:100:10'");
}

static void test_spec(void)
{
	char *args[] = {"true", NULL}, *map[] = {"0:400000:65536", NULL};
	struct container_config cfg = {.id = "abc",
				       .hostname = "abc",
				       .args = args,
				       .stop_timeout = -1,
				       .uid_map = map,
				       .gid_map = map};
	struct exec_user user = {.home = "/root"};
	struct spec_inputs in = {.cfg = &cfg,
				 .dir = "/ctr",
				 .user = &user,
				 .devdir = "/dev",
				 .rootfs_path = "/run/berth-userns/abc/rootfs"};
	struct berr *err = NULL;
	char *json = NULL;

	ASSERT_OK(oci_spec_generate(&in, &json, &err));
	ASSERT_CONTAINS(json, "\t\t\t\t\"type\":\"user\"\n");
	/* --network none: the runtime makes it, in the user namespace (no path) */
	ASSERT_CONTAINS(json, "\"type\":\"network\"\n\t\t\t}");
	ASSERT_CONTAINS(json, "\"uidMappings\":[\n\t\t\t{\n\t\t\t\t\"containerID\":0,\n"
			      "\t\t\t\t\"hostID\":400000,\n\t\t\t\t\"size\":65536");
	ASSERT_CONTAINS(json, "\"gidMappings\":[");
	ASSERT_CONTAINS(json, "\"path\":\"/run/berth-userns/abc/rootfs\"");
	free(json);

	/* a bridge network: both namespaces the engine made, joined by path, maps kept */
	cfg.network = NETWORK_BRIDGE;
	in.netns_path = "/ctr/netns";
	in.userns_path = "/ctr/userns";
	ASSERT_OK(oci_spec_generate(&in, &json, &err));
	ASSERT_CONTAINS(json, "\"type\":\"user\",\n\t\t\t\t\"path\":\"/ctr/userns\"");
	ASSERT_CONTAINS(json, "\"type\":\"network\",\n\t\t\t\t\"path\":\"/ctr/netns\"");
	ASSERT_CONTAINS(json, "\"uidMappings\":[");
	free(json);
}

static const struct test tests[] = {
	TEST(test_ranges),
	TEST(test_modes),
	TEST(test_spec),
	{},
};

int main(void)
{
	return test_main(tests);
}
