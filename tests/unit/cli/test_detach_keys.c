/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include "cli/detach_keys.h"
#include "lib/test.h"

static void test_parse_default(void)
{
	struct detach_keys k;

	ASSERT_OK(detach_keys_parse(NULL, &k));
	ASSERT_EQ(k.len, 2);
	ASSERT_EQ(k.seq[0], 16);
	ASSERT_EQ(k.seq[1], 17);
	ASSERT_OK(detach_keys_parse("", &k));
	ASSERT_EQ(k.len, 2);
}

static void test_parse_keys(void)
{
	struct detach_keys k;

	ASSERT_OK(detach_keys_parse("a,CTRL-X,ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_", &k));
	ASSERT_EQ(k.len, 8);
	ASSERT_EQ(k.seq[0], 'a');
	ASSERT_EQ(k.seq[1], 24);
	ASSERT_EQ(k.seq[2], 0);
	ASSERT_EQ(k.seq[3], 27);
	ASSERT_EQ(k.seq[4], 28);
	ASSERT_EQ(k.seq[5], 29);
	ASSERT_EQ(k.seq[6], 30);
	ASSERT_EQ(k.seq[7], 31);
}

static void test_parse_errors(void)
{
	const char *bad[] = {"ctrl-", "ctrl-1", "ctrl-ab", "ab", "shift-a", "a,,b", "a,", ","};
	struct detach_keys k = {.len = 7};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ASSERT_EQ(detach_keys_parse(bad[i], &k), -EINVAL);
	ASSERT_EQ(k.len, 7); /* untouched on failure */
}

static bool feed(struct detach_keys *k, const char *in, char *out, size_t *len)
{
	bool done = detach_keys_feed(k, (const unsigned char *) in, strlen(in),
				     (unsigned char *) out, len);

	out[*len] = '\0';
	return done;
}

static void test_feed(void)
{
	struct detach_keys k;
	char out[128];
	size_t n;

	ASSERT_OK(detach_keys_parse("ctrl-p,ctrl-q", &k));
	ASSERT_FALSE(feed(&k, "ls\r", out, &n));
	ASSERT_STREQ(out, "ls\r");
	/* the sequence inside one read: what came before passes, the rest is dropped */
	ASSERT_TRUE(feed(&k,
			 "ab\x10\x11"
			 "cd",
			 out, &n));
	ASSERT_STREQ(out, "ab");
	/* split over reads: the prefix is held back, then nothing is sent */
	ASSERT_FALSE(feed(&k, "x\x10", out, &n));
	ASSERT_STREQ(out, "x");
	ASSERT_TRUE(feed(&k, "\x11", out, &n));
	ASSERT_EQ(n, 0);
}

static void test_feed_partial_passes_through(void)
{
	struct detach_keys k;
	char out[128];
	size_t n;

	ASSERT_OK(detach_keys_parse(NULL, &k));
	ASSERT_FALSE(feed(&k, "\x10", out, &n));
	ASSERT_EQ(n, 0);
	ASSERT_FALSE(feed(&k, "z", out, &n));
	ASSERT_STREQ(out, "\x10z");
	/* ctrl-p ctrl-p ctrl-q: the first ctrl-p passes, the next two detach */
	ASSERT_TRUE(feed(&k, "\x10\x10\x11", out, &n));
	ASSERT_STREQ(out, "\x10");
}

static void test_feed_custom(void)
{
	struct detach_keys k;
	char out[128];
	size_t n;

	ASSERT_OK(detach_keys_parse("a,b,c", &k));
	ASSERT_FALSE(feed(&k, "abx", out, &n));
	ASSERT_STREQ(out, "abx");
	ASSERT_FALSE(feed(&k, "aab", out, &n));
	ASSERT_STREQ(out, "a");
	ASSERT_TRUE(feed(&k, "c", out, &n));
	ASSERT_EQ(n, 0);
	ASSERT_OK(detach_keys_parse("q", &k));
	ASSERT_TRUE(feed(&k, "wq", out, &n));
	ASSERT_STREQ(out, "w");
}

static const struct test tests[] = {
	TEST(test_parse_default),
	TEST(test_parse_keys),
	TEST(test_parse_errors),
	TEST(test_feed),
	TEST(test_feed_partial_passes_through),
	TEST(test_feed_custom),
	{},
};

int main(void)
{
	return test_main(tests);
}
