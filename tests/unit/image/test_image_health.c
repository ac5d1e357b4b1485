/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image/image_health.h"
#include "lib/strv.h"
#include "lib/test.h"

/* Parse the arguments of a HEALTHCHECK (flags included) into *h. */
static int parse_hc(const char *text, struct image_health *h)
{
	return image_health_parse_text(text + strlen("HEALTHCHECK"), h, NULL);
}

static void test_forms(void)
{
	struct image_health h = {0};

	ASSERT_OK(parse_hc("HEALTHCHECK --interval=1m30s --timeout=3s --start-period=500ms "
			   "--start-interval=2s --retries=4 CMD test -e /x || exit 1",
			   &h));
	ASSERT_EQ(strv_length(h.test), 2u);
	ASSERT_STREQ(h.test[0], "CMD-SHELL");
	ASSERT_STREQ(h.test[1], "test -e /x || exit 1");
	ASSERT_EQ(h.interval, 90000000000LL);
	ASSERT_EQ(h.timeout, 3000000000LL);
	ASSERT_EQ(h.start_period, 500000000LL);
	ASSERT_EQ(h.start_interval, 2000000000LL);
	ASSERT_EQ(h.retries, 4);
	/* a new HEALTHCHECK replaces every field */
	ASSERT_OK(parse_hc("healthcheck cmd [\"true\", \"a b\"]", &h));
	ASSERT_EQ(strv_length(h.test), 3u);
	ASSERT_STREQ(h.test[0], "CMD");
	ASSERT_STREQ(h.test[2], "a b");
	ASSERT_EQ(h.interval, 0);
	ASSERT_EQ(h.retries, 0);
	ASSERT_OK(parse_hc("HEALTHCHECK NONE", &h));
	ASSERT_EQ(strv_length(h.test), 1u);
	ASSERT_STREQ(h.test[0], "NONE");
	image_health_done(&h);
}

static void test_errors(void)
{
	static const char *const bad[] = {
		"HEALTHCHECK --interval=x CMD true",
		"HEALTHCHECK --interval=-1s CMD true",
		"HEALTHCHECK --timeout=10us CMD true",
		"HEALTHCHECK --retries=-1 CMD true",
		"HEALTHCHECK --retries=2x CMD true",
		"HEALTHCHECK --bogus=1 CMD true",
		"HEALTHCHECK --interval CMD true",
		"HEALTHCHECK NONE true",
		"HEALTHCHECK RUN true",
		"HEALTHCHECK CMD",
		"HEALTHCHECK CMD []",
	};
	struct image_health h = {0};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		int r = parse_hc(bad[i], &h);

		ASSERT_EQ(r, -EINVAL);
		ASSERT_NULL(h.test);
	}
}

static void test_json(void)
{
	struct image_health h = {0}, back = {0};
	struct jwriter *w;
	struct jdoc *doc = NULL;
	struct jnode root;
	char *text;

	ASSERT_OK(parse_hc("HEALTHCHECK --timeout=3s CMD [\"a\"]", &h));
	w = image_health_json(&h);
	text = jw_to_string(w, false);
	ASSERT_STREQ(text, "{\"Test\":[\"CMD\",\"a\"],\"Timeout\":3000000000}");
	ASSERT_OK(jdoc_parse(text, strlen(text), "t", &doc, NULL));
	jdoc_root(doc, &root);
	ASSERT_OK(image_health_from_json(&root, &back, NULL));
	ASSERT_STREQ(back.test[1], "a");
	ASSERT_EQ(back.timeout, 3000000000LL);
	ASSERT_EQ(back.interval, 0);
	image_health_done(&back);
	ASSERT_OK(image_health_copy(&h, &back));
	ASSERT_STREQ(back.test[0], "CMD");
	ASSERT_EQ(back.timeout, 3000000000LL);
	image_health_done(&back);
	image_health_done(&h);
	jdoc_free(doc);
	free(text);
	jw_free(w);
}

static const struct test tests[] = {
	TEST(test_forms),
	TEST(test_errors),
	TEST(test_json),
	{},
};

int main(void)
{
	return test_main(tests);
}
