/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json-file entries byte for byte as docker's (moby jsonlog.JSONLogs.MarshalJSONBuf and
 * ffjsonWriteJSONBytesAsString; time.RFC3339Nano): escaping, invalid UTF-8, the time.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/log_json.h"
#include "lib/test.h"

#define T 1704207845123456789LL /* 2024-01-02T15:04:05.123456789Z */

/* The text of one entry as log_entry_json writes it: what lies between "log":" and ". */
static void expect_log(const char *text, size_t len, const char *want)
{
	char *line = log_entry_json(LOG_STDOUT, text, len, T);
	char *exp = NULL;

	ASSERT_NOT_NULL(line);
	ASSERT_TRUE(asprintf(&exp,
			     "{\"log\":\"%s\",\"stream\":\"stdout\",\"time\":"
			     "\"2024-01-02T15:04:05.123456789Z\"}\n",
			     want) > 0);
	ASSERT_STREQ(line, exp);
	free(exp);
	free(line);
}

static void test_escaping(void)
{
	/* '"' and '\\' with a backslash, \n and \r short, the rest of C0 and <>& as \u00XX */
	expect_log("a\"b\\c\n", 6, "a\\\"b\\\\c\\n");
	expect_log("\r\t\x01\x1f", 4, "\\r\\u0009\\u0001\\u001f");
	expect_log("<a href='x'>&</a>", 17, "\\u003ca href='x'\\u003e\\u0026\\u003c/a\\u003e");
	/* DEL and '/' stay as they are */
	expect_log("\x7f/", 2, "\x7f/");
	/* a NUL byte in the middle */
	expect_log("a\0b", 3, "a\\u0000b");
}

static void test_utf8(void)
{
	expect_log("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3", 14,
		   "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3");
	/* each byte of invalid UTF-8 is one U+FFFD, as Go's utf8.DecodeRune */
	expect_log("\xff", 1, "\\ufffd");
	expect_log("a\xc3", 2, "a\\ufffd");			/* cut short at the end */
	expect_log("\xc3(", 2, "\\ufffd(");			/* bad continuation */
	expect_log("\xc0\xaf", 2, "\\ufffd\\ufffd");		/* overlong '/' */
	expect_log("\xed\xa0\x80", 3, "\\ufffd\\ufffd\\ufffd"); /* a surrogate */
	expect_log("\xf4\x90\x80\x80", 4, "\\ufffd\\ufffd\\ufffd\\ufffd"); /* > U+10FFFF */
	/* U+FFFD itself is valid; U+2028 and U+2029 are escaped (JavaScript line ends) */
	expect_log("\xef\xbf\xbd", 3, "\xef\xbf\xbd");
	expect_log("\xe2\x80\xa8\xe2\x80\xa9", 6, "\\u2028\\u2029");
}

static void test_time(void)
{
	char buf[LOG_TIME_MAX];

	ASSERT_EQ(log_time_format(T, buf), 30);
	ASSERT_STREQ(buf, "2024-01-02T15:04:05.123456789Z");
	/* Go's RFC3339Nano drops the fraction's trailing zeros, and the dot of a whole second */
	log_time_format(1704207845120000000LL, buf);
	ASSERT_STREQ(buf, "2024-01-02T15:04:05.12Z");
	log_time_format(1704207845000000000LL, buf);
	ASSERT_STREQ(buf, "2024-01-02T15:04:05Z");
	log_time_format(1704207845000000001LL, buf);
	ASSERT_STREQ(buf, "2024-01-02T15:04:05.000000001Z");
}

static void test_append(void)
{
	struct logbuf b = {0};

	/* a whole line gets its "\n" in the text; a partial entry none */
	ASSERT_OK(log_json_append(&b, LOG_STDERR, "one", 3, true, "T1", 2));
	ASSERT_OK(log_json_append(&b, LOG_STDOUT, "two", 3, false, "T2", 2));
	ASSERT_OK(log_json_append(&b, LOG_STDOUT, "", 0, true, "T3", 2));
	ASSERT_OK(logbuf_reserve(&b, 1));
	b.data[b.len] = '\0';
	ASSERT_STREQ(b.data, "{\"log\":\"one\\n\",\"stream\":\"stderr\",\"time\":\"T1\"}\n"
			     "{\"log\":\"two\",\"stream\":\"stdout\",\"time\":\"T2\"}\n"
			     "{\"log\":\"\\n\",\"stream\":\"stdout\",\"time\":\"T3\"}\n");
	logbuf_done(&b);
}

static void test_parse_back(void)
{
	const char text[] = "x\"\x01<\xc3\xa9\xff\n";
	char *line = log_entry_json(LOG_STDERR, text, sizeof(text) - 1, T);
	struct log_entry e;
	char *back = NULL;

	ASSERT_OK(log_entry_parse(line, strlen(line), &e, &back));
	ASSERT_EQ(e.stream, LOG_STDERR);
	ASSERT_EQ(e.time_ns, T);
	ASSERT_STREQ(back, "x\"\x01<\xc3\xa9\xef\xbf\xbd\n");
	free(back);
	free(line);
	/* moby leaves "log" out of an empty entry */
	line = "{\"stream\":\"stdout\",\"time\":\"2024-01-02T15:04:05Z\"}\n";
	ASSERT_OK(log_entry_parse(line, strlen(line), &e, &back));
	ASSERT_EQ(e.len, 0);
	free(back);
}

static const struct test tests[] = {
	TEST(test_escaping), TEST(test_utf8),	    TEST(test_time),
	TEST(test_append),   TEST(test_parse_back), {},
};

int main(void)
{
	return test_main(tests);
}
