/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "image/digest.h"
#include "lib/test.h"

#define EMPTY256 "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void test_validate(void)
{
	enum digest_algo a;

	ASSERT_OK(digest_validate(EMPTY256, &a));
	ASSERT_EQ(a, DIGEST_SHA256);
	ASSERT_EQ(digest_validate(
			  "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
			  NULL),
		  -EINVAL);
	ASSERT_EQ(digest_validate("sha256:e3b0", NULL), -EINVAL);
	ASSERT_EQ(digest_validate("sha256", NULL), -EINVAL);
	ASSERT_EQ(digest_validate(":abc", NULL), -EINVAL);
	ASSERT_EQ(digest_validate("blake3:abc", NULL), -EOPNOTSUPP);
	ASSERT_EQ(digest_validate("sha256:../../../etc/passwd", NULL), -EINVAL);
	ASSERT_EQ(digest_validate("SHA256:abc", NULL), -EINVAL);
	ASSERT_EQ(digest_validate(NULL, NULL), -EINVAL);
	ASSERT_STREQ(digest_hex(EMPTY256), EMPTY256 + 7);
}

static void test_hash(void)
{
	char out[DIGEST_MAX];
	struct hasher *h = hasher_new(DIGEST_SHA256);

	digest_buffer(DIGEST_SHA256, "", 0, out);
	ASSERT_STREQ(out, EMPTY256);
	ASSERT_TRUE(digest_matches(EMPTY256, "", 0));
	ASSERT_FALSE(digest_matches(EMPTY256, "x", 1));
	ASSERT_FALSE(digest_matches("sha256:zz", "", 0));
	hasher_update(h, "ab", 2);
	hasher_update(h, "c", 1);
	hasher_final(h, out);
	ASSERT_STREQ(out,
		     "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hasher_reset(h);
	hasher_final(h, out);
	ASSERT_STREQ(out, EMPTY256);
	hasher_free(h);
	digest_buffer(DIGEST_SHA512, "abc", 3, out);
	ASSERT_OK(digest_validate(out, NULL));
	ASSERT_TRUE(strncmp(out, "sha512:ddaf35a1", 15) == 0);
}

static const struct test tests[] = {TEST(test_validate), TEST(test_hash), {}};

int main(void)
{
	return test_main(tests);
}
