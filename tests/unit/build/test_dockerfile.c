/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include "build/dockerfile.h"
#include "build/instruction.h"
#include "build/run_config.h"
#include "lib/strv.h"
#include "lib/test.h"

static struct dockerfile *parse(const char *text)
{
	struct dockerfile *d = NULL;

	ASSERT_OK(dockerfile_parse(text, strlen(text), &d, NULL));
	return d;
}

static void test_lines(void)
{
	struct dockerfile *d = parse("# comment\n"
				     "from busybox AS b\n"
				     "\n"
				     "RUN echo a \\\n"
				     "  # dropped\n"
				     "\n"
				     "  && echo b\n"
				     "COPY --from=b --chown=1:2 /x /y\n"
				     "CMD [\"a\", \"b c\"]\n"
				     "CMD [not json\n"
				     "ENV x=1 \\");

	ASSERT_EQ(d->n, 6u);
	ASSERT_STREQ(d->v[0].cmd, "FROM");
	ASSERT_STREQ(d->v[0].rest, "busybox AS b");
	ASSERT_EQ(d->v[0].line, 2u);
	ASSERT_STREQ(d->v[1].rest, "echo a   && echo b");
	ASSERT_EQ(d->v[1].line, 4u);
	ASSERT_TRUE(d->v[1].json == NULL);
	ASSERT_STREQ(df_flag(&d->v[2], "from"), "b");
	ASSERT_STREQ(df_flag(&d->v[2], "chown"), "1:2");
	ASSERT_TRUE(df_flag(&d->v[2], "x") == NULL);
	ASSERT_STREQ(d->v[2].rest, "/x /y");
	ASSERT_EQ(strv_length(d->v[3].json), 2u);
	ASSERT_STREQ(d->v[3].json[1], "b c");
	ASSERT_TRUE(d->v[4].json == NULL);
	ASSERT_STREQ(d->v[5].rest, "x=1");
	dockerfile_free(d);
}

static void test_escape_directive(void)
{
	struct dockerfile *d = parse("# escape=`\nFROM x\nRUN dir c:\\ `\n  && echo\n");
	struct dockerfile *bad = NULL;

	ASSERT_EQ(d->escape, '`');
	ASSERT_STREQ(d->v[1].rest, "dir c:\\   && echo");
	dockerfile_free(d);
	ASSERT_EQ(dockerfile_parse("# escape=x\nFROM x\n", 17, &bad, NULL), -EINVAL);
	/* a directive after an instruction is a comment */
	d = parse("FROM x\n# escape=`\nRUN a \\\n b\n");
	ASSERT_EQ(d->escape, '\\');
	ASSERT_STREQ(d->v[1].rest, "a  b");
	dockerfile_free(d);
}

static void test_lexer(void)
{
	char *vars[] = {"A=1", "E=", "S=two words", NULL};
	char **w = NULL;
	char *one = NULL;

	ASSERT_OK(lex_words("$A ${A} x${A}y ${B:-dflt} ${A:-no} ${A:+alt} ${B:+alt}|"
			    " ${E:-empty} '$A' \"$A $S\" \\$A a\\ b \"\"",
			    '\\', vars, true, &w, NULL));
	ASSERT_EQ(strv_length(w), 13u);
	ASSERT_STREQ(w[0], "1");
	ASSERT_STREQ(w[1], "1");
	ASSERT_STREQ(w[2], "x1y");
	ASSERT_STREQ(w[3], "dflt");
	ASSERT_STREQ(w[4], "1");
	ASSERT_STREQ(w[5], "alt");
	ASSERT_STREQ(w[6], "|");
	ASSERT_STREQ(w[7], "empty");
	ASSERT_STREQ(w[8], "$A");
	ASSERT_STREQ(w[9], "1 two words");
	ASSERT_STREQ(w[10], "$A");
	ASSERT_STREQ(w[11], "a b");
	ASSERT_STREQ(w[12], "");
	strv_free(w);
	w = NULL;
	ASSERT_OK(lex_words("\"\" x", '\\', NULL, true, &w, NULL));
	ASSERT_EQ(strv_length(w), 2u);
	ASSERT_STREQ(w[0], "");
	strv_free(w);
	ASSERT_EQ(lex_words("'open", '\\', NULL, true, &w, NULL), -EINVAL);
	ASSERT_EQ(lex_words("\"open", '\\', NULL, true, &w, NULL), -EINVAL);
	ASSERT_EQ(lex_words("${A", '\\', vars, true, &w, NULL), -EINVAL);
	ASSERT_EQ(lex_words("${A?x}", '\\', vars, true, &w, NULL), -EINVAL);
	ASSERT_OK(lex_word("${B:-${C:-${A}x}}-${A:+[${S}]}", '\\', vars, &one, NULL));
	ASSERT_STREQ(one, "1x-[two words]");
	free(one);
	ASSERT_EQ(lex_word("${B:-${A}", '\\', vars, &one, NULL), -EINVAL);
	{
		char deep[64 * 5 + 64 + 1] = "";

		for (int i = 0; i < 64; i++)
			strcat(deep, "${B:-");
		for (int i = 0; i < 64; i++)
			strcat(deep, "}");
		ASSERT_EQ(lex_word(deep, '\\', vars, &one, NULL), -ELOOP);
	}
	ASSERT_OK(lex_word("/my dir/$A", '\\', vars, &one, NULL));
	ASSERT_STREQ(one, "/my dir/1");
	free(one);
}

