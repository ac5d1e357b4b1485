/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdint.h>

#include "lib/test.h"
#include "runtime/cgroup/cgroup_convert.h"

/* The values runc >= 1.3.2 and crun >= 1.23 give (their test tables). */
static void test_shares_to_weight(void)
{
	ASSERT_EQ(cgroup_shares_to_weight(0), 0);
	ASSERT_EQ(cgroup_shares_to_weight(1), 1);
	ASSERT_EQ(cgroup_shares_to_weight(2), 1);
	ASSERT_EQ(cgroup_shares_to_weight(3), 2);
	ASSERT_EQ(cgroup_shares_to_weight(512), 59);
	ASSERT_EQ(cgroup_shares_to_weight(1024), 100); /* default -> default */
	ASSERT_EQ(cgroup_shares_to_weight(1025), 101);
	ASSERT_EQ(cgroup_shares_to_weight(2048), 174);
	ASSERT_EQ(cgroup_shares_to_weight(262143), 10000);
	ASSERT_EQ(cgroup_shares_to_weight(262144), 10000);
	ASSERT_EQ(cgroup_shares_to_weight(UINT64_MAX), 10000);
}

static void test_shares_to_weight_is_monotonic(void)
{
	uint64_t prev = 1;

	for (uint64_t s = 2; s <= 262144; s += 7) {
		uint64_t w = cgroup_shares_to_weight(s);

		ASSERT_TRUE(w >= prev && w <= 10000);
		prev = w;
	}
}

static void test_blkio_weight_to_io(void)
{
	ASSERT_EQ(cgroup_blkio_weight_to_io(0), 0);
	ASSERT_EQ(cgroup_blkio_weight_to_io(10), 1);
	ASSERT_EQ(cgroup_blkio_weight_to_io(500), 4950);
	ASSERT_EQ(cgroup_blkio_weight_to_io(1000), 10000);
}

static void test_swap_to_v2(void)
{
	int64_t v = 0;

	ASSERT_OK(cgroup_swap_to_v2(-1, true, 100, &v));
	ASSERT_EQ(v, -1);
	ASSERT_OK(cgroup_swap_to_v2(-1, false, 0, &v));
	ASSERT_EQ(v, -1);
	ASSERT_OK(cgroup_swap_to_v2(300, true, 100, &v));
	ASSERT_EQ(v, 200);
	ASSERT_OK(cgroup_swap_to_v2(100, true, 100, &v));
	ASSERT_EQ(v, 0);
	ASSERT_EQ(cgroup_swap_to_v2(50, true, 100, &v), -EINVAL);
	ASSERT_EQ(cgroup_swap_to_v2(50, false, 0, &v), -EINVAL);
	ASSERT_EQ(cgroup_swap_to_v2(50, true, -1, &v), -EINVAL);
}

static void test_fmt_limit(void)
{
	char buf[32];

	ASSERT_STREQ(cgroup_fmt_limit(-1, buf, sizeof(buf)), "max");
	ASSERT_STREQ(cgroup_fmt_limit(0, buf, sizeof(buf)), "0");
	ASSERT_STREQ(cgroup_fmt_limit(INT64_MAX, buf, sizeof(buf)), "9223372036854775807");
}

static void test_id_lists(void)
{
	ASSERT_TRUE(cgroup_id_list_valid(""));
	ASSERT_TRUE(cgroup_id_list_valid("0"));
	ASSERT_TRUE(cgroup_id_list_valid("0-3,7"));
	ASSERT_TRUE(cgroup_id_list_valid("1,2,3-3"));
	ASSERT_FALSE(cgroup_id_list_valid("3-1"));
	ASSERT_FALSE(cgroup_id_list_valid("0,"));
	ASSERT_FALSE(cgroup_id_list_valid(",0"));
	ASSERT_FALSE(cgroup_id_list_valid("0-"));
	ASSERT_FALSE(cgroup_id_list_valid("a"));
	ASSERT_FALSE(cgroup_id_list_valid("0 1"));
	ASSERT_FALSE(cgroup_id_list_valid("0\n1"));
	ASSERT_FALSE(cgroup_id_list_valid("-1"));
	ASSERT_FALSE(cgroup_id_list_valid("99999999999"));
}

