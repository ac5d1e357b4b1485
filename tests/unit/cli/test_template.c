/* SPDX-License-Identifier: Apache-2.0 */
/* --format's Go templates: each case's output is what docker 20.10's Go template gives. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/template.h"
#include "lib/test.h"

static const char *const DOC =
	"{\"Id\":\"abc\",\"Name\":\"/web\",\"Pid\":42,\"Ratio\":0.5,\"Big\":1000000.0,"
	"\"Running\":true,\"Paused\":false,\"Empty\":\"\",\"Null\":null,"
	"\"Args\":[\"-c\",\"sleep 1\"],\"None\":[],"
	"\"Labels\":{\"b\":\"2\",\"a\":\"1\"},\"NoLabels\":{},"
	"\"Mounts\":[{\"Source\":\"/h\",\"Destination\":\"/c\",\"RW\":true},"
	"{\"Source\":\"/x\",\"Destination\":\"/y\",\"RW\":false}],"
	"\"State\":{\"Status\":\"running\",\"ExitCode\":0}}";

static char *render(const char *tmpl, struct berr **err)
{
	struct jdoc *doc = NULL;
	struct jnode root;
	char *out = NULL;

	ASSERT_OK(jdoc_parse(DOC, strlen(DOC), "t", &doc, NULL));
	jdoc_root(doc, &root);
	if (template_render(tmpl, &root, &out, err) < 0)
		out = NULL;
	jdoc_free(doc);
	return out;
}

static void ok(const char *tmpl, const char *want)
{
	struct berr *err = NULL;
	char *out = render(tmpl, &err);

	if (!out)
		TEST_FAIL("%s: %s", tmpl, err ? err->msg : "?");
	ASSERT_STREQ(out, want);
	free(out);
}

static void bad(const char *tmpl, const char *msg)
{
	struct berr *err = NULL;
	char *out = render(tmpl, &err);

	if (out)
		TEST_FAIL("%s: rendered '%s', expected an error", tmpl, out);
	ASSERT_CONTAINS(err->msg, msg);
	berr_free(err);
}

static void test_fields_and_printing(void)
{
	ok("{{.Id}} {{.Pid}} {{.Running}}", "abc 42 true");
	ok("{{.State.Status}}/{{.State.ExitCode}}", "running/0");
	ok("{{.Args}}", "[-c sleep 1]");
	ok("{{.Labels}}", "map[a:1 b:2]");
	ok("{{.NoLabels}} {{.None}}", "map[] []");
	ok("{{.Ratio}} {{.Big}}", "0.5 1e+06");
	ok("[{{.Missing}}][{{.Null}}][{{.State.Nope}}]", "[][][]");
	ok("{{json .Args}} {{json .Name}} {{json .Pid}}", "[\"-c\",\"sleep 1\"] \"/web\" 42");
	ok("{{ json .Labels | len }}", "17");
	ok("{{.}}x", "map[Args:[-c sleep 1] Big:1e+06 Empty: Id:abc Labels:map[a:1 b:2] "
		     "Mounts:[map[Destination:/c RW:true Source:/h] map[Destination:/y RW:false "
		     "Source:/x]] Name:/web NoLabels:map[] None:[] Null: Paused:false Pid:42 "
		     "Ratio:0.5 Running:true State:map[ExitCode:0 Status:running]]x");
}

static void test_range_if_with(void)
{
	ok("{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}", "/h:/c /x:/y ");
	ok("{{range $i, $m := .Mounts}}{{$i}}={{$m.Source}},{{end}}", "0=/h,1=/x,");
	ok("{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}", "a=1;b=2;");
	ok("{{range .None}}x{{else}}none{{end}}", "none");
	ok("{{range .Missing}}x{{else}}none{{end}}", "none");
	ok("{{range .Args}}{{if eq . \"-c\"}}{{continue}}{{end}}{{.}}{{end}}", "sleep 1");
	ok("{{range .Args}}{{.}}{{break}}{{end}}", "-c");
	ok("{{if .Running}}up{{else}}down{{end}}", "up");
	ok("{{if .Paused}}p{{else if .Empty}}e{{else if .Pid}}pid{{else}}x{{end}}", "pid");
	ok("{{if not .Paused}}yes{{end}}", "yes");
	ok("{{if and .Running .Pid}}both{{end}}{{if or .Empty .Null}}no{{end}}", "both");
	ok("{{with .State}}{{.Status}}{{end}}{{with .Empty}}x{{else}}empty{{end}}", "runningempty");
	ok("{{$n := .Name}}{{range .Args}}{{$n}}{{end}}", "/web/web");
	ok("{{$x := 1}}{{if .Running}}{{$x = 2}}{{end}}{{$x}}", "2");
	ok("{{range .Mounts}}{{$.Id}}{{end}}", "abcabc");
	ok("a  {{- .Id -}}  b {{/* a comment */}}c", "aabcb c");
}

