/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include "build/dockerfile.h"
#include "build/healthcheck.h"
#include "build/instruction.h"
#include "lib/strv.h"
#include "lib/test.h"

/* Parse text (one HEALTHCHECK) into *h; the result of healthcheck_parse. */
static int parse_hc(const char *text, struct run_health *h)
{
	struct dockerfile *d = NULL;
	int r;

	ASSERT_OK(dockerfile_parse(text, strlen(text), &d, NULL));
	ASSERT_EQ(d->n, 1u);
	r = healthcheck_parse(&d->v[0], h, NULL);
	dockerfile_free(d);
	return r;
}

static void test_forms(void)
{
	struct run_health h = {0};

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
	run_health_done(&h);
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
	struct run_health h = {0};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		int r = parse_hc(bad[i], &h);

		ASSERT_EQ(r, -EINVAL);
		ASSERT_NULL(h.test);
	}
}

static void test_onbuild(void)
{
	struct run_config rc = {0};

	ASSERT_OK(instruction_apply_change("onbuild run echo hi  ", &rc, NULL));
	ASSERT_OK(instruction_apply_change("ONBUILD COPY --from=x a b", &rc, NULL));
	ASSERT_EQ(strv_length(rc.onbuild), 2u);
	ASSERT_STREQ(rc.onbuild[0], "RUN echo hi");
	ASSERT_STREQ(rc.onbuild[1], "COPY --from=x a b");
	ASSERT_EQ(instruction_onbuild_check("ONBUILD RUN x", NULL), -EINVAL);
	ASSERT_EQ(instruction_onbuild_check("from x", NULL), -EINVAL);
	ASSERT_EQ(instruction_onbuild_check("MAINTAINER me", NULL), -EINVAL);
	ASSERT_EQ(instruction_onbuild_check("", NULL), -EINVAL);
	ASSERT_OK(instruction_onbuild_check("FROMAGE x", NULL));
	run_config_done(&rc);
}

static const struct test tests[] = {
	TEST(test_forms),
	TEST(test_errors),
	TEST(test_onbuild),
	{},
};

int main(void)
{
	return test_main(tests);
}
