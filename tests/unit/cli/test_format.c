/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/format.h"
#include "lib/test.h"

static void render(const char *tmpl, const char *json, const char *want)
{
	struct jdoc *doc = NULL;
	struct jnode root;
	char *out = NULL;
	struct berr *err = NULL;

	ASSERT_OK(jdoc_parse(json, strlen(json), "t", &doc, NULL));
	jdoc_root(doc, &root);
	if (template_render(tmpl, &root, &out, &err) < 0)
		TEST_FAIL("%s: %s", tmpl, err->msg);
	ASSERT_STREQ(out, want);
	free(out);
	jdoc_free(doc);
}

static void test_templates(void)
{
	const char *j =
		"{\"Id\":\"sha256:x\",\"Size\":5,\"Config\":{\"Cmd\":[\"sh\"],\"U\":\"r\"}}";

	render("{{.Id}}", j, "sha256:x");
	render("id={{ .Id }} size={{.Size}}", j, "id=sha256:x size=5");
	render("{{.Config.Cmd}}", j, "[sh]"); /* Go prints a list so, not as JSON */
	render("{{.Config.U}}", j, "r");
	render("{{json .Config.U}}", j, "\"r\"");
	render("{{.Missing}}", j, "");
	render("{{json .}}", "{\"a\":1}", "{\"a\":1}");
}

static void test_bad_templates(void)
{
	struct jdoc *doc = NULL;
	struct jnode root;
	char *out = NULL;
	struct berr *err = NULL;

	ASSERT_OK(jdoc_parse("{}", 2, "t", &doc, NULL));
	jdoc_root(doc, &root);
	ASSERT_EQ(template_render("{{.Id", &root, &out, &err), -EINVAL);
	berr_clear(&err);
	ASSERT_EQ(template_render("{{range .}}", &root, &out, &err), -EINVAL);
	berr_clear(&err);
	jdoc_free(doc);
}

static void test_human(void)
{
	char b[64];

	ASSERT_STREQ(human_size(0, b, sizeof(b)), "0B");
	ASSERT_STREQ(human_size(999, b, sizeof(b)), "999B");
	ASSERT_STREQ(human_size(4260000, b, sizeof(b)), "4.26MB");
	ASSERT_STREQ(human_size(1982418, b, sizeof(b)), "1.982MB");
	/* docker stats: memory in binary units (BytesSize), IO with 3 digits */
	ASSERT_STREQ(bytes_size(335872, b, sizeof(b)), "328KiB");
	ASSERT_STREQ(bytes_size(25276313600ULL, b, sizeof(b)), "23.54GiB");
	ASSERT_STREQ(bytes_size(20971520, b, sizeof(b)), "20MiB");
	ASSERT_STREQ(bytes_size(1023, b, sizeof(b)), "1023B");
	ASSERT_STREQ(human_size_precision(36864, 3, b, sizeof(b)), "36.9kB");
	ASSERT_STREQ(human_ago(0, b, sizeof(b)), "Less than a second ago");
	ASSERT_STREQ(human_ago(45, b, sizeof(b)), "45 seconds ago");
	ASSERT_STREQ(human_ago(90, b, sizeof(b)), "About a minute ago");
	ASSERT_STREQ(human_ago(3 * 86400, b, sizeof(b)), "3 days ago");
	ASSERT_STREQ(human_ago(21 * 86400, b, sizeof(b)), "3 weeks ago");
	ASSERT_STREQ(human_ago(800LL * 86400, b, sizeof(b)), "2 years ago");
}

static void test_table(void)
{
	static const char *const headers[] = {"ID", "IMAGE ID", NULL};
	struct table *t = NULL;
	struct jdoc *doc = NULL;
	struct jnode root;
	char buf[256] = {0};
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	ASSERT_OK(table_new("table {{.Repository}}\\t{{.ID}}", headers, &t, NULL));
	{
		const char *j = "{\"Repository\":\"busybox\",\"ID\":\"abc\"}";

		ASSERT_OK(jdoc_parse(j, strlen(j), "t", &doc, NULL));
	}
	jdoc_root(doc, &root);
	ASSERT_OK(table_add(t, &root, NULL));
	table_print(t, f);
	fclose(f);
	ASSERT_STREQ(buf, "REPOSITORY   IMAGE ID\nbusybox      abc\n");
	jdoc_free(doc);
}

static const struct test tests[] = {
	TEST(test_templates), TEST(test_bad_templates), TEST(test_human), TEST(test_table), {},
};

int main(void)
{
	return test_main(tests);
}