static void test_page_sizes(void)
{
	uint64_t v = 0;

	ASSERT_OK(cgroup_page_size_parse("2MB", &v));
	ASSERT_EQ_U64(v, 2ULL << 20);
	ASSERT_OK(cgroup_page_size_parse("1GB", &v));
	ASSERT_EQ_U64(v, 1ULL << 30);
	ASSERT_OK(cgroup_page_size_parse("64KB", &v));
	ASSERT_EQ_U64(v, 64ULL << 10);
	ASSERT_EQ(cgroup_page_size_parse("2mb", &v), -EINVAL);
	ASSERT_EQ(cgroup_page_size_parse("2M", &v), -EINVAL);
	ASSERT_EQ(cgroup_page_size_parse("MB", &v), -EINVAL);
	ASSERT_EQ(cgroup_page_size_parse("0MB", &v), -EINVAL);
	ASSERT_EQ(cgroup_page_size_parse("2XB", &v), -EINVAL);
	ASSERT_EQ(cgroup_page_size_parse("2MB/../x", &v), -EINVAL);
	ASSERT_EQ(cgroup_page_size_parse("", &v), -EINVAL);
}

static void test_parse_bytes(void)
{
	int64_t v = 0;

	ASSERT_OK(cgroup_parse_bytes("1024", &v));
	ASSERT_EQ(v, 1024);
	ASSERT_OK(cgroup_parse_bytes("-1", &v));
	ASSERT_EQ(v, -1);
	ASSERT_OK(cgroup_parse_bytes("512m", &v));
	ASSERT_EQ(v, 512LL << 20);
	ASSERT_OK(cgroup_parse_bytes("64M", &v));
	ASSERT_EQ(v, 64LL << 20);
	ASSERT_OK(cgroup_parse_bytes("2GiB", &v));
	ASSERT_EQ(v, 2LL << 30);
	ASSERT_OK(cgroup_parse_bytes("1.5k", &v));
	ASSERT_EQ(v, 1536);
	ASSERT_OK(cgroup_parse_bytes("10kb", &v));
	ASSERT_EQ(v, 10240);
	ASSERT_OK(cgroup_parse_bytes("7b", &v));
	ASSERT_EQ(v, 7);
	ASSERT_EQ(cgroup_parse_bytes("", &v), -EINVAL);
	ASSERT_EQ(cgroup_parse_bytes("-2", &v), -EINVAL);
	ASSERT_EQ(cgroup_parse_bytes("12x", &v), -EINVAL);
	ASSERT_EQ(cgroup_parse_bytes("0x10", &v), -EINVAL);
	ASSERT_EQ(cgroup_parse_bytes("1e3", &v), -EINVAL);
	ASSERT_EQ(cgroup_parse_bytes("1.2.3", &v), -EINVAL);
	ASSERT_EQ(cgroup_parse_bytes("inf", &v), -EINVAL);
	ASSERT_EQ(cgroup_parse_bytes("100000p", &v), -ERANGE);
}

static void test_parse_duration(void)
{
	uint64_t v = 0;

	ASSERT_OK(cgroup_parse_duration("5s", &v));
	ASSERT_EQ_U64(v, 5000000000ULL);
	ASSERT_OK(cgroup_parse_duration("100ms", &v));
	ASSERT_EQ_U64(v, 100000000ULL);
	ASSERT_OK(cgroup_parse_duration("1m30s", &v));
	ASSERT_EQ_U64(v, 90000000000ULL);
	ASSERT_OK(cgroup_parse_duration("1.5s", &v));
	ASSERT_EQ_U64(v, 1500000000ULL);
	ASSERT_OK(cgroup_parse_duration("250us", &v));
	ASSERT_EQ_U64(v, 250000ULL);
	ASSERT_OK(cgroup_parse_duration("0", &v));
	ASSERT_EQ_U64(v, 0);
	ASSERT_EQ(cgroup_parse_duration("5", &v), -EINVAL);
	ASSERT_EQ(cgroup_parse_duration("", &v), -EINVAL);
	ASSERT_EQ(cgroup_parse_duration("5x", &v), -EINVAL);
	ASSERT_EQ(cgroup_parse_duration("-5s", &v), -EINVAL);
	ASSERT_EQ(cgroup_parse_duration("s", &v), -EINVAL);
}

static const struct test tests[] = {
	TEST(test_shares_to_weight),   TEST(test_shares_to_weight_is_monotonic),
	TEST(test_blkio_weight_to_io), TEST(test_swap_to_v2),
	TEST(test_fmt_limit),	       TEST(test_id_lists),
	TEST(test_page_sizes),	       TEST(test_parse_bytes),
	TEST(test_parse_duration),     {NULL, NULL},
};

int main(void)
{
	return test_main(tests);
}