static void test_apply(void)
{
	struct run_config rc = {0};

	ASSERT_OK(instruction_apply_change("ENV A=1 B=\"x y\"", &rc, NULL));
	ASSERT_OK(instruction_apply_change("ENV C ${A} and more", &rc, NULL));
	ASSERT_OK(instruction_apply_change("ENV A=2", &rc, NULL));
	ASSERT_EQ(strv_length(rc.env), 3u);
	ASSERT_STREQ(rc.env[0], "A=2");
	ASSERT_STREQ(rc.env[1], "B=x y");
	ASSERT_STREQ(rc.env[2], "C=1 and more");
	ASSERT_OK(instruction_apply_change("CMD echo hi", &rc, NULL));
	ASSERT_EQ(strv_length(rc.cmd), 3u);
	ASSERT_STREQ(rc.cmd[2], "echo hi");
	ASSERT_OK(instruction_apply_change("ENTRYPOINT [\"/e\"]", &rc, NULL));
	ASSERT_STREQ(rc.entrypoint[0], "/e");
	ASSERT_OK(instruction_apply_change("WORKDIR /a", &rc, NULL));
	ASSERT_OK(instruction_apply_change("WORKDIR b/$A", &rc, NULL));
	ASSERT_STREQ(rc.working_dir, "/a/b/2");
	ASSERT_OK(instruction_apply_change("EXPOSE 80 53/udp 80", &rc, NULL));
	ASSERT_EQ(strv_length(rc.ports), 2u);
	ASSERT_STREQ(rc.ports[0], "80/tcp");
	ASSERT_OK(instruction_apply_change("LABEL k=v \"a b\"=c", &rc, NULL));
	ASSERT_OK(instruction_apply_change("LABEL k=w", &rc, NULL));
	ASSERT_STREQ(rc.labels[0], "k=w");
	ASSERT_STREQ(rc.labels[1], "a b=c");
	ASSERT_EQ(instruction_apply_change("RUN true", &rc, NULL), -EINVAL);
	ASSERT_EQ(instruction_apply_change("ENV =x", &rc, NULL), -EINVAL);
	ASSERT_EQ(instruction_apply_change("USER a b", &rc, NULL), -EINVAL);
	ASSERT_EQ(instruction_apply_change("EXPOSE abc", &rc, NULL), -EINVAL);
	ASSERT_EQ(instruction_apply_change("CMD a\nCMD b", &rc, NULL), -EINVAL);
	run_config_done(&rc);
}

static void test_onbuild(void)
{
	struct run_config rc = {0};

	ASSERT_OK(instruction_apply_change("onbuild run echo hi  ", &rc, NULL));
	ASSERT_OK(instruction_apply_change("ONBUILD COPY --from=x a b", &rc, NULL));
	ASSERT_EQ(strv_length(rc.onbuild), 2u);
	ASSERT_STREQ(rc.onbuild[0], "RUN echo hi");
	ASSERT_STREQ(rc.onbuild[1], "COPY --from=x a b");
	ASSERT_EQ(instruction_onbuild_check("ONBUILD RUN x", NULL), -EINVAL);
	ASSERT_EQ(instruction_onbuild_check("from x", NULL), -EINVAL);
	ASSERT_EQ(instruction_onbuild_check("MAINTAINER me", NULL), -EINVAL);
	ASSERT_EQ(instruction_onbuild_check("", NULL), -EINVAL);
	ASSERT_OK(instruction_onbuild_check("FROMAGE x", NULL));
	run_config_done(&rc);
}

static const struct test tests[] = {
	TEST(test_lines), TEST(test_escape_directive), TEST(test_lexer),
	TEST(test_apply), TEST(test_onbuild),	       {},
};

int main(void)
{
	return test_main(tests);
}
