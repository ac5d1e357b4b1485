/* SPDX-License-Identifier: Apache-2.0 */
/*
 * --userns, --uidmap, --gidmap and the engine configuration's userns-remap into a config,
 * and the user namespace in the OCI config.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_config.h"
#include "engine/oci_spec_gen.h"
#include "engine/userns.h"
#include "lib/cleanup.h"
#include "lib/strv.h"
#include "lib/test.h"

static int flags(const char *mode, char **uid, char **gid, struct container_config *c,
		 struct berr **err)
{
	memset(c, 0, sizeof(*c));
	return userns_from_flags(&(struct userns_flags){.mode = mode, .uidmap = uid, .gidmap = gid},
				 c, err);
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

/* The subordinate id and account files of the remap tests, in a temporary directory. */
static char dir[] = "/tmp/berth-test-userns-XXXXXX";

static void put(const char *env, const char *name, const char *text)
{
	char path[sizeof(dir) + 16];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "we")) || fputs(text, f) < 0 || fclose(f) != 0)
		TEST_FAIL("cannot write %s", path);
	ASSERT_OK(setenv(env, path, 1));
}

static void accounts(const char *subuid, const char *subgid)
{
	put("BERTH_SUBUID_FILE", "subuid", subuid);
	put("BERTH_SUBGID_FILE", "subgid", subgid);
	put("BERTH_PASSWD_FILE", "passwd",
	    "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n"
	    "berth:x:999:995::/nonexistent:/usr/sbin/nologin\n");
	put("BERTH_GROUP_FILE", "group", "root:x:0:\nstaff:x:50:alice\nberth:x:995:\n");
}

static int remap(const char *value, bool privileged, struct container_config *c, struct berr **err)
{
	struct engine_config cfg = {.path = "/etc/berth/berth.json",
				    .userns_remap = (char *) value};

	memset(c, 0, sizeof(*c));
	return userns_from_flags(&(struct userns_flags){.privileged = privileged, .config = &cfg},
				 c, err);
}

static void expect_maps(const char *value, const char *uid, const char *gid)
{
	struct container_config c;
	struct berr *err = NULL;
	_cleanup_free_ char *u = NULL, *g = NULL;

	ASSERT_OK(remap(value, false, &c, &err));
	ASSERT_TRUE(c.userns_remap);
	ASSERT_NULL(c.userns); /* inspect shows "", as docker's */
	ASSERT_TRUE(userns_enabled(&c));
	u = strv_join(c.uid_map, " ");
	g = strv_join(c.gid_map, " ");
	ASSERT_STREQ(u, uid);
	ASSERT_STREQ(g, gid);
	container_config_done(&c);
}

static void expect_refused(const char *value, bool privileged, const char *msg)
{
	struct container_config c;
	struct berr *err = NULL;

	ASSERT_TRUE(remap(value, privileged, &c, &err) < 0);
	ASSERT_CONTAINS(err->msg, msg);
	ASSERT_FALSE(userns_wanted(&c));
	berr_clear(&err);
	container_config_done(&c);
}

static void test_remap_users(void)
{
	accounts("containers:100000:65536\nberth:400000:1048576\nalice:200000:65536\n"
		 "1000:300000:100\n",
		 "berth:500000:1048576\nstaff:600000:65536\nalice:700000:65536\n");
	/* default: berth's, the whole range, for every container alike */
	expect_maps("default", "0:400000:1048576", "0:500000:1048576");
	/* the lines of the name and of the number, sorted by start, ids consecutive */
	expect_maps("alice", "0:200000:65536 65536:300000:100", "0:700000:65536");
	expect_maps("1000", "0:200000:65536 65536:300000:100", "0:700000:65536");
	expect_maps("alice:staff", "0:200000:65536 65536:300000:100", "0:600000:65536");
	expect_maps("alice:50", "0:200000:65536 65536:300000:100", "0:600000:65536");
	/* without a GROUP, the user's own subgid lines (subgid(5) names users) */
	expect_maps("999", "0:400000:1048576", "0:500000:1048576");
	expect_maps("berth:berth", "0:400000:1048576", "0:500000:1048576");
	expect_maps("999:995", "0:400000:1048576", "0:500000:1048576");
	/* default falls back to containers when berth has no lines in both files */
	accounts("containers:100000:65536\nberth:400000:1048576\n", "containers:200000:65536\n");
	expect_maps("default", "0:100000:65536", "0:200000:65536");
}

