/* SPDX-License-Identifier: Apache-2.0 */
/* docker's flag values: sizes, CPUs, signals, ulimits, restart policies, durations. */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/units.h"
#include "lib/test.h"

static void test_ram(void)
{
	int64_t v;

	ASSERT_OK(units_parse_ram("1024", false, &v, NULL));
	ASSERT_EQ(v, 1024);
	ASSERT_OK(units_parse_ram("512m", false, &v, NULL));
	ASSERT_EQ(v, 512LL << 20);
	ASSERT_OK(units_parse_ram("1.5g", false, &v, NULL));
	ASSERT_EQ(v, 3LL << 29);
	ASSERT_OK(units_parse_ram("2MiB", false, &v, NULL));
	ASSERT_EQ(v, 2LL << 20);
	ASSERT_OK(units_parse_ram("-1", true, &v, NULL));
	ASSERT_EQ(v, -1);
	ASSERT_EQ(units_parse_ram("-1", false, &v, NULL), -EINVAL);
	ASSERT_EQ(units_parse_ram("lots", false, &v, NULL), -EINVAL);
	ASSERT_EQ(units_parse_ram("", false, &v, NULL), -EINVAL);
}

static void test_cpus(void)
{
	int64_t v;
	struct berr *err = NULL;

	ASSERT_OK(units_parse_cpus("1.5", &v, NULL));
	ASSERT_EQ(v, 1500000000LL);
	ASSERT_OK(units_parse_cpus("0.01", &v, NULL));
	ASSERT_EQ(v, 10000000LL);
	ASSERT_EQ(units_parse_cpus("x", &v, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "rational number");
	berr_free(err);
}

static void test_signals(void)
{
	int sig;

	ASSERT_OK(units_parse_signal("TERM", &sig, NULL));
	ASSERT_EQ(sig, SIGTERM);
	ASSERT_OK(units_parse_signal("SIGKILL", &sig, NULL));
	ASSERT_EQ(sig, SIGKILL);
	ASSERT_OK(units_parse_signal("sigusr1", &sig, NULL));
	ASSERT_EQ(sig, SIGUSR1);
	ASSERT_OK(units_parse_signal("9", &sig, NULL));
	ASSERT_EQ(sig, 9);
	ASSERT_EQ(units_parse_signal("SIGNOPE", &sig, NULL), -EINVAL);
	ASSERT_EQ(units_parse_signal("0", &sig, NULL), -EINVAL);
	ASSERT_STREQ(units_signal_name(SIGHUP), "HUP");
}

static void test_ulimit_and_restart(void)
{
	struct ulimit u;
	struct restart_policy p;

	ASSERT_OK(units_parse_ulimit("nofile=512:1024", &u, NULL));
	ASSERT_STREQ(u.name, "nofile");
	ASSERT_EQ(u.soft, 512);
	ASSERT_EQ(u.hard, 1024);
	ASSERT_STREQ(units_ulimit_rlimit(u.name), "RLIMIT_NOFILE");
	free(u.name);
	ASSERT_EQ(units_parse_ulimit("nofile=x", &u, NULL), -EINVAL);
	ASSERT_EQ(units_parse_ulimit("bogus=1", &u, NULL), -EINVAL);
	ASSERT_OK(units_parse_restart("on-failure:3", &p, NULL));
	ASSERT_EQ(p.kind, RESTART_ON_FAILURE);
	ASSERT_EQ(p.max_retries, 3);
	ASSERT_OK(units_parse_restart("always", &p, NULL));
	ASSERT_EQ(p.kind, RESTART_ALWAYS);
	ASSERT_EQ(units_parse_restart("sometimes", &p, NULL), -EINVAL);
	ASSERT_EQ(units_parse_restart("always:3", &p, NULL), -EINVAL);
}

static void test_durations(void)
{
	int64_t v;

	ASSERT_OK(units_parse_duration("1m30s", &v, NULL));
	ASSERT_EQ(v, 90LL * 1000000000LL);
	ASSERT_OK(units_parse_duration("500ms", &v, NULL));
	ASSERT_EQ(v, 500LL * 1000000LL);
	ASSERT_OK(units_parse_since("10m", 3600LL * 1000000000LL, &v, NULL));
	ASSERT_EQ(v, 3000LL * 1000000000LL);
	ASSERT_OK(units_parse_since("2024-01-02T15:04:05Z", 0, &v, NULL));
	ASSERT_EQ(v, 1704207845LL * 1000000000LL);
	ASSERT_EQ(units_parse_since("yesterday", 0, &v, NULL), -EINVAL);
	/* a timestamp's nanoseconds exactly (a double rounds them to 256 ns) */
	ASSERT_OK(units_parse_since("1700000000.123456789", 0, &v, NULL));
	ASSERT_EQ(v, 1700000000123456789LL);
	ASSERT_OK(units_parse_since("1700000000.5", 0, &v, NULL));
	ASSERT_EQ(v, 1700000000500000000LL);
	ASSERT_OK(units_parse_since("9300000000", 0, &v, NULL));
	ASSERT_EQ(v, INT64_MAX);
	/* found by fuzz_engine_flags: a timestamp past 2262 overflowed int64 (undefined) */
	ASSERT_OK(units_parse_since("17001000000000000000", 0, &v, NULL));
	ASSERT_EQ(v, INT64_MAX);
	ASSERT_OK(units_parse_since("0001-01-01T00:00:00Z", 0, &v, NULL));
	ASSERT_EQ(v, INT64_MIN);
}

static const struct test tests[] = {
	TEST(test_ram),	      TEST(test_cpus),
	TEST(test_signals),   TEST(test_ulimit_and_restart),
	TEST(test_durations), {},
};

int main(void)
{
	return test_main(tests);
}
