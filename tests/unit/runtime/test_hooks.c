/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/fd.h"
#include "lib/test.h"
#include "runtime/lifecycle/hooks.h"

static void test_state_json(void)
{
	struct kv ann[] = {{(char *) "k", (char *) "v"}};
	struct hook_state st = {"id1", "creating", 42, "/b", ann, 1};
	char *json = hooks_state_json(&st);

	ASSERT_NOT_NULL(json);
	ASSERT_CONTAINS(json, "\"id\":\"id1\"");
	ASSERT_CONTAINS(json, "\"status\":\"creating\"");
	ASSERT_CONTAINS(json, "\"pid\":42");
	ASSERT_CONTAINS(json, "\"bundle\":\"/b\"");
	ASSERT_CONTAINS(json, "\"annotations\":{\"k\":\"v\"}");
	free(json);
	st.pid = 0;
	st.n_annotations = 0;
	json = hooks_state_json(&st);
	ASSERT_TRUE(strstr(json, "pid") == NULL);
	ASSERT_TRUE(strstr(json, "annotations") == NULL);
	free(json);
}

/* A spec with one hook of kind k: /bin/sh -c script. */
static struct spec *one_hook(enum hook_kind k, const char *script, int64_t timeout)
{
	struct spec *s = calloc(1, sizeof(*s));
	struct spec_hook *h = calloc(1, sizeof(*h));
	char **args = calloc(4, sizeof(char *));
	char **env = calloc(2, sizeof(char *));

	args[0] = strdup("sh");
	args[1] = strdup("-c");
	args[2] = strdup(script);
	env[0] = strdup("HOOKVAR=set");
	*h = (struct spec_hook){strdup("/bin/sh"), args, env, {timeout, timeout > 0}};
	s->hooks[k].v = h;
	s->hooks[k].n = 1;
	return s;
}

static void test_hook_gets_state_env_and_args(void)
{
	char dir[] = "/tmp/berth-test-hooks-XXXXXX", script[512], *out = NULL;
	struct berr *err = NULL;
	struct spec *s;

	ASSERT_NOT_NULL(mkdtemp(dir));
	snprintf(script, sizeof(script), "cat > %s/in; echo \"$0 $HOOKVAR\" > %s/misc", dir, dir);
	s = one_hook(HOOK_POSTSTOP, script, 0);
	ASSERT_OK(hooks_run(s, HOOK_POSTSTOP, "{\"id\":\"x\"}", &err));
	snprintf(script, sizeof(script), "%s/in", dir);
	ASSERT_OK(read_file_at(AT_FDCWD, script, 4096, &out, NULL));
	ASSERT_STREQ(out, "{\"id\":\"x\"}");
	free(out);
	snprintf(script, sizeof(script), "%s/misc", dir);
	ASSERT_OK(read_file_at(AT_FDCWD, script, 4096, &out, NULL));
	ASSERT_STREQ(out, "sh set\n");
	free(out);
	spec_free(s);
	snprintf(script, sizeof(script), "rm -rf %s", dir);
	ASSERT_EQ(system(script), 0);
}

static void test_failure_says_status_and_output(void)
{
	struct spec *s = one_hook(HOOK_CREATE_RUNTIME, "echo broken >&2; exit 3", 0);
	struct berr *err = NULL;

	ASSERT_TRUE(hooks_run(s, HOOK_CREATE_RUNTIME, "{}", &err) < 0);
	ASSERT_STREQ(err->msg, "hooks.createRuntime[0] '/bin/sh': exited with status 3: broken");
	berr_clear(&err);
	spec_free(s);
	s = one_hook(HOOK_PRESTART, "kill -9 $$", 0);
	ASSERT_TRUE(hooks_run(s, HOOK_PRESTART, "{}", &err) < 0);
	ASSERT_STREQ(err->msg, "hooks.prestart[0] '/bin/sh': killed by signal 9");
	berr_clear(&err);
	spec_free(s);
}

static void test_timeout_kills_the_hook(void)
{
	struct spec *s = one_hook(HOOK_POSTSTART, "exec sleep 30", 1);
	struct berr *err = NULL;
	time_t start = time(NULL);

	ASSERT_EQ(hooks_run(s, HOOK_POSTSTART, "{}", &err), -ETIMEDOUT);
	ASSERT_TRUE(time(NULL) - start < 10);
	ASSERT_STREQ(err->msg, "hooks.poststart[0] '/bin/sh': timed out after 1 s (killed)");
	berr_clear(&err);
	spec_free(s);
}

static char *warned;

static void record_warning(const char *msg)
{
	free(warned);
	warned = strdup(msg);
}

static void test_warn_mode_goes_on(void)
{
	struct spec *s = one_hook(HOOK_POSTSTOP, "exit 1", 0);

	hooks_run_warn(s, HOOK_POSTSTOP, "{}", record_warning);
	ASSERT_NOT_NULL(warned);
	ASSERT_STREQ(warned, "hooks.poststop[0] '/bin/sh': exited with status 1, ignoring");
	free(warned);
	spec_free(s);
}

static const struct test tests[] = {
	TEST(test_state_json),
	TEST(test_hook_gets_state_env_and_args),
	TEST(test_failure_says_status_and_output),
	TEST(test_timeout_kills_the_hook),
	TEST(test_warn_mode_goes_on),
	{NULL, NULL},
};

int main(void)
{
	return test_main(tests);
}
