/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "image/image_config.h"
#include "lib/timefmt.h"
#include "lib/test.h"

#define D1 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_parse(void)
{
	const char *j = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":"
			"\"2024-01-02T03:04:05.5+01:00\",\"config\":{\"Env\":[\"A=1\"],\"Cmd\":"
			"[\"sh\"],\"User\":\"1000\",\"WorkingDir\":\"/w\",\"Entrypoint\":null},"
			"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\"]},"
			"\"history\":[{\"created_by\":\"x\",\"empty_layer\":true},{}]}";
	struct image_config *c = NULL;
	int64_t t;

	ASSERT_OK(image_config_parse(j, strlen(j), &c, NULL));
	ASSERT_STREQ(c->os, "linux");
	ASSERT_EQ(c->n_diff_ids, 1);
	ASSERT_STREQ(c->env[0], "A=1");
	ASSERT_STREQ(c->cmd[0], "sh");
	ASSERT_NULL(c->entrypoint);
	ASSERT_STREQ(c->user, "1000");
	ASSERT_EQ(c->n_history, 2);
	ASSERT_TRUE(c->history[0].empty_layer);
	ASSERT_OK(rfc3339_parse_ns(c->created, &t));
	ASSERT_EQ(t, 1704161045500000000LL);
	image_config_free(c);
}

static void test_bad(void)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{}",
		"{\"rootfs\":{}}",
		"{\"rootfs\":{\"type\":\"layers\"}}",
		"{\"rootfs\":{\"type\":\"zfs\",\"diff_ids\":[]}}",
		"{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:xyz\"]}}",
		"{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[1]}}",
		"{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"config\":{\"Env\":\"A=1\"}}",
		"{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"history\":[1]}",
		"{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"history\":{}}",
		"{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"os\":7}",
		NULL,
	};
	struct image_config *c = NULL;
	struct berr *err = NULL;

	for (size_t i = 0; bad[i]; i++) {
		if (image_config_parse(bad[i], strlen(bad[i]), &c, &err) >= 0)
			TEST_FAIL("accepted: %s", bad[i]);
		ASSERT_NULL(c);
		ASSERT_NOT_NULL(err);
		berr_clear(&err);
	}
}

static void test_build_roundtrip(void)
{
	char *cmd[] = {"sh", NULL};
	char *json =
		image_config_build(&(struct image_config_spec){.architecture = "arm64",
							       .os = "linux",
							       .variant = "v8",
							       .created = "2020-01-01T00:00:00Z",
							       .diff_id = D1,
							       .created_by = "t",
							       .cmd = cmd});
	struct image_config *c = NULL;

	ASSERT_OK(image_config_parse(json, strlen(json), &c, NULL));
	ASSERT_STREQ(c->variant, "v8");
	ASSERT_STREQ(c->diff_ids[0], D1);
	ASSERT_STREQ(c->history[0].created_by, "t");
	image_config_free(c);
	free(json);
}

static const struct test tests[] = {
	TEST(test_parse),
	TEST(test_bad),
	TEST(test_build_roundtrip),
	{},
};

int main(void)
{
	return test_main(tests);
}
