/* SPDX-License-Identifier: Apache-2.0 */
/* registries.json: mirrors per registry in order, insecure registries, refused files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/registry_config.h"
#include "lib/test.h"

static char *write_tmp(const char *text)
{
	char *path = strdup("/tmp/berth-test-registries-XXXXXX");
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t) strlen(text))
		TEST_FAIL("cannot write a temporary file");
	close(fd);
	return path;
}

static int load(const char *text, struct registry_config **ret, struct berr **err)
{
	char *path = write_tmp(text);
	int r = registry_config_load(path, false, ret, err);

	unlink(path);
	free(path);
	return r;
}

static void test_mirrors(void)
{
	struct registry_config *c = NULL;
	struct berr *err = NULL;
	char *const *m;

	ASSERT_OK(load("{\"registry-mirrors\": [\"http://127.0.0.1:5000/\", \"mirror.example\"],"
		       " \"mirrors\": {\"quay.io\": [\"https://q.example:8443\"]},"
		       " \"insecure-registries\": [\"127.0.0.1:5000\"]}",
		       &c, &err));
	m = registry_config_mirrors(c, "docker.io");
	ASSERT_NOT_NULL(m);
	ASSERT_STREQ(m[0], "http://127.0.0.1:5000");
	ASSERT_STREQ(m[1], "https://mirror.example");
	ASSERT_NULL(m[2]);
	m = registry_config_mirrors(c, "quay.io");
	ASSERT_STREQ(m[0], "https://q.example:8443");
	ASSERT_NULL(registry_config_mirrors(c, "ghcr.io"));
	ASSERT_TRUE(registry_config_insecure(c, "127.0.0.1:5000"));
	ASSERT_FALSE(registry_config_insecure(c, "127.0.0.1"));
	registry_config_free(c);
}

static void test_missing(void)
{
	struct registry_config *c = NULL;
	struct berr *err = NULL;

	ASSERT_OK(registry_config_load("/nonexistent/registries.json", true, &c, &err));
	ASSERT_NULL(registry_config_mirrors(c, "docker.io"));
	registry_config_free(c);
	ASSERT_TRUE(registry_config_load("/nonexistent/registries.json", false, &c, &err) < 0);
	ASSERT_CONTAINS(err->msg, "registry configuration '/nonexistent/registries.json'");
	berr_free(err);
}

static void bad(const char *text, const char *msg)
{
	struct registry_config *c = NULL;
	struct berr *err = NULL;

	ASSERT_TRUE(load(text, &c, &err) < 0);
	ASSERT_CONTAINS(err->msg, msg);
	berr_free(err);
}

static void test_refused(void)
{
	bad("{\"registry-mirrors\": \"x\"}", "expected an array of mirror URLs");
	bad("{\"registry-mirrors\": [\"ftp://x\"]}", "the scheme must be http or https");
	bad("{\"registry-mirrors\": [\"http://x/path\"]}", "expected [http[s]://]HOST[:PORT]");
	bad("{\"registry-mirrors\": [\"http://\"]}", "expected [http[s]://]HOST[:PORT]");
	bad("{\"registry-mirrors\": [1]}", "[0]");
	bad("{\"mirrors\": []}", "expected an object");
	bad("{\"mirrors\": {\"notaregistry\": []}}", "'notaregistry' is not a registry name");
	bad("{\"insecure-registries\": [\"a b\"]}", "is not HOST[:PORT]");
	bad("{\"other\": 1}", "unknown key");
	bad("[1]", "expected a JSON object");
	bad("{", "registry configuration");
}

static const struct test tests[] = {
	TEST(test_mirrors),
	TEST(test_missing),
	TEST(test_refused),
	{},
};

int main(void)
{
	return test_main(tests);
}
