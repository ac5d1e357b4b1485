/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "lib/cleanup.h"
#include "lib/strv.h"
#include "lib/test.h"
#include "runtime/security/caps.h"
#include "runtime/config/oci_config.h"
#include "runtime/config/spec_default.h"

/* A small valid config with a hole ("%s") where a test puts its own members. */
#define BASE                                                                                       \
	"{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"},"                            \
	" \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"]%s},"                                    \
	" \"linux\": {\"namespaces\": [{\"type\": \"uts\"}, {\"type\": \"pid\"}]%s}%s}"

static int parse3(const char *proc, const char *lnx, const char *top, struct spec **ret,
		  struct berr **err)
{
	char buf[8192];

	snprintf(buf, sizeof(buf), BASE, proc, lnx, top);
	return oci_config_parse(buf, strlen(buf), ret, err);
}

/* Parse and expect failure with exactly msg. */
#define EXPECT_ERR(proc, lnx, top, want)                                                           \
	do {                                                                                       \
		struct spec *_s = NULL;                                                            \
		struct berr *_e = NULL;                                                            \
		ASSERT_TRUE(parse3(proc, lnx, top, &_s, &_e) < 0);                                 \
		ASSERT_NULL(_s);                                                                   \
		ASSERT_STREQ(_e->msg, want);                                                       \
		berr_clear(&_e);                                                                   \
	} while (0)

static void test_default_spec_parses(void)
{
	const char *text = spec_default_text(true);
	_cleanup_spec_ struct spec *s = NULL;
	_cleanup_spec_ struct spec *v1 = NULL;
	_cleanup_free_ char *rootless = spec_default_rootless_text(1000, 1000, false);
	_cleanup_spec_ struct spec *rl = NULL;
	struct berr *err = NULL;

	/* Without the cgroup namespace (v1 and hybrid hosts), and the rootless variant. */
	ASSERT_OK(oci_config_parse(spec_default_text(false), strlen(spec_default_text(false)), &v1,
				   &err));
	ASSERT_FALSE(v1->linux.ns[NS_CGROUP].enabled);
	ASSERT_TRUE(v1->linux.ns[NS_MNT].enabled && v1->linux.ns[NS_NET].enabled);
	ASSERT_NOT_NULL(rootless);
	ASSERT_OK(oci_config_parse(rootless, strlen(rootless), &rl, &err));
	ASSERT_FALSE(rl->linux.ns[NS_CGROUP].enabled);
	ASSERT_TRUE(rl->linux.ns[NS_USER].enabled);

	ASSERT_OK(oci_config_parse(text, strlen(text), &s, &err));
	ASSERT_STREQ(s->root_path, "rootfs");
	ASSERT_TRUE(s->root_readonly);
	ASSERT_EQ(s->n_mounts, 7);
	ASSERT_STREQ(s->mounts[1].destination, "/dev");
	ASSERT_EQ(s->mounts[1].opts.flags, MS_NOSUID | MS_STRICTATIME);
	ASSERT_STREQ(s->mounts[1].opts.data, "mode=755,size=65536k");
	ASSERT_TRUE(s->process->terminal);
	ASSERT_TRUE(s->process->no_new_privileges);
	ASSERT_EQ(s->process->n_rlimits, 1);
	ASSERT_EQ(s->process->rlimits[0].resource, RLIMIT_NOFILE);
	ASSERT_EQ(s->process->capabilities.bounding,
		  (1ULL << cap_from_name("CAP_KILL")) | (1ULL << cap_from_name("CAP_AUDIT_WRITE")) |
			  (1ULL << cap_from_name("CAP_NET_BIND_SERVICE")));
	ASSERT_EQ(s->process->capabilities.inheritable, 0);
	for (int t = 0; t < _NS_TYPE_MAX; t++)
		ASSERT_EQ(s->linux.ns[t].enabled, t != NS_USER && t != NS_TIME);
	ASSERT_EQ(strv_length(s->linux.masked_paths), 10);
	ASSERT_TRUE(s->linux.resources.set);
}

