/* SPDX-License-Identifier: Apache-2.0 */
/* exec's process: the config's process with the command line's overrides, or process.json. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/strv.h"
#include "lib/test.h"
#include "runtime/security/caps.h"
#include "runtime/lifecycle/exec.h"
#include "runtime/lifecycle/exec_internal.h"

#define CONFIG                                                                                     \
	"{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"},"                            \
	" \"process\": {\"cwd\": \"/\", \"args\": [\"init\"], \"terminal\": true,"                 \
	" \"env\": [\"PATH=/bin\", \"FOO=config\"], \"noNewPrivileges\": true,"                    \
	" \"user\": {\"uid\": 5, \"gid\": 6, \"additionalGids\": [7]},"                            \
	" \"capabilities\": {\"bounding\": [\"CAP_KILL\"], \"inheritable\": [\"CAP_KILL\"]}},"     \
	" \"linux\": {\"namespaces\": [{\"type\": \"pid\"}]}}"

static struct spec *config(void)
{
	struct spec *s = NULL;
	struct berr *err = NULL;

	ASSERT_OK(oci_config_parse(CONFIG, strlen(CONFIG), &s, &err));
	return s;
}

static int build(struct exec_opts *o, struct spec_process **ret, struct berr **err)
{
	_cleanup_spec_ struct spec *s = config();

	return exec_build_process(o, s, ret, err);
}

static void test_inline_overrides(void)
{
	char *args[] = {"sh", "-c", "true", NULL};
	char *env[] = {"FOO=cli", "NEW=1", NULL};
	char *gids[] = {"100", "200", NULL};
	char *caps[] = {"CAP_NET_ADMIN", "cap_sys_time", NULL};
	struct exec_opts o = {.args = args,
			      .env = env,
			      .additional_gids = gids,
			      .caps = caps,
			      .user = "1000:1001",
			      .cwd = "/tmp",
			      .no_new_privs = 0};
	struct spec_process *p = NULL;
	struct berr *err = NULL;
	uint64_t admin = 1ULL << cap_from_name("CAP_NET_ADMIN");
	uint64_t time = 1ULL << cap_from_name("CAP_SYS_TIME");
	uint64_t kill = 1ULL << cap_from_name("CAP_KILL");

	ASSERT_OK(build(&o, &p, &err));
	ASSERT_STREQ(p->args[0], "sh");
	ASSERT_EQ(strv_length(p->args), 3);
	ASSERT_FALSE(p->terminal); /* --tty not given: runc turns the config's terminal off */
	ASSERT_FALSE(p->no_new_privileges);
	ASSERT_STREQ(p->cwd, "/tmp");
	ASSERT_STREQ(strv_env_get(p->env, "FOO"), "cli");
	ASSERT_STREQ(strv_env_get(p->env, "NEW"), "1");
	ASSERT_STREQ(strv_env_get(p->env, "PATH"), "/bin");
	ASSERT_EQ(p->user.uid, 1000);
	ASSERT_EQ(p->user.gid, 1001);
	ASSERT_EQ(p->user.n_additional_gids, 3);
	ASSERT_EQ(p->user.additional_gids[0], 7);
	ASSERT_EQ(p->user.additional_gids[2], 200);
	ASSERT_EQ_U64(p->capabilities.bounding, kill | admin | time);
	ASSERT_EQ_U64(p->capabilities.effective, admin | time);
	ASSERT_EQ_U64(p->capabilities.permitted, admin | time);
	ASSERT_EQ_U64(p->capabilities.ambient, admin | time);
	ASSERT_EQ_U64(p->capabilities.inheritable, kill); /* never from --cap */
	spec_process_free(p);
}

static void test_inline_defaults(void)
{
	char *args[] = {"ls", NULL};
	struct exec_opts o = {.args = args, .no_new_privs = -1, .tty = true, .user = "42"};
	struct spec_process *p = NULL;
	struct berr *err = NULL;

	ASSERT_OK(build(&o, &p, &err));
	ASSERT_TRUE(p->terminal);
	ASSERT_TRUE(p->no_new_privileges); /* the config's */
	ASSERT_EQ(p->user.uid, 42);
	ASSERT_EQ(p->user.gid, 6); /* --user without a gid keeps the config's */
	ASSERT_STREQ(p->cwd, "/");
	spec_process_free(p);
}

