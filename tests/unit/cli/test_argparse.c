/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>

#include "cli/argparse.h"
#include "lib/strv.h"
#include "lib/test.h"

struct o {
	const char *bundle;
	bool detach, force;
	int n;
};

static int parse(char **argv, struct o *o, bool stop, size_t max, char ***pos, char **msg)
{
	const struct opt_def defs[] = {
		{"bundle", 'b', OPT_STRING, &o->bundle, "DIR", "bundle"},
		{"detach", 'd', OPT_BOOL, &o->detach, NULL, "detach"},
		{"force", 'f', OPT_BOOL, &o->force, NULL, "force"},
		{"preserve-fds", 0, OPT_INT, &o->n, "N", "n"},
		{NULL, 0, 0, NULL, NULL, NULL},
	};

	return argparse((int) strv_length(argv), argv, 1, defs, stop, max, pos, msg);
}

static void test_runc_forms(void)
{
	char *argv[] = {"run", "--bundle=/b", "-d", "-preserve-fds", "3", "id", "--force", NULL};
	struct o o = {0};
	char **pos = NULL, *msg = NULL;

	ASSERT_OK(parse(argv, &o, false, 0, &pos, &msg));
	ASSERT_STREQ(o.bundle, "/b");
	ASSERT_TRUE(o.detach && o.force);
	ASSERT_EQ(o.n, 3);
	ASSERT_EQ(strv_length(pos), 1);
	ASSERT_STREQ(pos[0], "id");
	strv_free(pos);
}

static void test_clusters_and_bool_values(void)
{
	char *argv[] = {"x", "-df", "--detach=false", NULL};
	struct o o = {0};
	char **pos = NULL, *msg = NULL;

	ASSERT_OK(parse(argv, &o, false, 0, &pos, &msg));
	ASSERT_FALSE(o.detach);
	ASSERT_TRUE(o.force);
	ASSERT_NULL(pos);
}

static void test_stop_after_positional(void)
{
	char *argv[] = {"exec", "-d", "id", "sh", "-c", "echo --force", NULL};
	struct o o = {0};
	char **pos = NULL, *msg = NULL;

	ASSERT_OK(parse(argv, &o, true, 1, &pos, &msg));
	ASSERT_TRUE(o.detach);
	ASSERT_FALSE(o.force);
	ASSERT_EQ(strv_length(pos), 4);
	ASSERT_STREQ(pos[3], "echo --force");
	strv_free(pos);
}

static void test_errors(void)
{
	char *unknown[] = {"x", "--nope", NULL};
	char *missing[] = {"x", "--bundle", NULL};
	char *badint[] = {"x", "--preserve-fds", "-1", NULL};
	struct o o = {0};
	char **pos = NULL, *msg = NULL;

	ASSERT_EQ(parse(unknown, &o, false, 0, &pos, &msg), -EINVAL);
	ASSERT_STREQ(msg, "unknown option '--nope'");
	free(msg);
	ASSERT_EQ(parse(missing, &o, false, 0, &pos, &msg), -EINVAL);
	ASSERT_STREQ(msg, "option '--bundle' needs a value");
	free(msg);
	ASSERT_EQ(parse(badint, &o, false, 0, &pos, &msg), -EINVAL);
	ASSERT_STREQ(msg, "option '--preserve-fds' takes a number");
	free(msg);
}

static void test_tristate(void)
{
	char *given_off[] = {"exec", "--nnp=false", NULL};
	char *given_on[] = {"exec", "-dn", NULL};
	char *absent[] = {"exec", "-d", NULL};
	int nnp = -1;
	bool detach = false;
	const struct opt_def defs[] = {
		{"nnp", 'n', OPT_TRISTATE, &nnp, NULL, "nnp"},
		{"detach", 'd', OPT_BOOL, &detach, NULL, "detach"},
		{NULL, 0, 0, NULL, NULL, NULL},
	};
	char **pos = NULL, *msg = NULL;

	ASSERT_OK(argparse(2, given_off, 1, defs, false, 0, &pos, &msg));
	ASSERT_EQ(nnp, 0);
	nnp = -1;
	ASSERT_OK(argparse(2, given_on, 1, defs, false, 0, &pos, &msg));
	ASSERT_EQ(nnp, 1);
	ASSERT_TRUE(detach);
	nnp = -1;
	ASSERT_OK(argparse(2, absent, 1, defs, false, 0, &pos, &msg));
	ASSERT_EQ(nnp, -1);
	ASSERT_NULL(pos);
}

static const struct test tests[] = {
	TEST(test_tristate),
	TEST(test_runc_forms),
	TEST(test_clusters_and_bool_values),
	TEST(test_stop_after_positional),
	TEST(test_errors),
	{NULL, NULL},
};

int main(void)
{
	return test_main(tests);
}
