/* SPDX-License-Identifier: Apache-2.0 */
/* src/net/dns.c: aardvark-dns's configuration lines and files. Pure. */
#include <stdlib.h>
#include <string.h>

#include "lib/test.h"
#include "net/dns.h"

#define ID_A "aaaaaaaaaaaa1111111111111111111111111111111111111111111111111111"
#define ID_B "bbbbbbbbbbbb2222222222222222222222222222222222222222222222222222"

static void test_names(void)
{
	ASSERT_TRUE(dns_name_valid("web"));
	ASSERT_TRUE(dns_name_valid("www.example-1_x"));
	ASSERT_FALSE(dns_name_valid(""));
	ASSERT_FALSE(dns_name_valid("a,b"));
	ASSERT_FALSE(dns_name_valid("a b"));
	ASSERT_FALSE(dns_name_valid("a\nb"));
}

static void test_entry_line(void)
{
	char *aliases[] = {"web", "www", NULL}, *servers[] = {"10.0.0.250", "fd00::1", NULL};
	char *l = dns_entry_line(ID_A, 0x0a580002u, "db", NULL, NULL);

	/* ID IPV4 IPV6(empty) NAMES: the name, then the short id */
	ASSERT_STREQ(l, ID_A " 10.88.0.2  db,aaaaaaaaaaaa\n");
	free(l);
	l = dns_entry_line(ID_A, 0x0a580002u, "db", aliases, servers);
	ASSERT_STREQ(l, ID_A " 10.88.0.2  db,aaaaaaaaaaaa,web,www 10.0.0.250,fd00::1\n");
	free(l);
}

static bool not_b(const char *id, void *userdata)
{
	(void) userdata;
	return strcmp(id, ID_B) != 0;
}

static void test_file_update(void)
{
	char *t = NULL, *u = NULL, *v = NULL;

	/* a new file: the gateway, then the line */
	ASSERT_OK(dns_file_update(NULL, 0x0a580001u, ID_A, ID_A " 10.88.0.2  a,aaaaaaaaaaaa\n",
				  NULL, NULL, &t));
	ASSERT_STREQ(t, "10.88.0.1\n" ID_A " 10.88.0.2  a,aaaaaaaaaaaa\n");
	/* another container; then A's line replaced, not doubled */
	ASSERT_OK(dns_file_update(t, 0x0a580001u, ID_B, ID_B " 10.88.0.3  b,bbbbbbbbbbbb\n", NULL,
				  NULL, &u));
	ASSERT_STREQ(u, "10.88.0.1\n" ID_A " 10.88.0.2  a,aaaaaaaaaaaa\n" ID_B
			" 10.88.0.3  b,bbbbbbbbbbbb\n");
	free(t);
	ASSERT_OK(dns_file_update(u, 0x0a580001u, ID_A, ID_A " 10.88.0.9  a2,aaaaaaaaaaaa\n", NULL,
				  NULL, &t));
	ASSERT_STREQ(t, "10.88.0.1\n" ID_B " 10.88.0.3  b,bbbbbbbbbbbb\n" ID_A
			" 10.88.0.9  a2,aaaaaaaaaaaa\n");
	/* removal keeps the old first line when gateway is 0; keep() drops stale lines */
	ASSERT_OK(dns_file_update(t, 0, ID_A, NULL, NULL, NULL, &v));
	ASSERT_STREQ(v, "10.88.0.1\n" ID_B " 10.88.0.3  b,bbbbbbbbbbbb\n");
	free(v);
	ASSERT_OK(dns_file_update(t, 0, "none", NULL, not_b, NULL, &v));
	ASSERT_STREQ(v, "10.88.0.1\n" ID_A " 10.88.0.9  a2,aaaaaaaaaaaa\n");
	free(v);
	/* the last container gone: no file */
	ASSERT_OK(dns_file_update("10.88.0.1\n" ID_B " 10.88.0.3  b,bbbbbbbbbbbb\n", 0, ID_B, NULL,
				  NULL, NULL, &v));
	ASSERT_NULL(v);
	/* malformed lines are dropped, not kept */
	ASSERT_OK(dns_file_update("10.88.0.1\ngarbage\n", 0, ID_B, NULL, NULL, NULL, &v));
	ASSERT_NULL(v);
	free(t);
	free(u);
}

static const struct test tests[] = {
	TEST(test_names), TEST(test_entry_line), TEST(test_file_update), {}};

int main(void)
{
	return test_main(tests);
}
