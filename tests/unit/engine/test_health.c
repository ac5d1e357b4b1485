/* SPDX-License-Identifier: Apache-2.0 */
/* Health checks: docker's state machine, health.json, the flags and the image's merge. */
#include <stdlib.h>
#include <string.h>

#include "engine/health.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/test.h"

static void probe(struct health_state *h, int code, int64_t retries, bool in_start)
{
	struct health_result r = {.start = strdup("s"),
				  .end = strdup("e"),
				  .exit_code = code,
				  .output = strdup("out")};

	health_record(h, &r, retries, in_start);
}

static void test_state_machine(void)
{
	struct health_state h = {.status = HEALTH_STARTING};

	/* failures in the start period do not count while starting */
	probe(&h, 1, 1, true);
	probe(&h, 1, 1, true);
	ASSERT_EQ(h.status, HEALTH_STARTING);
	ASSERT_EQ(h.failing_streak, 0);
	/* after it, they do */
	probe(&h, 1, 2, false);
	ASSERT_EQ(h.status, HEALTH_STARTING);
	probe(&h, 2, 2, false);
	ASSERT_EQ(h.status, HEALTH_UNHEALTHY);
	ASSERT_EQ(h.failing_streak, 2);
	/* one success heals, and the log keeps five */
	probe(&h, 0, 2, false);
	ASSERT_EQ(h.status, HEALTH_HEALTHY);
	ASSERT_EQ(h.failing_streak, 0);
	ASSERT_EQ(h.n_log, (size_t) 5);
	probe(&h, 0, 2, false);
	ASSERT_EQ(h.n_log, (size_t) 5);
	ASSERT_EQ(h.log[4].exit_code, 0);
	ASSERT_EQ(h.log[0].exit_code, 1);
	/* a healthy one in its start period: failures count (no longer starting) */
	probe(&h, 1, 1, true);
	ASSERT_EQ(h.status, HEALTH_UNHEALTHY);
	health_state_done(&h);
}

static void test_json(void)
{
	struct health_state h = {.status = HEALTH_STARTING}, back;
	char *text;

	probe(&h, 0, 3, false);
	probe(&h, -1, 3, false);
	text = health_state_to_json(&h);
	ASSERT_OK(health_state_from_json(text, strlen(text), &back, NULL));
	ASSERT_EQ(back.status, HEALTH_HEALTHY);
	ASSERT_EQ(back.failing_streak, 1);
	ASSERT_EQ(back.n_log, (size_t) 2);
	ASSERT_EQ(back.log[1].exit_code, -1);
	ASSERT_STREQ(back.log[1].output, "out");
	health_state_done(&back);
	ASSERT_EQ(health_state_from_json("[1", 2, &back, NULL) < 0, true);
	free(text);
	health_state_done(&h);
}

static void test_flags_and_merge(void)
{
	struct container_config c = {0};
	struct berr *err = NULL;
	struct jdoc *doc = NULL;
	struct jnode root, hc;
	char **argv;
	const char *img = "{\"Healthcheck\":{\"Test\":[\"CMD\",\"check\",\"-q\"],"
			  "\"Interval\":5000000000,\"Retries\":7}}";

	ASSERT_OK(health_from_flags(&(struct health_flags){.interval = "2s"}, &c, NULL));
	ASSERT_EQ(c.health_interval, 2000000000LL);
	ASSERT_OK(jdoc_parse(img, strlen(img), "img", &doc, NULL));
	jdoc_root(doc, &root);
	jnode_member(&root, "Healthcheck", &hc);
	ASSERT_OK(health_merge_json(&c, &hc, "Healthcheck", NULL));
	/* the image's test and retries, the flag's interval */
	ASSERT_STREQ(c.health_test[1], "check");
	ASSERT_EQ(c.health_interval, 2000000000LL);
	ASSERT_EQ(c.health_retries, 7);
	argv = health_probe_argv(&c);
	ASSERT_STREQ(argv[0], "check");
	ASSERT_STREQ(argv[1], "-q");
	strv_free(argv);
	ASSERT_EQ(health_next_delay(&c, true), 2000000000LL);
	c.health_start_period = 1;
	ASSERT_EQ(health_next_delay(&c, true), HEALTH_DEFAULT_START_INTERVAL);
	jdoc_free(doc);
	container_config_done(&c);

	memset(&c, 0, sizeof(c));
	ASSERT_OK(health_from_flags(&(struct health_flags){.none = true}, &c, NULL));
	ASSERT_EQ(health_enabled(&c), false);
	container_config_done(&c);
	memset(&c, 0, sizeof(c));
	ASSERT_EQ(health_from_flags(&(struct health_flags){.none = true, .cmd = "x"}, &c, &err),
		  -EINVAL);
	ASSERT_CONTAINS(err->msg, "conflicts");
	berr_clear(&err);
	ASSERT_EQ(health_from_flags(&(struct health_flags){.timeout = "10us"}, &c, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "--health-timeout cannot be less than 1ms");
	berr_clear(&err);
	container_config_done(&c);
}

static const struct test tests[] = {
	TEST(test_state_machine),
	TEST(test_json),
	TEST(test_flags_and_merge),
	{},
};

int main(void)
{
	return test_main(tests);
}
