/* SPDX-License-Identifier: Apache-2.0 */
/* The json-file log: entries, partial lines, rotation, reading back with tail. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/logs.h"
#include "lib/rmtree.h"
#include "lib/test.h"

static void test_entry_round_trip(void)
{
	char *line = log_entry_json(LOG_STDERR, "a \"q\"\t\x01\n", 8, 1704207845123456789LL);
	struct log_entry e;
	char *text = NULL;

	ASSERT_NOT_NULL(line);
	ASSERT_CONTAINS(line, "\"stream\":\"stderr\"");
	ASSERT_CONTAINS(line, "2024-01-02T15:04:05.123456789Z");
	ASSERT_OK(log_entry_parse(line, strlen(line), &e, &text));
	ASSERT_EQ(e.stream, LOG_STDERR);
	ASSERT_EQ(e.len, 8);
	ASSERT_TRUE(memcmp(e.text, "a \"q\"\t\x01\n", 8) == 0);
	ASSERT_EQ(e.time_ns, 1704207845123456789LL);
	free(text);
	free(line);
	ASSERT_EQ(log_entry_parse("not json", 8, &e, &text), -EINVAL);
}

struct collect {
	char buf[4096];
	size_t len;
	int n;
};

static int collect(const struct log_entry *e, void *userdata)
{
	struct collect *c = userdata;

	memcpy(c->buf + c->len, e->text, e->len);
	c->len += e->len;
	c->buf[c->len] = '\0';
	c->n++;
	return 0;
}

static void test_write_rotate_read(void)
{
	char dir[] = "/tmp/berth-test-logs-XXXXXX";
	struct log_writer w = {0};
	struct collect c = {0};
	struct logs_read_opts o = {.tail = -1, .emit = collect, .userdata = &c};
	int dfd;

	ASSERT_NOT_NULL(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_OK(log_writer_open(&w, dfd, "c-json.log", 300, 2));
	for (int i = 0; i < 20; i++) {
		char line[32];
		int n = snprintf(line, sizeof(line), "line-%02d\n", i);

		/* split across writes: the writer joins the pieces of a line */
		ASSERT_OK(log_writer_write(&w, LOG_STDOUT, line, 3));
		ASSERT_OK(log_writer_write(&w, LOG_STDOUT, line + 3, (size_t) n - 3));
	}
	ASSERT_OK(log_writer_write(&w, LOG_STDOUT, "partial", 7));
	ASSERT_OK(log_writer_flush(&w));
	log_writer_close(&w);
	ASSERT_EQ(faccessat(dfd, "c-json.log.1", F_OK, 0), 0);
	ASSERT_TRUE(faccessat(dfd, "c-json.log.2", F_OK, 0) < 0);
	ASSERT_OK(logs_read(dfd, "c-json.log", &o, NULL));
	ASSERT_TRUE(c.n < 21);
	ASSERT_TRUE(c.len > 7 && strcmp(c.buf + c.len - 15, "line-19\npartial") == 0);
	memset(&c, 0, sizeof(c));
	o.tail = 2;
	ASSERT_OK(logs_read(dfd, "c-json.log", &o, NULL));
	ASSERT_EQ(c.n, 2);
	ASSERT_STREQ(c.buf, "line-19\npartial");
	close(dfd);
	(void) rm_rf_at(AT_FDCWD, dir);
}

static const struct test tests[] = {
	TEST(test_entry_round_trip),
	TEST(test_write_rotate_read),
	{},
};

int main(void)
{
	return test_main(tests);
}
