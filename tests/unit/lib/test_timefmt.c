/* SPDX-License-Identifier: Apache-2.0 */
/* RFC 3339 times in nanoseconds: docker's format, both ways, and the ends of int64. */
#include <stdint.h>

#include "lib/timefmt.h"
#include "lib/test.h"

static void test_round_trip(void)
{
	char buf[64];
	int64_t v;

	ASSERT_STREQ(rfc3339_ns(1700000000123456789LL, buf, sizeof(buf)),
		     "2023-11-14T22:13:20.123456789Z");
	ASSERT_OK(rfc3339_parse_ns(buf, &v));
	ASSERT_EQ(v, 1700000000123456789LL);
	ASSERT_OK(rfc3339_parse_ns("2024-01-02T16:04:05.5+01:00", &v));
	ASSERT_EQ(v, 1704207845500000000LL);
	ASSERT_EQ(rfc3339_parse_ns("2024-01-02", &v), -EINVAL);
}

/* found by fuzz_engine_store: a time before 1970 printed a negative fraction */
static void test_offsets_and_errors(void)
{
	int64_t v;

	ASSERT_OK(rfc3339_parse_ns("1970-01-01T00:00:10Z", &v));
	ASSERT_EQ(v, 10000000000LL);
	ASSERT_OK(rfc3339_parse_ns("1970-01-01T01:00:00.123456789-01:00", &v));
	ASSERT_EQ(v, 7200123456789LL);
	ASSERT_EQ(rfc3339_parse_ns("yesterday", &v), -EINVAL);
	ASSERT_EQ(rfc3339_parse_ns("1970-01-01T00:00:10", &v), -EINVAL);
	ASSERT_EQ(rfc3339_parse_ns("1970-01-01T00:00:10Zjunk", &v), -EINVAL);
	ASSERT_EQ(rfc3339_parse_ns(NULL, &v), -EINVAL);
}

static void test_before_epoch(void)
{
	char buf[64];
	int64_t v;

	ASSERT_STREQ(rfc3339_ns(-1, buf, sizeof(buf)), "1969-12-31T23:59:59.999999999Z");
	ASSERT_OK(rfc3339_parse_ns(buf, &v));
	ASSERT_EQ(v, -1);
}

/*
 * found by fuzz_engine_store and fuzz_engine_flags: a time past 2262 (a log line's,
 * --since's) or before 1677 (docker's zero time) overflowed int64 (undefined); it
 * saturates, and the zero time stays negative.
 */
static void test_out_of_range(void)
{
	char buf[64];
	int64_t v;

	ASSERT_OK(rfc3339_parse_ns("4046-11-14T22:13:22.000000000Z", &v));
	ASSERT_EQ(v, INT64_MAX);
	ASSERT_OK(rfc3339_parse_ns("9999-12-31T23:59:59Z", &v));
	ASSERT_EQ(v, INT64_MAX);
	ASSERT_OK(rfc3339_parse_ns("0001-01-01T00:00:00Z", &v));
	ASSERT_EQ(v, INT64_MIN);
	ASSERT_OK(rfc3339_parse_ns(rfc3339_ns(INT64_MAX, buf, sizeof(buf)), &v));
	ASSERT_EQ(v, INT64_MAX);
	ASSERT_OK(rfc3339_parse_ns(rfc3339_ns(INT64_MIN, buf, sizeof(buf)), &v));
	ASSERT_EQ(v, INT64_MIN);
}

static const struct test tests[] = {
	TEST(test_round_trip),
	TEST(test_offsets_and_errors),
	TEST(test_before_epoch),
	TEST(test_out_of_range),
	{},
};

int main(void)
{
	return test_main(tests);
}