static void test_minimal_and_unknown_members(void)
{
	_cleanup_spec_ struct spec *s = NULL;
	struct berr *err = NULL;

	/* Unknown members are ignored (config.md "Extensibility"). */
	ASSERT_OK(parse3(", \"future\": 1", ", \"unknownThing\": [1]", ", \"vm\": {}", &s, &err));
	ASSERT_STREQ(s->process->args[0], "sh");
	ASSERT_TRUE(s->linux.ns[NS_UTS].enabled);
	ASSERT_FALSE(s->linux.ns[NS_NET].enabled);
}

static void test_process_errors(void)
{
	EXPECT_ERR(", \"args\": []", "", "",
		   "config.json: process.args: must be a non-empty array");
	EXPECT_ERR(", \"args\": [\"sh\", 1]", "", "",
		   "config.json: process.args[1]: must be a string");
	EXPECT_ERR(", \"cwd\": \"rel\"", "", "",
		   "config.json: process.cwd: must be an absolute path, not 'rel'");
	EXPECT_ERR(", \"env\": [\"NOEQUALS\"]", "", "",
		   "config.json: process.env: 'NOEQUALS' is not NAME=VALUE");
	EXPECT_ERR(", \"user\": {\"uid\": -1}", "", "",
		   "config.json: process.user.uid: must be an integer between 0 and 4294967295");
	EXPECT_ERR(", \"capabilities\": {\"bounding\": [5]}", "", "",
		   "config.json: process.capabilities.bounding[0]: must be a string");
	EXPECT_ERR(", \"rlimits\": [{\"type\": \"RLIMIT_FOO\", \"soft\": 1, \"hard\": 1}]", "", "",
		   "config.json: process.rlimits[0].type: unknown rlimit 'RLIMIT_FOO'");
	EXPECT_ERR(", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 2, \"hard\": 1}]", "",
		   "", "config.json: process.rlimits[0]: soft limit is above the hard limit");
	EXPECT_ERR(", \"terminal\": \"yes\"", "", "",
		   "config.json: process.terminal: must be a boolean");
	EXPECT_ERR(", \"oomScoreAdj\": 5000", "", "",
		   "config.json: process.oomScoreAdj: must be between -1000 and 1000");
	EXPECT_ERR(", \"scheduler\": {\"policy\": \"SCHED_NOPE\"}", "", "",
		   "config.json: process.scheduler.policy: unknown value 'SCHED_NOPE'");
}

/* config.md: an unknown capability is a warning, and the known ones still count. */
static void test_unknown_capability_is_a_warning(void)
{
	struct spec *s = NULL;
	struct berr *err = NULL;

	ASSERT_OK(parse3(", \"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_NOPE\"]}", "", "",
			 &s, &err));
	ASSERT_EQ_U64(s->process->capabilities.bounding, 1ULL << 5);
	ASSERT_EQ(strv_length(s->process->warnings), 1);
	ASSERT_STREQ(s->process->warnings[0],
		     "process.capabilities.bounding[1]: unknown capability 'CAP_NOPE', ignoring");
	spec_free(s);
}

static void test_linux_errors(void)
{
	EXPECT_ERR("", ", \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"pid\"}]", "",
		   "config.json: linux.namespaces[1].type: namespace 'pid' given twice");
	EXPECT_ERR("", ", \"namespaces\": [{\"type\": \"bogus\"}]", "",
		   "config.json: linux.namespaces[0].type: unknown namespace type 'bogus'");
	EXPECT_ERR("", ", \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]",
		   "",
		   "config.json: linux.uidMappings: given without a user namespace in "
		   "linux.namespaces");
	EXPECT_ERR("", ", \"devices\": [{\"type\": \"x\", \"path\": \"/dev/x\"}]", "",
		   "config.json: linux.devices[0].type: must be 'c', 'b', 'u' or 'p', not 'x'");
	EXPECT_ERR("", ", \"devices\": [{\"type\": \"c\", \"path\": \"/dev/x\", \"minor\": 1}]", "",
		   "config.json: linux.devices[0]: major: must be given for a 'c' device");
	EXPECT_ERR("", ", \"rootfsPropagation\": \"sideways\"", "",
		   "config.json: linux.rootfsPropagation: unknown propagation 'sideways'");
	EXPECT_ERR("", ", \"maskedPaths\": [\"proc/kcore\"]", "",
		   "config.json: linux.maskedPaths: 'proc/kcore' is not an absolute path");
	EXPECT_ERR("", ", \"timeOffsets\": {\"monotonic\": {\"secs\": 1}}", "",
		   "config.json: linux.timeOffsets: need a new time namespace");
}

