/* SPDX-License-Identifier: Apache-2.0 */
/* docker run's flags into a container config: volumes, mounts, checks. */
#include <stdlib.h>
#include <string.h>

#include "engine/container_opts.h"
#include "lib/strv.h"
#include "lib/test.h"

static void test_volumes(void)
{
	struct ctr_mount m;
	struct berr *err = NULL;

	ASSERT_OK(container_parse_volume("/host:/ctr:ro", &m, NULL));
	ASSERT_EQ(m.kind, MOUNT_BIND);
	ASSERT_STREQ(m.source, "/host");
	ASSERT_STREQ(m.target, "/ctr");
	ASSERT_TRUE(m.readonly);
	ctr_mount_done(&m);
	ASSERT_OK(container_parse_volume("data:/var/lib/x", &m, NULL));
	ASSERT_EQ(m.kind, MOUNT_VOLUME);
	ASSERT_FALSE(m.anonymous);
	ctr_mount_done(&m);
	ASSERT_OK(container_parse_volume("/scratch", &m, NULL));
	ASSERT_TRUE(m.anonymous);
	ASSERT_NULL(m.source);
	ctr_mount_done(&m);
	ASSERT_OK(container_parse_volume("/h:/c:rshared", &m, NULL));
	ASSERT_STREQ(m.propagation, "rshared");
	ctr_mount_done(&m);
	ASSERT_EQ(container_parse_volume("/h:rel", &m, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "must be absolute");
	berr_clear(&err);
	ctr_mount_done(&m);
	ASSERT_EQ(container_parse_volume("b@d:/x", &m, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "invalid characters");
	berr_clear(&err);
	ctr_mount_done(&m);
	ASSERT_EQ(container_parse_volume("/a:/b:zz", &m, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "invalid mode");
	berr_clear(&err);
	ctr_mount_done(&m);
}

static void test_mounts(void)
{
	struct ctr_mount m;
	struct berr *err = NULL;

	ASSERT_OK(container_parse_mount("type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1777", &m,
					NULL));
	ASSERT_EQ(m.kind, MOUNT_TMPFS);
	ASSERT_STREQ(m.options, "size=1048576,mode=1777");
	ctr_mount_done(&m);
	ASSERT_OK(container_parse_mount("type=bind,src=/h,dst=/c,readonly", &m, NULL));
	ASSERT_EQ(m.kind, MOUNT_BIND);
	ASSERT_TRUE(m.readonly);
	ctr_mount_done(&m);
	ASSERT_EQ(container_parse_mount("type=bind,target=/c", &m, &err), -EINVAL);
	berr_clear(&err);
	ctr_mount_done(&m);
	ASSERT_EQ(container_parse_mount("type=nfs,target=/c", &m, &err), -EINVAL);
	berr_clear(&err);
	ctr_mount_done(&m);
	ASSERT_EQ(container_parse_mount("type=volume,target=/c,bogus=1", &m, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "unexpected key 'bogus'");
	berr_clear(&err);
	ctr_mount_done(&m);
}

static void test_flags(void)
{
	char *env[] = {"A=1", "B=2", NULL}, *vols[] = {"/x:/y", "/z:/y", NULL};
	char *cmd[] = {"ping", "127.0.0.1", NULL};
	struct container_flags f = {.image = "busybox",
				    .name = "ok_name",
				    .memory = "64m",
				    .cpus = "0.5",
				    .env = env,
				    .command = cmd,
				    .rm = true};
	struct container_config *c = NULL;
	struct berr *err = NULL;

	ASSERT_OK(container_flags_to_config(&f, &c, NULL));
	ASSERT_EQ(c->memory, 64LL << 20);
	ASSERT_EQ(c->nano_cpus, 500000000LL);
	ASSERT_EQ(strv_length(c->env), 2);
	ASSERT_STREQ(c->cmd[0], "ping");
	ASSERT_TRUE(c->auto_remove);
	c = container_config_free(c);
	f.volumes = vols;
	ASSERT_EQ(container_flags_to_config(&f, &c, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "Duplicate mount point: /y");
	berr_clear(&err);
	f.volumes = NULL;
	f.restart = "always";
	ASSERT_EQ(container_flags_to_config(&f, &c, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "Conflicting options");
	berr_clear(&err);
	f.restart = NULL;
	f.name = "-bad";
	ASSERT_EQ(container_flags_to_config(&f, &c, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "Invalid container name");
	berr_clear(&err);
	f.name = NULL;
	f.memory = "1k";
	ASSERT_EQ(container_flags_to_config(&f, &c, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "Minimum memory limit");
	berr_clear(&err);
	ASSERT_NULL(c);
}

/*
 * --device HOST[:CONTAINER][:PERMS]; found by fuzz_engine_flags: HOST:PERMS leaked its
 * PERMS string (the split vector was rearranged past its end; the ASan lane's leak check)
 */
static void test_devices(void)
{
	char *devs[] = {"/dev/a", "/dev/b:/dev/c", "/dev/d:rw", "/dev/e:/dev/f:m", NULL};
	char *bad[] = {"/dev/x:rwz", NULL};
	struct container_flags f = {.image = "busybox", .devices = devs};
	struct container_config *c = NULL;
	struct berr *err = NULL;

	ASSERT_OK(container_flags_to_config(&f, &c, NULL));
	ASSERT_EQ(c->n_devices, 4);
	ASSERT_STREQ(c->devices[0].container, "/dev/a");
	ASSERT_STREQ(c->devices[0].perms, "rwm");
	ASSERT_STREQ(c->devices[1].container, "/dev/c");
	ASSERT_STREQ(c->devices[2].host, "/dev/d");
	ASSERT_STREQ(c->devices[2].container, "/dev/d");
	ASSERT_STREQ(c->devices[2].perms, "rw");
	ASSERT_STREQ(c->devices[3].container, "/dev/f");
	ASSERT_STREQ(c->devices[3].perms, "m");
	c = container_config_free(c);
	f.devices = bad;
	ASSERT_EQ(container_flags_to_config(&f, &c, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "invalid device mode: rwz");
	berr_clear(&err);
}

/* one flag with --network container:web: refused in dockerd's words */
static void expect_conflict(struct container_flags *f, const char *msg)
{
	struct container_config *c = NULL;
	struct berr *err = NULL;

	f->network = "container:web";
	ASSERT_EQ(container_flags_to_config(f, &c, &err), -EINVAL);
	ASSERT_NULL(c);
	ASSERT_CONTAINS(err->msg, msg);
	berr_clear(&err);
	*f = (struct container_flags){.image = "busybox"};
}

static void test_network_container(void)
{
	char *one[] = {"x", NULL}, *ip[] = {"10.0.0.1", NULL}, *host[] = {"a:10.0.0.1", NULL};
	char *port[] = {"8080:80", NULL}, *expose[] = {"80", NULL}, *search[] = {"x.org", NULL};
	char *none[] = {NULL};
	struct container_flags f = {.image = "busybox", .network = "container:web"};
	struct container_config *c = NULL;

	ASSERT_OK(container_flags_to_config(&f, &c, NULL));
	ASSERT_EQ(c->network, NETWORK_CONTAINER);
	ASSERT_STREQ(c->network_name, "container:web");
	c = container_config_free(c);
	/* docker's CLI sends the lists it was not given as empty arrays: no conflict */
	f.dns = f.add_hosts = f.publish = f.expose = none;
	ASSERT_OK(container_flags_to_config(&f, &c, NULL));
	c = container_config_free(c);
	/* taken by dockerd, and of no use there (the donor's resolv.conf is bound) */
	f.dns_search = search;
	ASSERT_OK(container_flags_to_config(&f, &c, NULL));
	c = container_config_free(c);
	f = (struct container_flags){.image = "busybox", .hostname = "h"};
	expect_conflict(&f, "conflicting options: hostname and the network mode");
	f.dns = ip;
	expect_conflict(&f, "conflicting options: dns and the network mode");
	f.add_hosts = host;
	expect_conflict(&f, "conflicting options: custom host-to-IP mapping and the network mode");
	f.mac_address = "92:d0:c6:0a:29:33";
	expect_conflict(&f, "conflicting options: mac-address and the network mode");
	f.publish = port;
	expect_conflict(&f, "port publishing and the container type network mode");
	f.publish_all = true;
	expect_conflict(&f, "port publishing and the container type network mode");
	f.expose = expose;
	expect_conflict(&f, "port exposing and the container type network mode");
	f.ip = "10.0.0.9";
	expect_conflict(&f, "user specified IP address is supported on user defined networks only");
	f.network_aliases = one;
	expect_conflict(&f, "network-scoped aliases are only supported for user-defined networks");
	f.ingress_rate = "1m";
	expect_conflict(&f, "not --network container");
	f = (struct container_flags){.image = "busybox"};
	f.network = "container:";
	ASSERT_EQ(container_flags_to_config(&f, &c, NULL), -EINVAL);
}

static void test_mac_address(void)
{
	struct container_flags f = {
		.image = "busybox", .network = "n1", .mac_address = "92-D0-C6-0A-29-33"};
	struct container_config *c = NULL;
	struct berr *err = NULL;

	ASSERT_OK(container_flags_to_config(&f, &c, NULL));
	ASSERT_STREQ(c->mac_address, "92-D0-C6-0A-29-33"); /* as given, as docker's Config */
	c = container_config_free(c);
	f.network = "none"; /* dockerd takes it: no interface to give it to */
	ASSERT_OK(container_flags_to_config(&f, &c, NULL));
	c = container_config_free(c);
	f.network = "host";
	ASSERT_EQ(container_flags_to_config(&f, &c, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "conflicting options: mac-address and the network mode");
	berr_clear(&err);
	f.network = "n1";
	f.mac_address = "92:d0:c6:0a:29";
	ASSERT_EQ(container_flags_to_config(&f, &c, &err), -EINVAL);
	ASSERT_STREQ(err->msg, "92:d0:c6:0a:29 is not a valid mac address");
	berr_clear(&err);
	/* docker's CLI checks the form first, whatever the mode */
	f.network = "container:web";
	ASSERT_EQ(container_flags_to_config(&f, &c, &err), -EINVAL);
	ASSERT_STREQ(err->msg, "92:d0:c6:0a:29 is not a valid mac address");
	berr_clear(&err);
	f.network = "n1";
	f.mac_address = "01:00:5e:00:00:01";
	ASSERT_EQ(container_flags_to_config(&f, &c, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "01:00:5e:00:00:01 is not a valid mac address");
	berr_clear(&err);
	ASSERT_NULL(c);
}

static void test_config_round_trip(void)
{
	char *cmd[] = {"sh", NULL}, *vols[] = {"/h:/c:ro", "named:/n", NULL};
	struct container_flags f = {.image = "busybox",
				    .command = cmd,
				    .volumes = vols,
				    .restart = "on-failure:2",
				    .stop_timeout = "3",
				    .network = "container:0123"};
	struct container_config *c = NULL, *back = NULL;
	char *json;

	ASSERT_OK(container_flags_to_config(&f, &c, NULL));
	c->id = strdup("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	c->name = strdup("n1");
	c->args = strv_copy(cmd);
	c->runtime_path = strdup("/usr/bin/runc");
	json = container_config_to_json(c);
	ASSERT_NOT_NULL(json);
	ASSERT_OK(container_config_from_json(json, strlen(json), &back, NULL));
	ASSERT_STREQ(back->id, c->id);
	ASSERT_EQ(back->n_mounts, 2);
	ASSERT_TRUE(back->mounts[0].readonly);
	ASSERT_STREQ(back->mounts[1].source, "named");
	ASSERT_EQ(back->restart.kind, RESTART_ON_FAILURE);
	ASSERT_EQ(back->restart.max_retries, 2);
	ASSERT_EQ(back->stop_timeout, 3);
	ASSERT_EQ(back->network, NETWORK_CONTAINER);
	ASSERT_STREQ(back->network_name, "container:0123");
	free(json);
	container_config_free(c);
	container_config_free(back);
}

static const struct test tests[] = {
	TEST(test_volumes),
	TEST(test_mounts),
	TEST(test_flags),
	TEST(test_devices),
	TEST(test_network_container),
	TEST(test_mac_address),
	TEST(test_config_round_trip),
	{},
};

int main(void)
{
	return test_main(tests);
}
