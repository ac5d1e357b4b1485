/* SPDX-License-Identifier: Apache-2.0 */
/* Image references: docker's normalisation, and what must be refused. */
#include <stdlib.h>
#include <string.h>

#include "image/reference.h"
#include "lib/test.h"

static void check(const char *in, const char *want)
{
	struct image_ref r = {0};
	struct berr *err = NULL;
	char *s;

	if (image_ref_parse(in, false, &r, &err) < 0)
		TEST_FAIL("'%s': %s", in, err ? err->msg : "?");
	s = image_ref_string(&r);
	ASSERT_STREQ(s, want);
	free(s);
	image_ref_done(&r);
}

static void bad(const char *in, const char *msg)
{
	struct image_ref r = {0};
	struct berr *err = NULL;

	ASSERT_EQ(image_ref_parse(in, false, &r, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, msg);
	berr_free(err);
}

static void test_normalise(void)
{
	check("busybox", "docker.io/library/busybox:latest");
	check("busybox:1.36", "docker.io/library/busybox:1.36");
	check("user/app", "docker.io/user/app:latest");
	check("index.docker.io/library/alpine:3", "docker.io/library/alpine:3");
	check("localhost/x", "localhost/x:latest");
	check("localhost:5000/a/b/c:t", "localhost:5000/a/b/c:t");
	check("127.0.0.1:5000/test/busybox:v1", "127.0.0.1:5000/test/busybox:v1");
	check("quay.io/a_b/c-d.e__f:T.1-x", "quay.io/a_b/c-d.e__f:T.1-x");
	check("busybox@sha256:"
	      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	      "docker.io/library/busybox@sha256:"
	      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	check("busybox:1@sha256:"
	      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	      "docker.io/library/busybox:1@sha256:"
	      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	check("[::1]:5000/x", "[::1]:5000/x:latest");
}

static void test_refused(void)
{
	bad("", "empty");
	bad("Busybox", "lowercase");
	bad("busybox:", "invalid tag");
	bad("busybox:-x", "invalid tag");
	bad("bu$ybox", "invalid repository");
	bad("a//b", "invalid repository");
	bad("a/b/", "invalid repository");
	bad("-a", "invalid repository");
	bad("a__-b", "invalid repository");
	bad("busybox@sha256:abc", "invalid digest");
	bad("busybox@md5:0123456789abcdef0123456789abcdef", "unsupported digest");
	bad("host:port/x", "invalid registry");
	bad("-host.io/x", "invalid registry");
	bad(":5000/x", "invalid");
}

static void test_familiar(void)
{
	ASSERT_STREQ(image_ref_familiar("docker.io/library/busybox:latest"), "busybox:latest");
	ASSERT_STREQ(image_ref_familiar("docker.io/user/x:1"), "user/x:1");
	ASSERT_STREQ(image_ref_familiar("docker.io/library/a/b"), "library/a/b");
	ASSERT_STREQ(image_ref_familiar("quay.io/x/y:1"), "quay.io/x/y:1");
	ASSERT_STREQ(image_ref_api_host("docker.io"), "registry-1.docker.io");
}

static void test_local(void)
{
	ASSERT_TRUE(image_ref_domain_is_local("localhost"));
	ASSERT_TRUE(image_ref_domain_is_local("localhost:5000"));
	ASSERT_TRUE(image_ref_domain_is_local("127.0.0.1:1234"));
	ASSERT_TRUE(image_ref_domain_is_local("127.1.2.3"));
	ASSERT_TRUE(image_ref_domain_is_local("[::1]:80"));
	ASSERT_FALSE(image_ref_domain_is_local("127.0.0.1.evil.com"));
	ASSERT_FALSE(image_ref_domain_is_local("localhost.evil.com"));
	ASSERT_FALSE(image_ref_domain_is_local("docker.io"));
}

static void test_long(void)
{
	char big[400];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	bad(big, "longer than");
	memset(big, 'a', 200);
	big[200] = ':';
	memset(big + 201, 'b', 150);
	big[351] = '\0';
	bad(big, "invalid tag");
}

static const struct test tests[] = {
	TEST(test_normalise), TEST(test_refused), TEST(test_familiar),
	TEST(test_local),     TEST(test_long),	  {},
};

int main(void)
{
	return test_main(tests);
}
