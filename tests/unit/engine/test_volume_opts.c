/* SPDX-License-Identifier: Apache-2.0 */
/* volume_opts.c: volume names, the local driver's options, ls/prune filters. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/volume.h"
#include "lib/strv.h"
#include "lib/test.h"

static void test_names(void)
{
	ASSERT_TRUE(volume_name_valid("data"));
	ASSERT_TRUE(volume_name_valid("a1_b.c-d"));
	ASSERT_FALSE(volume_name_valid("x"));	  /* docker's regexp wants 2 characters */
	ASSERT_FALSE(volume_name_valid("_data")); /* the first one alphanumeric */
	ASSERT_FALSE(volume_name_valid("a/b"));
	ASSERT_FALSE(volume_name_valid(".rm-x"));
	ASSERT_FALSE(volume_name_valid(""));
}

static void test_opts_check(void)
{
	struct berr *err = NULL;

	ASSERT_OK(volume_opts_check(NULL, NULL));
	ASSERT_OK(volume_opts_check((char *[]){"type=tmpfs", "device=tmpfs", "o=size=1m", NULL},
				    NULL));
	ASSERT_EQ(volume_opts_check((char *[]){"type=tmpfs", "size=1m", NULL}, &err), -EINVAL);
	ASSERT_STREQ(err->msg, "invalid option key: \"size\"");
	berr_clear(&err);
	ASSERT_EQ(volume_opts_check((char *[]){"type=tmpfs", NULL}, &err), -EINVAL);
	ASSERT_STREQ(err->msg, "missing required option: \"device\"");
	berr_clear(&err);
	ASSERT_EQ(volume_opts_check((char *[]){"device=/x", NULL}, &err), -EINVAL);
	ASSERT_STREQ(err->msg, "missing required option: \"type\"");
	berr_clear(&err);
	ASSERT_EQ(volume_opts_check((char *[]){"type", NULL}, &err), -EINVAL);
	berr_clear(&err);
}

static void test_mount_plan(void)
{
	enum volume_mount_kind k;
	struct berr *err = NULL;
	char *arg = NULL;

	ASSERT_OK(volume_mount_plan(NULL, &k, &arg, NULL));
	ASSERT_EQ(k, VOLUME_MOUNT_DATA);
	ASSERT_NULL(arg);
	ASSERT_OK(volume_mount_plan((char *[]){"type=tmpfs", "device=tmpfs", "o=size=64m", NULL},
				    &k, &arg, NULL));
	ASSERT_EQ(k, VOLUME_MOUNT_TMPFS);
	ASSERT_STREQ(arg, "size=64m");
	free(arg);
	ASSERT_OK(volume_mount_plan((char *[]){"type=none", "o=bind", "device=/srv/d", NULL}, &k,
				    &arg, NULL));
	ASSERT_EQ(k, VOLUME_MOUNT_BIND);
	ASSERT_STREQ(arg, "/srv/d");
	free(arg);
	ASSERT_EQ(volume_mount_plan((char *[]){"type=none", "o=bind", "device=rel", NULL}, &k, &arg,
				    &err),
		  -EINVAL);
	berr_clear(&err);
	ASSERT_EQ(volume_mount_plan((char *[]){"type=ext4", "device=/dev/sda1", NULL}, &k, &arg,
				    &err),
		  -EOPNOTSUPP);
	ASSERT_CONTAINS(err->msg, "type 'ext4' is not supported");
	berr_clear(&err);
}

static void test_filters(void)
{
	static const char *const ls_keys[] = {"dangling", "name", "label", "driver", NULL};
	struct volume v = {.name = "webdata",
			   .driver = "local",
			   .labels = (char *[]){"env=prod", "tier", NULL}};
	struct volume_filter f;
	struct berr *err = NULL;

	ASSERT_OK(volume_filter_parse((char *[]){"name=^web", "label=env=prod", NULL}, ls_keys, &f,
				      NULL));
	ASSERT_TRUE(volume_filter_match(&f, &v, true));
	volume_filter_done(&f);
	ASSERT_OK(volume_filter_parse((char *[]){"name=nope", "name=data$", NULL}, ls_keys, &f,
				      NULL));
	ASSERT_TRUE(volume_filter_match(&f, &v, false)); /* one name is enough */
	volume_filter_done(&f);
	ASSERT_OK(volume_filter_parse((char *[]){"label=env=dev", NULL}, ls_keys, &f, NULL));
	ASSERT_FALSE(volume_filter_match(&f, &v, false));
	volume_filter_done(&f);
	ASSERT_OK(volume_filter_parse((char *[]){"label=tier", "label=env", NULL}, ls_keys, &f,
				      NULL));
	ASSERT_TRUE(volume_filter_match(&f, &v, false));
	volume_filter_done(&f);
	ASSERT_OK(volume_filter_parse((char *[]){"label=en", NULL}, ls_keys, &f, NULL));
	ASSERT_FALSE(volume_filter_match(&f, &v, false)); /* a key, not a prefix */
	volume_filter_done(&f);
	ASSERT_OK(volume_filter_parse((char *[]){"dangling=true", NULL}, ls_keys, &f, NULL));
	ASSERT_TRUE(volume_filter_match(&f, &v, false));
	ASSERT_FALSE(volume_filter_match(&f, &v, true));
	volume_filter_done(&f);
	ASSERT_OK(volume_filter_parse((char *[]){"driver=local", NULL}, ls_keys, &f, NULL));
	ASSERT_TRUE(volume_filter_match(&f, &v, false));
	volume_filter_done(&f);
	ASSERT_EQ(volume_filter_parse((char *[]){"dangling=maybe", NULL}, ls_keys, &f, &err),
		  -EINVAL);
	ASSERT_STREQ(err->msg, "invalid filter 'dangling=[maybe]'");
	berr_clear(&err);
	ASSERT_EQ(volume_filter_parse((char *[]){"label!=env", NULL}, ls_keys, &f, &err), -EINVAL);
	ASSERT_STREQ(err->msg, "invalid filter 'label!'");
	berr_clear(&err);
	ASSERT_OK(volume_filter_parse((char *[]){"label!=env", NULL},
				      (const char *const[]){"label", "label!", NULL}, &f, NULL));
	ASSERT_FALSE(volume_filter_match(&f, &v, false));
	volume_filter_done(&f);
}

static const struct test tests[] = {
	TEST(test_names), TEST(test_opts_check), TEST(test_mount_plan), TEST(test_filters), {},
};

int main(void)
{
	return test_main(tests);
}
