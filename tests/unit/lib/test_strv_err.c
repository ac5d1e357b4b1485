/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/strv.h"
#include "lib/test.h"

static void test_err_chain(void)
{
	struct berr *err = NULL;

	ASSERT_EQ(berr_set(&err, EINVAL, "must be a non-empty %s", "array"), -EINVAL);
	ASSERT_EQ(berr_wrap(&err, "process.args"), -EINVAL);
	ASSERT_EQ(berr_wrap(&err, "config.json"), -EINVAL);
	ASSERT_STREQ(err->msg, "config.json: process.args: must be a non-empty array");
	ASSERT_EQ(err->errnum, EINVAL);
	berr_clear(&err);
	ASSERT_NULL(err);
	ASSERT_EQ(berr_sys(&err, ENOENT, "cannot open '%s'", "x"), -ENOENT);
	ASSERT_STREQ(err->msg, "cannot open 'x': no such file or directory");
	berr_clear(&err);
	ASSERT_EQ(berr_set(NULL, EPERM, "ignored"), -EPERM);
}

static void test_err_encode_roundtrip(void)
{
	struct berr *err = NULL, *back = NULL;
	char buf[64];
	size_t n;

	berr_set(&err, EACCES, "mounting proc on /proc");
	n = berr_encode(err, buf, sizeof(buf));
	ASSERT_EQ(berr_decode(buf, n, &back), -EACCES);
	ASSERT_STREQ(back->msg, "mounting proc on /proc");
	berr_clear(&back);
	ASSERT_EQ(berr_decode(buf, 2, &back), -EPROTO);
	berr_clear(&back);
	n = berr_encode(err, buf, 10); /* truncated text, still decodable */
	ASSERT_EQ(berr_decode(buf, n, &back), -EACCES);
	ASSERT_EQ(strlen(back->msg), 10 - sizeof(int));
	berr_clear(&back);
	berr_clear(&err);
}

static void test_strv(void)
{
	_cleanup_strv_ char **v = NULL;
	_cleanup_strv_ char **c = NULL;

	ASSERT_EQ(strv_length(v), 0);
	ASSERT_OK(strv_push_dup(&v, "PATH=/bin"));
	ASSERT_OK(strv_push_dup(&v, "HOME=/root"));
	ASSERT_EQ(strv_length(v), 2);
	ASSERT_STREQ(strv_env_get(v, "HOME"), "/root");
	ASSERT_NULL(strv_env_get(v, "HOM"));
	ASSERT_TRUE(strv_contains(v, "PATH=/bin"));
	c = strv_copy(v);
	ASSERT_STREQ(c[1], "HOME=/root");
	ASSERT_NULL(c[2]);
}

static void test_strv_env_set(void)
{
	_cleanup_strv_ char **v = NULL;

	ASSERT_OK(strv_env_set(&v, "A=1"));
	ASSERT_OK(strv_env_set(&v, "AB=2"));
	ASSERT_OK(strv_env_set(&v, "A=3")); /* replaces A, not AB */
	ASSERT_EQ(strv_length(v), 2);
	ASSERT_STREQ(v[0], "A=3");
	ASSERT_STREQ(v[1], "AB=2");
	ASSERT_OK(strv_env_set(&v, "EMPTY="));
	ASSERT_STREQ(strv_env_get(v, "EMPTY"), "");
	ASSERT_EQ(strv_env_set(&v, "NOEQ"), -EINVAL);
	ASSERT_EQ(strv_env_set(&v, "=x"), -EINVAL);
	ASSERT_EQ(strv_length(v), 3);
}

static const struct test tests[] = {
	TEST(test_strv_env_set), TEST(test_err_chain), TEST(test_err_encode_roundtrip),
	TEST(test_strv),	 {NULL, NULL},
};

int main(void)
{
	return test_main(tests);
}