static void test_top_errors(void)
{
	struct spec *s = NULL;
	struct berr *err = NULL;

	EXPECT_ERR("", "", ", \"mounts\": [{\"type\": \"tmpfs\"}]",
		   "config.json: mounts[0].destination: must be given");
	EXPECT_ERR("", "", ", \"mounts\": [{\"destination\": \"/x\", \"options\": [\"bind\"]}]",
		   "config.json: mounts[0].source: must be given for a bind mount");
	EXPECT_ERR("", "", ", \"hooks\": {\"poststop\": [{\"path\": \"rel\"}]}",
		   "config.json: hooks.poststop[0].path: must be an absolute path, not 'rel'");
	EXPECT_ERR("", "", ", \"hooks\": {\"prestart\": [{\"path\": \"/x\", \"timeout\": 0}]}",
		   "config.json: hooks.prestart[0].timeout: must be an integer between 1 and "
		   "2147483647");
	ASSERT_EQ(oci_config_parse("{}", 2, &s, &err), -EINVAL);
	ASSERT_STREQ(err->msg, "config.json: ociVersion: must be given");
	berr_clear(&err);
	ASSERT_EQ(oci_config_parse("[]", 2, &s, &err), -EINVAL);
	ASSERT_STREQ(err->msg, "config.json: must be a JSON object");
	berr_clear(&err);
	ASSERT_EQ(oci_config_parse("{\"ociVersion\": \"2.0.0\"}", 23, &s, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "unsupported version '2.0.0'");
	berr_clear(&err);
}

static void test_hostname_needs_uts(void)
{
	const char *text = "{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"},"
			   " \"hostname\": \"h\", \"linux\": {}}";
	struct spec *s = NULL;
	struct berr *err = NULL;

	ASSERT_EQ(oci_config_parse(text, strlen(text), &s, &err), -EINVAL);
	ASSERT_STREQ(err->msg, "config.json: hostname: cannot be set without a uts namespace");
	berr_clear(&err);
}

static void test_relative_destination_made_absolute(void)
{
	_cleanup_spec_ struct spec *s = NULL;
	struct berr *err = NULL;

	/* Without a mount namespace the mount is refused: it would land in the host's. */
	EXPECT_ERR("", "", ", \"mounts\": [{\"destination\": \"data\", \"type\": \"tmpfs\"}]",
		   "config.json: mounts: needs a mount namespace (linux.namespaces has no "
		   "\"mount\"): it would be made in the host's");
	EXPECT_ERR("", ", \"maskedPaths\": [\"/proc/kcore\"]", "",
		   "config.json: linux.maskedPaths: needs a mount namespace (linux.namespaces has "
		   "no \"mount\"): it would be made in the host's");
	ASSERT_OK(parse3("", ", \"namespaces\": [{\"type\": \"mount\"}]",
			 ", \"mounts\": [{\"destination\": \"data\", \"type\": \"tmpfs\"}]", &s,
			 &err));
	ASSERT_STREQ(s->mounts[0].destination, "/data");
}

static void test_process_json(void)
{
	const char *text = "{\"cwd\": \"/\", \"args\": [\"true\"], \"user\": {\"uid\": 7,"
			   " \"additionalGids\": [1, 2]}}";
	struct spec_process *p = NULL;
	struct berr *err = NULL;

	ASSERT_OK(oci_process_parse(text, strlen(text), &p, &err));
	ASSERT_EQ(p->user.uid, 7);
	ASSERT_EQ(p->user.n_additional_gids, 2);
	spec_process_free(p);
	p = NULL;
	ASSERT_EQ(oci_process_parse("{\"args\": [\"x\"]}", 15, &p, &err), -EINVAL);
	ASSERT_STREQ(err->msg, "process.json: cwd: must be given");
	berr_clear(&err);
}

static const struct test tests[] = {
	TEST(test_default_spec_parses), TEST(test_minimal_and_unknown_members),
	TEST(test_process_errors),	TEST(test_unknown_capability_is_a_warning),
	TEST(test_linux_errors),	TEST(test_top_errors),
	TEST(test_hostname_needs_uts),	TEST(test_relative_destination_made_absolute),
	TEST(test_process_json),	{NULL, NULL},
};

int main(void)
{
	return test_main(tests);
}
