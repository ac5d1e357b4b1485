/* SPDX-License-Identifier: Apache-2.0 */
/* WWW-Authenticate challenges, token answers, base64 and the credentials file. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/registry_auth.h"
#include "lib/test.h"

static void test_bearer(void)
{
	struct auth_challenge c = {0};

	ASSERT_OK(auth_challenge_parse(
		"Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
		"scope=\"repository:library/busybox:pull\"",
		&c, NULL));
	ASSERT_EQ(c.scheme, AUTH_BEARER);
	ASSERT_STREQ(c.realm, "https://auth.docker.io/token");
	ASSERT_STREQ(c.service, "registry.docker.io");
	ASSERT_STREQ(c.scope, "repository:library/busybox:pull");
	auth_challenge_done(&c);
	ASSERT_OK(auth_challenge_parse("bearer realm=http://x/t, service=a\\b, error=\"x\\\"y\"",
				       &c, NULL));
	ASSERT_STREQ(c.realm, "http://x/t");
	ASSERT_STREQ(c.service, "a\\b");
	auth_challenge_done(&c);
}

static void test_basic(void)
{
	struct auth_challenge c = {0};

	ASSERT_OK(auth_challenge_parse("Basic realm=\"Registry Realm\"", &c, NULL));
	ASSERT_EQ(c.scheme, AUTH_BASIC);
	ASSERT_STREQ(c.realm, "Registry Realm");
	auth_challenge_done(&c);
	ASSERT_OK(auth_challenge_parse("Basic", &c, NULL));
	auth_challenge_done(&c);
}

static void test_bad_challenges(void)
{
	static const char *const bad[] = {
		"Negotiate abc",
		"Bearer",
		"Bearer service=\"x\"",
		"Bearer realm=\"unterminated",
		"Bearer =x",
		"Bearer realm",
		"Digest realm=x",
		"",
		NULL,
	};
	struct auth_challenge c = {0};
	struct berr *err = NULL;
	char big[10000];

	for (size_t i = 0; bad[i]; i++) {
		if (auth_challenge_parse(bad[i], &c, &err) >= 0)
			TEST_FAIL("accepted: %s", bad[i]);
		berr_clear(&err);
	}
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "Bearer realm=", 13);
	ASSERT_EQ(auth_challenge_parse(big, &c, &err), -EINVAL);
	berr_clear(&err);
	ASSERT_EQ(auth_challenge_parse(NULL, &c, &err), -EINVAL);
	berr_clear(&err);
}

static void test_token(void)
{
	char *t = NULL;
	struct berr *err = NULL;

	ASSERT_OK(auth_token_parse("{\"token\":\"abc\"}", 15, &t, NULL));
	ASSERT_STREQ(t, "abc");
	free(t);
	ASSERT_OK(auth_token_parse("{\"access_token\":\"xyz\",\"expires_in\":300}", 39, &t, NULL));
	ASSERT_STREQ(t, "xyz");
	free(t);
	ASSERT_EQ(auth_token_parse("{}", 2, &t, &err), -EINVAL);
	berr_clear(&err);
	ASSERT_EQ(auth_token_parse("{\"token\":1}", 11, &t, &err), -EINVAL);
	berr_clear(&err);
	ASSERT_EQ(auth_token_parse("<html>", 6, &t, &err), -EINVAL);
	berr_clear(&err);
}

static void test_base64(void)
{
	char *e = base64_encode("user:pass", 9), *d = NULL;
	size_t n;

	ASSERT_STREQ(e, "dXNlcjpwYXNz");
	ASSERT_OK(base64_decode(e, &d, &n));
	ASSERT_STREQ(d, "user:pass");
	ASSERT_EQ(n, 9);
	free(d);
	free(e);
	ASSERT_OK(base64_decode("YQ==", &d, &n));
	ASSERT_EQ(n, 1);
	free(d);
	ASSERT_EQ(base64_decode("abc", &d, &n), -EINVAL);
	ASSERT_EQ(base64_decode("a!c=", &d, &n), -EINVAL);
}

static void test_file(void)
{
	char dir[] = "/tmp/berth-unit-auth-XXXXXX", path[64], *creds = NULL;
	struct berr *err = NULL;
	struct stat st;

	ASSERT_NOT_NULL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/auth.json", dir);
	ASSERT_EQ(auth_file_get(path, "h:1", &creds, NULL), 0);
	ASSERT_OK(auth_file_set(path, "h:1", "u:p", NULL));
	ASSERT_OK(auth_file_set(path, "other", "a:b:c", NULL));
	ASSERT_OK(stat(path, &st));
	ASSERT_EQ(st.st_mode & 0777, 0600);
	ASSERT_EQ(auth_file_get(path, "h:1", &creds, NULL), 1);
	ASSERT_STREQ(creds, "u:p");
	free(creds);
	ASSERT_OK(auth_file_set(path, "h:1", NULL, NULL));
	ASSERT_EQ(auth_file_get(path, "h:1", &creds, NULL), 0);
	ASSERT_EQ(auth_file_get(path, "other", &creds, NULL), 1);
	ASSERT_STREQ(creds, "a:b:c");
	free(creds);
	{
		int fd = open(path, O_WRONLY | O_TRUNC);

		ASSERT_TRUE(write(fd, "{\"auths\":{\"x\":{\"auth\":\"!!!!\"}}}", 31) == 31);
		close(fd);
	}
	ASSERT_EQ(auth_file_get(path, "x", &creds, &err), -EINVAL);
	berr_clear(&err);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sub", dir);
	rmdir(path);
	rmdir(dir);
}

static const struct test tests[] = {
	TEST(test_bearer),
	TEST(test_basic),
	TEST(test_bad_challenges),
	TEST(test_token),
	TEST(test_base64),
	TEST(test_file),
	{},
};

int main(void)
{
	return test_main(tests);
}
