/* SPDX-License-Identifier: Apache-2.0 */
/*
 * berth's test harness (STYLE.md §9): TAP output, no dependencies.
 *
 *     static void test_parse_ok(void) { ASSERT_EQ(parse("1"), 1); }
 *     static const struct test tests[] = { TEST(test_parse_ok), {} };
 *     int main(void) { return test_main(tests); }
 *
 * ASSERT_* print file:line, the expression and both values, then end the test.
 * TEST_SKIP("why") skips it; with BERTH_MUST_WORK=1 in the environment (CI), a skip
 * counts as a failure. The run ends with "N passed, N failed".
 */
#ifndef BERTH_LIB_TEST_H
#define BERTH_LIB_TEST_H

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct test {
	const char *name;
	void (*fn)(void);
};

#define TEST(f)                                                                                    \
	{                                                                                          \
#f, f                                                                              \
	}

static jmp_buf test_jmp;
static int test_outcome; /* 0 pass, 1 fail, 2 skip */
static char test_skip_reason[256];

static inline void test_fail_here(void)
{
	test_outcome = 1;
	longjmp(test_jmp, 1);
}

#define TEST_FAIL(...)                                                                             \
	do {                                                                                       \
		printf("# %s:%d: ", __FILE__, __LINE__);                                           \
		printf(__VA_ARGS__);                                                               \
		printf("\n");                                                                      \
		test_fail_here();                                                                  \
	} while (0)

#define TEST_SKIP(...)                                                                             \
	do {                                                                                       \
		snprintf(test_skip_reason, sizeof(test_skip_reason), __VA_ARGS__);                 \
		test_outcome = 2;                                                                  \
		longjmp(test_jmp, 1);                                                              \
	} while (0)

#define ASSERT_TRUE(e)                                                                             \
	do {                                                                                       \
		if (!(e))                                                                          \
			TEST_FAIL("ASSERT_TRUE(%s): false", #e);                                   \
	} while (0)

#define ASSERT_FALSE(e)                                                                            \
	do {                                                                                       \
		if (e)                                                                             \
			TEST_FAIL("ASSERT_FALSE(%s): true", #e);                                   \
	} while (0)

#define ASSERT_EQ(a, b)                                                                            \
	do {                                                                                       \
		long long _a = (long long) (a), _b = (long long) (b);                              \
		if (_a != _b)                                                                      \
			TEST_FAIL("ASSERT_EQ(%s, %s): %lld != %lld", #a, #b, _a, _b);              \
	} while (0)

#define ASSERT_NE(a, b)                                                                            \
	do {                                                                                       \
		long long _a = (long long) (a), _b = (long long) (b);                              \
		if (_a == _b)                                                                      \
			TEST_FAIL("ASSERT_NE(%s, %s): both %lld", #a, #b, _a);                     \
	} while (0)

#define ASSERT_EQ_U64(a, b)                                                                        \
	do {                                                                                       \
		uint64_t _a = (uint64_t) (a), _b = (uint64_t) (b);                                 \
		if (_a != _b)                                                                      \
			TEST_FAIL("ASSERT_EQ_U64(%s, %s): %" PRIu64 " != %" PRIu64, #a, #b, _a,    \
				  _b);                                                             \
	} while (0)

#define ASSERT_STREQ(a, b)                                                                         \
	do {                                                                                       \
		const char *_a = (a), *_b = (b);                                                   \
		if (!_a || !_b || strcmp(_a, _b) != 0)                                             \
			TEST_FAIL("ASSERT_STREQ(%s, %s): \"%s\" != \"%s\"", #a, #b,                \
				  _a ? _a : "(null)", _b ? _b : "(null)");                         \
	} while (0)

#define ASSERT_CONTAINS(hay, needle)                                                               \
	do {                                                                                       \
		const char *_h = (hay), *_n = (needle);                                            \
		if (!_h || !strstr(_h, _n))                                                        \
			TEST_FAIL("ASSERT_CONTAINS(%s, %s): \"%s\" lacks \"%s\"", #hay, #needle,   \
				  _h ? _h : "(null)", _n);                                         \
	} while (0)

#define ASSERT_NULL(p)                                                                             \
	do {                                                                                       \
		const void *_p = (p);                                                              \
		if (_p)                                                                            \
			TEST_FAIL("ASSERT_NULL(%s): %p", #p, _p);                                  \
	} while (0)

#define ASSERT_NOT_NULL(p)                                                                         \
	do {                                                                                       \
		if (!(p))                                                                          \
			TEST_FAIL("ASSERT_NOT_NULL(%s): NULL", #p);                                \
	} while (0)

/* r >= 0 */
#define ASSERT_OK(r)                                                                               \
	do {                                                                                       \
		long long _r = (long long) (r);                                                    \
		if (_r < 0)                                                                        \
			TEST_FAIL("ASSERT_OK(%s): %lld (%s)", #r, _r, strerror((int) -_r));        \
	} while (0)

static inline int test_main(const struct test *tests)
{
	const char *must = getenv("BERTH_MUST_WORK");
	bool must_work = must && strcmp(must, "1") == 0;
	volatile int n = 0, passed = 0, failed = 0;

	while (tests[n].name)
		n++;
	printf("1..%d\n", n);
	for (int i = 0; i < n; i++) {
		test_outcome = 0;
		test_skip_reason[0] = '\0';
		if (setjmp(test_jmp) == 0)
			tests[i].fn();
		if (test_outcome == 2 && must_work) {
			printf("# skip not allowed (BERTH_MUST_WORK=1): %s\n", test_skip_reason);
			test_outcome = 1;
		}
		if (test_outcome == 0) {
			printf("ok %d - %s\n", i + 1, tests[i].name);
			passed++;
		} else if (test_outcome == 2) {
			printf("ok %d - %s # SKIP %s\n", i + 1, tests[i].name, test_skip_reason);
			passed++;
		} else {
			printf("not ok %d - %s\n", i + 1, tests[i].name);
			failed++;
		}
		fflush(stdout);
	}
	printf("# %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

#endif
