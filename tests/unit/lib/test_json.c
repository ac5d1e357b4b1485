/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/test.h"

static struct jdoc *parse(const char *text)
{
	struct jdoc *doc = NULL;
	struct berr *err = NULL;

	if (jdoc_parse(text, strlen(text), "t.json", &doc, &err) < 0)
		TEST_FAIL("parse failed: %s", err->msg);
	return doc;
}

static void test_uint64_exact(void)
{
	_cleanup_jdoc_ struct jdoc *doc = parse("{\"a\": 18446744073709551615, \"b\": -1}");
	struct jnode root;
	struct berr *err = NULL;
	uint64_t v = 0;

	jdoc_root(doc, &root);
	ASSERT_EQ(jnode_get_uint64(&root, "a", &v, &err), 1);
	ASSERT_EQ_U64(v, UINT64_MAX);
	ASSERT_EQ(jnode_get_uint64(&root, "b", &v, &err), -ERANGE);
	ASSERT_STREQ(err->msg, "b: must be an integer between 0 and 18446744073709551615");
	berr_clear(&err);
}

static void test_int_ranges(void)
{
	_cleanup_jdoc_ struct jdoc *doc = parse("{\"x\": 4294967296, \"y\": -9223372036854775808,"
						" \"f\": 1.5, \"s\": \"1\"}");
	struct jnode root;
	struct berr *err = NULL;
	uint32_t u = 7;
	int64_t i = 0;

	jdoc_root(doc, &root);
	ASSERT_EQ(jnode_get_uint32(&root, "x", &u, &err), -ERANGE);
	ASSERT_EQ(u, 7);
	berr_clear(&err);
	ASSERT_EQ(jnode_get_int64(&root, "y", &i, &err), 1);
	ASSERT_TRUE(i == INT64_MIN);
	ASSERT_EQ(jnode_get_int64(&root, "f", &i, &err), -EINVAL);
	ASSERT_STREQ(err->msg, "f: must be an integer");
	berr_clear(&err);
	ASSERT_EQ(jnode_get_int64(&root, "s", &i, &err), -EINVAL);
	berr_clear(&err);
	ASSERT_EQ(jnode_get_int64(&root, "missing", &i, &err), 0);
}

static void test_paths_in_errors(void)
{
	_cleanup_jdoc_ struct jdoc *doc =
		parse("{\"process\": {\"args\": [\"sh\", 3]}, \"annotations\": {\"a.b\": 1}}");
	struct jnode root, proc, args, ann, el;
	struct berr *err = NULL;
	char **v = NULL;
	char *s = NULL;

	jdoc_root(doc, &root);
	jnode_member(&root, "process", &proc);
	ASSERT_EQ(jnode_get_strv(&proc, "args", &v, &err), -EINVAL);
	ASSERT_STREQ(err->msg, "process.args[1]: must be a string");
	ASSERT_NULL(v);
	berr_clear(&err);
	jnode_member(&root, "annotations", &ann);
	jnode_member(&ann, "a.b", &el);
	ASSERT_EQ(jnode_string(&el, &s, &err), -EINVAL);
	ASSERT_STREQ(err->msg, "annotations[\"a.b\"]: must be a string");
	berr_clear(&err);
	jnode_member(&proc, "args", &args);
	ASSERT_EQ(jnode_array_len(&args), 2);
}

static void test_syntax_errors(void)
{
	struct jdoc *doc = NULL;
	struct berr *err = NULL;

	ASSERT_EQ(jdoc_parse("{\"a\":\n 1,,}", 11, "c.json", &doc, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "c.json: line 2");
	berr_clear(&err);
	ASSERT_EQ(jdoc_parse("{} x", 4, "c.json", &doc, &err), -EINVAL);
	ASSERT_STREQ(err->msg, "c.json: trailing data after the document");
	berr_clear(&err);
	ASSERT_EQ(jdoc_parse("{\"a\": [", 7, "c.json", &doc, &err), -EINVAL);
	berr_clear(&err);
	ASSERT_EQ(jdoc_parse("\"a\\u0000b\"", 10, "c.json", &doc, &err), 0);
	{
		struct jnode root;
		char *s = NULL;

		jdoc_root(doc, &root);
		ASSERT_EQ(jnode_string(&root, &s, &err), -EINVAL);
		ASSERT_STREQ(err->msg, "must not contain a NUL character");
		berr_clear(&err);
	}
	jdoc_free(doc);
}

static void test_deep_nesting_refused(void)
{
	char buf[512];
	struct jdoc *doc = NULL;
	struct berr *err = NULL;

	memset(buf, '[', 200);
	memset(buf + 200, ']', 200);
	ASSERT_EQ(jdoc_parse(buf, 400, "d.json", &doc, &err), -EINVAL);
	berr_clear(&err);
}

static void test_writer_no_slash_escape(void)
{
	_cleanup_jw_ struct jwriter *o = jw_object();
	struct jwriter *a = jw_array();
	_cleanup_free_ char *s = NULL;

	jw_str(o, "path", "/run/berth");
	jw_uint(o, "big", UINT64_MAX);
	jw_bool(o, "t", true);
	jw_str(o, "skipped", NULL);
	jw_append_str(a, "x");
	jw_put(o, "arr", a);
	s = jw_to_string(o, false);
	ASSERT_STREQ(s, "{\"path\":\"/run/berth\",\"big\":18446744073709551615,\"t\":true,"
			"\"arr\":[\"x\"]}");
}

static const struct test tests[] = {
	TEST(test_uint64_exact),
	TEST(test_int_ranges),
	TEST(test_paths_in_errors),
	TEST(test_syntax_errors),
	TEST(test_deep_nesting_refused),
	TEST(test_writer_no_slash_escape),
	{NULL, NULL},
};

int main(void)
{
	return test_main(tests);
}
