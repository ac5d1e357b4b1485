/* SPDX-License-Identifier: Apache-2.0 */
/* berth.json: its keys, its values, and every file it refuses (with the file and the key). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine_config.h"
#include "lib/test.h"

static char dir[] = "/tmp/berth-test-engine-config-XXXXXX";
static char path[sizeof(dir) + 32];

static void write_config(const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, text, len) != (ssize_t) len)
		TEST_FAIL("cannot write %s", path);
	close(fd);
}

static int load(const char *text, struct engine_config **ret, struct berr **err)
{
	write_config(text, strlen(text));
	return engine_config_load(path, false, ret, err);
}

static void good(const char *text, const char *remap)
{
	struct engine_config *c = NULL;
	struct berr *err = NULL;

	ASSERT_OK(load(text, &c, &err));
	ASSERT_STREQ(c->path, path);
	if (remap)
		ASSERT_STREQ(c->userns_remap, remap);
	else
		ASSERT_NULL(c->userns_remap);
	engine_config_free(c);
}

static void bad(const char *text, const char *msg)
{
	struct engine_config *c = NULL;
	struct berr *err = NULL;

	ASSERT_EQ(load(text, &c, &err), -EINVAL);
	ASSERT_NULL(c);
	/* the file first, then the key */
	ASSERT_EQ(strncmp(err->msg, path, strlen(path)), 0);
	ASSERT_CONTAINS(err->msg, msg);
	berr_free(err);
}

static void test_values(void)
{
	good("{}", NULL);
	good("{\"userns-remap\": \"\"}", NULL); /* docker's unset */
	good("{\"userns-remap\": null}", NULL);
	good("{\"userns-remap\": \"default\"}", "default");
	good("{\"userns-remap\": \"auto\"}", "auto");
	good("{\"userns-remap\": \"berth\"}", "berth");
	good("{\"userns-remap\": \"alice:staff\"}", "alice:staff");
	good("{\"userns-remap\": \"1000:1000\"}", "1000:1000");
	good("{\"userns-remap\": \"1000\"}", "1000");
	good("{\"userns-remap\": \"machine$\"}", "machine$");
	good(" {\"userns-remap\": \"a_b.c-d\"}\n", "a_b.c-d");
}

static void test_refused(void)
{
	char big[320], name[258];

	bad("{", "unexpected end of document");
	bad("{\n\"userns-remap\" \"default\"}", "line 2");
	bad("{} {}", "trailing data");
	bad("[]", "expected a JSON object");
	bad("\"default\"", "expected a JSON object");
	bad("{\"userns_remap\": \"default\"}", "userns_remap: unknown key (known: userns-remap)");
	bad("{\"userns-remap\": 1}", "userns-remap: must be a string");
	bad("{\"userns-remap\": true}", "userns-remap: must be a string");
	bad("{\"userns-remap\": [\"default\"]}", "userns-remap: must be a string");
	bad("{\"userns-remap\": \"a\\u0000b\"}", "userns-remap: must not contain a NUL");
	bad("{\"userns-remap\": \"host\"}",
	    "userns-remap: invalid value 'host': leave the key out");
	bad("{\"userns-remap\": \"auto:size=10\"}", "userns-remap: invalid value 'auto:size=10'");
	bad("{\"userns-remap\": \"a:b:c\"}", "invalid value 'a:b:c'");
	bad("{\"userns-remap\": \":staff\"}", "invalid value ':staff'");
	bad("{\"userns-remap\": \"alice:\"}", "invalid value 'alice:'");
	bad("{\"userns-remap\": \"-alice\"}", "invalid value '-alice'");
	bad("{\"userns-remap\": \"al ice\"}", "invalid value 'al ice'");
	bad("{\"userns-remap\": \"a/b\"}", "invalid value 'a/b'");
	bad("{\"userns-remap\": \"a$b\"}", "invalid value 'a$b'");
	bad("{\"userns-remap\": \"4294967295\"}", "invalid value '4294967295'");
	bad("{\"userns-remap\": \"0:99999999999\"}", "invalid value '0:99999999999'");
	bad("{\"userns-remap\": \"default\", \"debug\": true}", "debug: unknown key");
	/* a name of 257 characters */
	memset(name, 'a', 257);
	name[257] = '\0';
	snprintf(big, sizeof(big), "{\"userns-remap\": \"%s\"}", name);
	bad(big, "invalid value 'aaaa");
}

static void test_files(void)
{
	struct engine_config *c = NULL;
	struct berr *err = NULL;
	char link[sizeof(path) + 8], *huge;

	/* missing: all defaults when it may be, else an error naming it */
	(void) unlink(path);
	ASSERT_OK(engine_config_load(path, true, &c, &err));
	ASSERT_NULL(c->userns_remap);
	c = engine_config_free(c);
	ASSERT_EQ(engine_config_load(path, false, &c, &err), -ENOENT);
	ASSERT_CONTAINS(err->msg, path);
	ASSERT_CONTAINS(err->msg, "cannot open");
	err = berr_free(err);

	/* a symlink is not followed, a directory is not read */
	write_config("{}", 2);
	snprintf(link, sizeof(link), "%s.link", path);
	ASSERT_OK(symlink(path, link));
	ASSERT_EQ(engine_config_load(link, true, &c, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "not a regular file");
	err = berr_free(err);
	ASSERT_OK(unlink(link));
	ASSERT_EQ(engine_config_load(dir, true, &c, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "not a regular file");
	err = berr_free(err);

	/* at most ENGINE_CONFIG_MAX bytes */
	huge = malloc(ENGINE_CONFIG_MAX + 2);
	ASSERT_NOT_NULL(huge);
	memset(huge, ' ', ENGINE_CONFIG_MAX + 1);
	huge[0] = '{';
	huge[ENGINE_CONFIG_MAX] = '}';
	write_config(huge, ENGINE_CONFIG_MAX + 1);
	free(huge);
	ASSERT_EQ(engine_config_load(path, true, &c, &err), -EFBIG);
	ASSERT_CONTAINS(err->msg, "larger than 65536 bytes");
	err = berr_free(err);
	ASSERT_NULL(c);
}

static void test_path(void)
{
	bool missing_ok = false;

	ASSERT_OK(unsetenv("BERTH_CONFIG"));
	ASSERT_STREQ(engine_config_path(&missing_ok), ENGINE_CONFIG_DEFAULT);
	ASSERT_TRUE(missing_ok);
	ASSERT_OK(setenv("BERTH_CONFIG", "", 1));
	ASSERT_STREQ(engine_config_path(&missing_ok), ENGINE_CONFIG_DEFAULT);
	ASSERT_TRUE(missing_ok);
	ASSERT_OK(setenv("BERTH_CONFIG", "/x/berth.json", 1));
	ASSERT_STREQ(engine_config_path(&missing_ok), "/x/berth.json");
	ASSERT_FALSE(missing_ok); /* a file named on purpose must exist */
	ASSERT_OK(unsetenv("BERTH_CONFIG"));
}

static const struct test tests[] = {
	TEST(test_values), TEST(test_refused), TEST(test_files), TEST(test_path), {},
};

int main(void)
{
	int r;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/berth.json", dir);
	r = test_main(tests);
	(void) unlink(path);
	(void) rmdir(dir);
	return r;
}
