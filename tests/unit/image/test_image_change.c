/* SPDX-License-Identifier: Apache-2.0 */
/* import --change: each instruction's forms, and what docker refuses. */
#include <stdlib.h>
#include <string.h>

#include "image/image_change.h"
#include "lib/strv.h"
#include "lib/test.h"

static void parse(char *const *v, struct image_changes *c)
{
	struct berr *err = NULL;

	*c = (struct image_changes){0};
	if (image_changes_parse(v, c, &err) < 0)
		TEST_FAIL("%s", err ? err->msg : "?");
}

static void test_forms(void)
{
	char *v[] = {"CMD [\"a\", \"b c\"]",
		     "  entrypoint   sh -c 'x y'  ",
		     "ENV A=1 B=\"q \\\"w\\\"\" C='s\\n'",
		     "ENV B override",
		     "LABEL k=v",
		     "EXPOSE 1-2/UDP 80",
		     "VOLUME /a /b",
		     "VOLUME [\"/a\"]",
		     "WORKDIR a",
		     "WORKDIR b",
		     "USER 1000:1000",
		     "HEALTHCHECK --interval=2s --retries=3 CMD [\"true\"]",
		     NULL};
	struct image_changes c;

	parse(v, &c);
	ASSERT_EQ((int) strv_length(c.cmd), 2);
	ASSERT_STREQ(c.cmd[1], "b c");
	ASSERT_STREQ(c.entrypoint[0], "/bin/sh");
	ASSERT_STREQ(c.entrypoint[2], "sh -c 'x y'");
	ASSERT_STREQ(c.env[0], "A=1");
	ASSERT_STREQ(c.env[1], "B=override");
	ASSERT_STREQ(c.env[2], "C=s\\n");
	ASSERT_STREQ(c.labels[0], "k=v");
	ASSERT_STREQ(c.exposed[0], "1/udp");
	ASSERT_STREQ(c.exposed[1], "2/udp");
	ASSERT_STREQ(c.exposed[2], "80/tcp");
	ASSERT_EQ((int) strv_length(c.volumes), 2);
	ASSERT_STREQ(c.working_dir, "/a/b");
	ASSERT_STREQ(c.user, "1000:1000");
	ASSERT_EQ((int) strv_length(c.health.test), 2);
	ASSERT_STREQ(c.health.test[0], "CMD");
	ASSERT_EQ(c.health.interval, 2000000000LL);
	ASSERT_EQ(c.health.retries, 3);
	image_changes_done(&c);
}

static void bad(const char *change, const char *msg)
{
	char *v[] = {(char *) change, NULL};
	struct image_changes c = {0};
	struct berr *err = NULL;

	ASSERT_TRUE(image_changes_parse(v, &c, &err) < 0);
	ASSERT_CONTAINS(err->msg, msg);
	berr_free(err);
	image_changes_done(&c);
}

static void test_refused(void)
{
	bad("ADD x /", "add is not a valid change command");
	bad("", "empty change");
	bad("USER", "USER requires at least one argument");
	bad("LABEL a", "LABEL must have two arguments");
	bad("EXPOSE 0", "invalid port '0'");
	bad("EXPOSE 10-5", "invalid port '10-5'");
	bad("EXPOSE 1-5000", "invalid port '1-5000'");
	bad("VOLUME [\"\"]", "can not be an empty string");
	bad("ONBUILD FROM x", "FROM isn't allowed as an ONBUILD trigger");
	bad("HEALTHCHECK NONE x", "HEALTHCHECK NONE takes no arguments");
	bad("HEALTHCHECK --interval=1 CMD true", "--interval");
}

static const struct test tests[] = {
	TEST(test_forms),
	TEST(test_refused),
	{},
};

int main(void)
{
	return test_main(tests);
}