#define EXPECT_BAD(field, value, want)                                                             \
	do {                                                                                       \
		char *_args[] = {"true", NULL};                                                    \
		struct exec_opts _o = {.args = _args, .no_new_privs = -1};                         \
		struct spec_process *_proc = NULL;                                                 \
		struct berr *_e = NULL;                                                            \
		_o.field = value;                                                                  \
		ASSERT_TRUE(build(&_o, &_proc, &_e) < 0);                                          \
		ASSERT_NULL(_proc);                                                                \
		ASSERT_CONTAINS(_e->msg, want);                                                    \
		berr_clear(&_e);                                                                   \
	} while (0)

static void test_bad_options(void)
{
	char *bad_env[] = {"NOEQ", NULL};
	char *bad_gid[] = {"-1", NULL};
	char *big_gid[] = {"4294967295", NULL};
	char *bad_cap[] = {"CAP_NOPE", NULL};

	EXPECT_BAD(user, "abc", "--user: 'abc'");
	EXPECT_BAD(user, "1:", "--user");
	EXPECT_BAD(user, ":1", "--user");
	EXPECT_BAD(user, "1:2:3", "--user");
	EXPECT_BAD(user, "4294967295", "--user");
	EXPECT_BAD(cwd, "tmp", "--cwd: 'tmp' is not an absolute path");
	EXPECT_BAD(env, bad_env, "--env: 'NOEQ'");
	EXPECT_BAD(additional_gids, bad_gid, "--additional-gids: '-1'");
	EXPECT_BAD(additional_gids, big_gid, "--additional-gids");
	EXPECT_BAD(caps, bad_cap, "--cap: unknown capability 'CAP_NOPE'");
}

static void test_no_command(void)
{
	struct exec_opts o = {.no_new_privs = -1};
	struct spec_process *p = NULL;
	struct berr *err = NULL;

	ASSERT_EQ(build(&o, &p, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "no command");
	berr_clear(&err);
}

static void test_process_json(void)
{
	char path[] = "/tmp/berth-test-process-XXXXXX";
	const char *text = "{\"args\": [\"echo\", \"hi\"], \"cwd\": \"/x\", \"terminal\": true,"
			   " \"user\": {\"uid\": 3, \"gid\": 4}}";
	char *args[] = {"ignored", NULL};
	struct exec_opts o = {.no_new_privs = -1, .process_path = path};
	struct spec_process *p = NULL;
	struct berr *err = NULL;
	int fd = mkstemp(path);

	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(write(fd, text, strlen(text)), (ssize_t) strlen(text));
	close(fd);
	ASSERT_OK(build(&o, &p, &err));
	ASSERT_STREQ(p->args[1], "hi");
	ASSERT_STREQ(p->cwd, "/x");
	ASSERT_TRUE(p->terminal);
	ASSERT_EQ(p->user.uid, 3);
	ASSERT_NULL(p->env);
	spec_process_free(p);
	p = NULL;

	o.args = args; /* both: an error */
	ASSERT_EQ(build(&o, &p, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "not both");
	berr_clear(&err);

	o.args = NULL;
	fd = open(path, O_WRONLY | O_TRUNC);
	ASSERT_EQ(write(fd, "{\"args\": []}", 12), 12);
	close(fd);
	ASSERT_EQ(build(&o, &p, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "process.json: args");
	berr_clear(&err);
	unlink(path);

	ASSERT_EQ(build(&o, &p, &err), -ENOENT);
	ASSERT_CONTAINS(err->msg, "--process");
	berr_clear(&err);
}

static const struct test tests[] = {
	TEST(test_inline_overrides), TEST(test_inline_defaults), TEST(test_bad_options),
	TEST(test_no_command),	     TEST(test_process_json),	 {NULL, NULL},
};

int main(void)
{
	return test_main(tests);
}