static void test_remap_refused(void)
{
	accounts("alice:200000:65536\nbob:1:10\nbob:5:10\nbad:x:1\nbad:1:0\n",
		 "alice:700000:65536\nbob:1:10\n");
	expect_refused("default", false,
		       "/etc/berth/berth.json: userns-remap: " /* the file and the key first */);
	expect_refused("default", false, "no subordinate ids for user 'berth' (or 'containers')");
	expect_refused("root", false, "userns-remap: ");
	expect_refused("root", false,
		       "has no subordinate uids for user 'root': add a line such as "
		       "'root:1000000:65536'");
	expect_refused("alice:staff", false, "has no subordinate gids for group 'staff'");
	expect_refused("bad", false, "no subordinate uids for user 'bad'"); /* bad lines skipped */
	expect_refused("bob", false, "overlaps");
	expect_refused("alice", true, "privileged mode is incompatible with user namespaces");
	expect_refused("auto", true, "You must run the container in the host namespace");
}

static void test_remap_flags_win(void)
{
	char *u[] = {"0:100000:1000", NULL};
	struct engine_config cfg = {.path = "/etc/berth/berth.json", .userns_remap = "alice"};
	struct container_config c = {0};

	accounts("alice:200000:65536\n", "alice:700000:65536\n");
	/* --userns=host opts out, also of the privileged refusal */
	ASSERT_OK(userns_from_flags(
		&(struct userns_flags){.mode = "host", .privileged = true, .config = &cfg}, &c,
		NULL));
	ASSERT_STREQ(c.userns, "host");
	ASSERT_FALSE(userns_wanted(&c));
	ASSERT_FALSE(c.userns_remap);
	container_config_done(&c);
	memset(&c, 0, sizeof(c));
	/* explicit maps (and privileged with them, as podman) are the user's */
	ASSERT_OK(userns_from_flags(
		&(struct userns_flags){.uidmap = u, .privileged = true, .config = &cfg}, &c, NULL));
	ASSERT_STREQ(c.userns, "private");
	ASSERT_STREQ(c.uid_map[0], "0:100000:1000");
	ASSERT_FALSE(c.userns_remap);
	container_config_done(&c);
	memset(&c, 0, sizeof(c));
	ASSERT_OK(userns_from_flags(&(struct userns_flags){.mode = "auto:size=10", .config = &cfg},
				    &c, NULL));
	ASSERT_STREQ(c.userns, "auto:size=10");
	ASSERT_FALSE(c.userns_remap);
	container_config_done(&c);
	/* remap "auto" is --userns=auto, the maps left to create */
	ASSERT_OK(remap("auto", false, &c, NULL));
	ASSERT_STREQ(c.userns, "auto");
	ASSERT_TRUE(c.userns_remap);
	ASSERT_TRUE(userns_wanted(&c));
	ASSERT_FALSE(userns_enabled(&c));
	container_config_done(&c);
}

static const struct test tests[] = {
	TEST(test_ranges),
	TEST(test_modes),
	TEST(test_spec),
	TEST(test_remap_users),
	TEST(test_remap_refused),
	TEST(test_remap_flags_win),
	{},
};

int main(void)
{
	int r;

	if (!mkdtemp(dir))
		return 1;
	r = test_main(tests);
	for (size_t i = 0; i < 4; i++) {
		char path[sizeof(dir) + 16];

		snprintf(path, sizeof(path), "%s/%s", dir,
			 (const char *[]){"subuid", "subgid", "passwd", "group"}[i]);
		(void) unlink(path);
	}
	(void) rmdir(dir);
	return r;
}