static void test_functions(void)
{
	ok("{{index .Labels \"b\"}} {{index .Args 1}} {{index .Mounts 1 \"Source\"}}",
	   "2 sleep 1 /x");
	ok("{{len .Args}} {{len .Labels}} {{len .Name}}", "2 2 4");
	ok("{{join .Args \",\"}}|{{join .None \",\"}}", "-c,sleep 1|");
	ok("{{upper .State.Status}} {{lower \"ABC\"}} {{title \"hello big world\"}}",
	   "RUNNING abc Hello Big World");
	ok("{{split \"a:b:c\" \":\"}} {{index (split .Name \"/\") 1}}", "[a b c] web");
	ok("{{truncate .State.Status 3}}|{{pad .Id 2 1}}|", "run|  abc |");
	ok("{{printf \"%s has pid %d (%v)\" .Id .Pid .Running}}", "abc has pid 42 (true)");
	ok("{{printf \"%-6s|%6s|%05d|%.2f|%q|%x|%t|%%\" \"a\" \"b\" 42 .Ratio \"q\" 255 true}}",
	   "a     |     b|00042|0.50|\"q\"|ff|true|%");
	ok("{{printf \"%d\" .Id}} {{printf \"%s\"}} {{printf \"x\" 1}}",
	   "%!d(string=abc) %!s(MISSING) x%!(EXTRA int=1)");
	ok("{{println .Id .Pid}}", "abc 42\n");
	ok("{{print .Id .Pid 1 2 \"x\"}}", "abc42 1 2x");
	ok("{{.State.Status | upper | printf \"<%s>\"}}", "<RUNNING>");
	ok("{{eq .Pid 42}} {{ne .Id \"abc\"}} {{lt 1 2}} {{ge .Ratio 1}} {{eq .Id \"x\" \"abc\"}}",
	   "true false true false true");
	ok("{{eq .Missing \"x\"}}", "false");
	ok("{{if eq .State.Status \"running\"}}{{.Id}}{{end}}", "abc");
}

static void test_errors(void)
{
	bad("{{.Id", "unclosed action");
	bad("{{range .Args}}", "missing {{end}}");
	bad("{{end}}", "unexpected");
	bad("{{nosuch .Id}}", "function \"nosuch\" not defined");
	bad("{{.Id.Foo}}", "can't evaluate field Foo in type string");
	bad("{{$y}}", "undefined variable: $y");
	bad("{{eq .Id 1}}", "incompatible types for comparison");
	bad("{{index .Args 5}}", "index out of range: 5");
	bad("{{len .Pid}}", "len");
	bad("{{range .Id}}{{end}}", "range can't iterate over abc");
	bad("{{range 3}}{{end}}", "range can't iterate over 3"); /* docker 20.10's Go */
	bad("{{\"unterminated}}", "unterminated string");
	bad("{{printf \"%999999d\" 1}}", "width or precision");
	bad("{{.Id 1}}", "can't give argument to non-function");
	bad("{{break}}", "outside range");
	bad("{{(.Id}}", "unclosed left paren");
}

static const struct test tests[] = {
	TEST(test_fields_and_printing),
	TEST(test_range_if_with),
	TEST(test_functions),
	TEST(test_errors),
	{},
};

int main(void)
{
	return test_main(tests);
}
