/* SPDX-License-Identifier: Apache-2.0 */
/* The json-file log: entries, partial lines, rotation, reading back with tail. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

static int tmpdir_open(char *dir)
{
	int dfd;

	ASSERT_NOT_NULL(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_TRUE(dfd >= 0);
	return dfd;
}

/* The entries of one file, parsed: texts joined with '|' after each, and a count. */
static int file_entries(int dfd, const char *name, char *out, size_t size)
{
	FILE *f = fdopen(openat(dfd, name, O_RDONLY | O_CLOEXEC), "r");
	char *line = NULL;
	size_t cap = 0, used = 0;
	ssize_t n;
	int count = 0;

	ASSERT_NOT_NULL(f);
	out[0] = '\0';
	while ((n = getline(&line, &cap, f)) > 0) {
		struct log_entry e;
		char *text = NULL;

		ASSERT_OK(log_entry_parse(line, (size_t) n, &e, &text));
		ASSERT_TRUE(used + e.len + 2 < size);
		memcpy(out + used, e.text, e.len);
		used += e.len;
		out[used++] = '|';
		out[used] = '\0';
		free(text);
		count++;
	}
	free(line);
	fclose(f);
	return count;
}

/* The entries of a file as "<bytes>" or "<bytes>n" (a text ending in "\n"), comma-separated. */
static void entry_shapes(int dfd, const char *name, char *out, size_t size)
{
	FILE *f = fdopen(openat(dfd, name, O_RDONLY | O_CLOEXEC), "r");
	char *line = NULL;
	size_t cap = 0, used = 0;
	ssize_t n;

	ASSERT_NOT_NULL(f);
	out[0] = '\0';
	while ((n = getline(&line, &cap, f)) > 0) {
		struct log_entry e;
		char *text = NULL;
		bool nl;

		ASSERT_OK(log_entry_parse(line, (size_t) n, &e, &text));
		nl = e.len > 0 && e.text[e.len - 1] == '\n';
		used += (size_t) snprintf(out + used, size - used, "%s%zu%s", used ? "," : "",
					  e.len - (nl ? 1 : 0), nl ? "n" : "");
		ASSERT_TRUE(used < size);
		free(text);
	}
	free(line);
	fclose(f);
}

/* docker's copier: a line of 16 KiB or more is cut into 16 KiB partial entries */
static void test_long_lines(void)
{
	char dir[] = "/tmp/berth-test-logs-XXXXXX";
	int dfd = tmpdir_open(dir);
	size_t big = 2 * LOG_LINE_MAX + 100;
	char *buf = malloc(big + 1), shapes[256];
	struct log_writer w = {0};

	memset(buf, 'x', big);
	buf[big] = '\n';
	ASSERT_OK(log_writer_open(&w, dfd, "c-json.log", 0, 1));
	/* 32 KiB + 100 and its "\n", in one write: two partial entries and the rest */
	ASSERT_OK(log_writer_write(&w, LOG_STDOUT, buf, big + 1));
	/* exactly 16 KiB, then "\n" in a later write: a partial entry, then "\n" alone */
	ASSERT_OK(log_writer_write(&w, LOG_STDOUT, buf, LOG_LINE_MAX));
	ASSERT_OK(log_writer_write(&w, LOG_STDOUT, "\n", 1));
	/* one byte less and its "\n" fit: a whole line */
	buf[LOG_LINE_MAX - 1] = '\n';
	ASSERT_OK(log_writer_write(&w, LOG_STDOUT, buf, LOG_LINE_MAX));
	/* a long line in small pieces: cut at 16 KiB all the same */
	for (size_t i = 0; i < LOG_LINE_MAX + 10; i += 1000)
		ASSERT_OK(log_writer_write(&w, LOG_STDERR, buf,
					   i + 1000 > LOG_LINE_MAX + 10 ? LOG_LINE_MAX + 10 - i
									: 1000));
	ASSERT_OK(log_writer_write(&w, LOG_STDERR, "\n", 1));
	log_writer_close(&w);
	entry_shapes(dfd, "c-json.log", shapes, sizeof(shapes));
	ASSERT_STREQ(shapes, "16384,16384,100n,16384,0n,16383n,16384,10n");
	free(buf);
	close(dfd);
	(void) rm_rf_at(AT_FDCWD, dir);
}

/* A line in pieces over several reads is one entry, a character cut in two one character. */
static void test_joined_lines(void)
{
	char dir[] = "/tmp/berth-test-logs-XXXXXX";
	int dfd = tmpdir_open(dir);
	struct log_writer w = {0};
	char out[256];

	ASSERT_OK(log_writer_open(&w, dfd, "c-json.log", 0, 1));
	ASSERT_OK(log_writer_write(&w, LOG_STDOUT, "caf\xc3", 4));
	ASSERT_OK(log_writer_write(&w, LOG_STDERR, "err", 3));
	ASSERT_OK(log_writer_write(&w, LOG_STDOUT, "\xa9\nnext\nla", 9));
	ASSERT_OK(log_writer_write(&w, LOG_STDERR, "or\n", 3));
	ASSERT_OK(log_writer_write(&w, LOG_STDOUT, "st", 2));
	/* at the exit, what waits is a partial entry without "\n", as docker writes it */
	ASSERT_OK(log_writer_flush(&w));
	log_writer_close(&w);
	ASSERT_EQ(file_entries(dfd, "c-json.log", out, sizeof(out)), 4);
	ASSERT_STREQ(out, "caf\xc3\xa9\n|next\n|error\n|last|");
	close(dfd);
	(void) rm_rf_at(AT_FDCWD, dir);
}

/* Rotation inside one chunk: no file past max-size, no line lost or reordered. */
static void test_rotate_within_chunk(void)
{
	char dir[] = "/tmp/berth-test-logs-XXXXXX";
	int dfd = tmpdir_open(dir);
	struct log_writer w = {0};
	char chunk[4096], name[64], out[8192];
	size_t len = 0;
	int total = 0, next = 0;

	for (int i = 0; i < 200; i++)
		len += (size_t) snprintf(chunk + len, sizeof(chunk) - len, "l%03d\n", i);
	ASSERT_OK(log_writer_open(&w, dfd, "c-json.log", 1000, 100));
	ASSERT_OK(log_writer_write(&w, LOG_STDOUT, chunk, len));
	log_writer_close(&w);
	for (int i = 99; i >= 0; i--) {
		struct stat st;
		int n;

		if (i)
			snprintf(name, sizeof(name), "c-json.log.%d", i);
		else
			snprintf(name, sizeof(name), "c-json.log");
		if (fstatat(dfd, name, &st, 0) < 0)
			continue;
		ASSERT_TRUE(st.st_size <= 1000);
		n = file_entries(dfd, name, out, sizeof(out));
		for (int j = 0; j < n; j++, next++) {
			char want[24];

			snprintf(want, sizeof(want), "l%03d\n|", next);
			ASSERT_EQ(strncmp(out + (size_t) j * 6, want, 6), 0);
		}
		total += n;
	}
	ASSERT_EQ(total, 200);
	close(dfd);
	(void) rm_rf_at(AT_FDCWD, dir);
}

struct lines {
	int n, first, last;
	bool in_order;
};

/* Entries "<number>..." counted: how many, the first and last number, in order or not. */
static int count_lines(const struct log_entry *e, void *userdata)
{
	struct lines *l = userdata;
	int v = atoi(e->text);

	if (l->n == 0)
		l->first = v;
	else if (v != l->last + 1)
		l->in_order = false;
	l->last = v;
	l->n++;
	return 0;
}

static struct lines read_back(int dfd, int64_t tail, int64_t since_ns)
{
	struct lines l = {.in_order = true};
	struct logs_read_opts o = {
		.tail = tail, .since_ns = since_ns, .emit = count_lines, .userdata = &l};

	ASSERT_OK(logs_read(dfd, "c-json.log", &o, NULL));
	return l;
}

/* Write lines 0..n-1 of varied lengths, some far over a read block. */
static void write_numbered(int dfd, int n, int64_t max_size, int max_file)
{
	struct log_writer w = {0};
	char *line = malloc(3 * LOG_LINE_MAX);

	ASSERT_OK(log_writer_open(&w, dfd, "c-json.log", max_size, max_file));
	for (int i = 0; i < n; i++) {
		size_t len = (size_t) snprintf(line, 32, "%d ", i);
		size_t pad = i % 97 == 0 ? 3000 : (size_t) (i % 13) * 10;

		memset(line + len, i % 7 == 0 ? '"' : 'p', pad); /* '"' doubles in the file */
		len += pad;
		line[len++] = '\n';
		ASSERT_OK(log_writer_write(&w, LOG_STDOUT, line, len));
	}
	log_writer_close(&w);
	free(line);
}

static void expect_tail(int dfd, int n, int64_t tail)
{
	struct lines l = read_back(dfd, tail, 0);
	int want = tail < 0 || tail > n ? n : (int) tail;

	ASSERT_EQ(l.n, want);
	if (want > 0) {
		ASSERT_EQ(l.first, n - want);
		ASSERT_EQ(l.last, n - 1);
		ASSERT_TRUE(l.in_order);
	}
}

/* --tail at file and read-block boundaries, across rotated files */
static void test_tail(void)
{
	char dir[] = "/tmp/berth-test-logs-XXXXXX";
	int dfd = tmpdir_open(dir);
	const int n = 3000;
	char out[1 << 16];
	int newest;

	write_numbered(dfd, n, 64 * 1024, 50);
	ASSERT_EQ(faccessat(dfd, "c-json.log.3", F_OK, 0), 0);
	newest = file_entries(dfd, "c-json.log", out, sizeof(out));
	ASSERT_TRUE(newest > 0 && newest < n);
	{
		const int64_t tails[] = {0,    1,     2, newest - 1, newest, newest + 1, 2 * newest,
					 1000, n - 1, n, n + 1,	     100000, -1};

		for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++)
			expect_tail(dfd, n, tails[i]);
	}
	/* a last line being written (no "\n" yet) is not one of the lines */
	{
		int fd = openat(dfd, "c-json.log", O_WRONLY | O_APPEND | O_CLOEXEC);

		ASSERT_EQ(write(fd, "{\"log\":\"torn", 12), 12);
		close(fd);
		expect_tail(dfd, n, 1);
		expect_tail(dfd, n, 5);
	}
	close(dfd);
	(void) rm_rf_at(AT_FDCWD, dir);
}

/* One file, no rotation: a tail that spans many 64 KiB read blocks. */
static void test_tail_one_file(void)
{
	char dir[] = "/tmp/berth-test-logs-XXXXXX";
	int dfd = tmpdir_open(dir);
	const int n = 4000;

	write_numbered(dfd, n, 0, 1);
	ASSERT_TRUE(faccessat(dfd, "c-json.log.1", F_OK, 0) < 0);
	for (int64_t t = 0; t <= n + 1; t += 333)
		expect_tail(dfd, n, t);
	expect_tail(dfd, n, n);
	close(dfd);
	(void) rm_rf_at(AT_FDCWD, dir);
}
#define T0 1704207845000000000LL

/* Lines 0..n-1 at T0 + i seconds, in files of per lines each: NAME.k ... NAME.1, NAME. */
static void write_timed(int dfd, int n, int per)
{
	int files = (n + per - 1) / per;

	for (int i = 0; i < n; i++) {
		int k = files - 1 - i / per;
		char name[64], text[32];
		char *line;
		int fd;

		if (k)
			snprintf(name, sizeof(name), "c-json.log.%d", k);
		else
			snprintf(name, sizeof(name), "c-json.log");
		snprintf(text, sizeof(text), "%d\n", i);
		line = log_entry_json(LOG_STDOUT, text, strlen(text), T0 + i * 1000000000LL);
		fd = openat(dfd, name, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		ASSERT_TRUE(fd >= 0);
		ASSERT_EQ(write(fd, line, strlen(line)), (ssize_t) strlen(line));
		close(fd);
		free(line);
	}
}

/* --since: the first entry at or after the time, in whichever file it is */
static void test_since(void)
{
	char dir[] = "/tmp/berth-test-logs-XXXXXX";
	int dfd = tmpdir_open(dir);
	const int n = 30000, per = 10000;
	const int ks[] = {0, 1, 2, 4999, 5000, 9999, 10000, 10001, 25000, 29998, 29999};

	write_timed(dfd, n, per);
	for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		struct lines l = read_back(dfd, -1, T0 + ks[i] * 1000000000LL);

		ASSERT_EQ(l.n, n - ks[i]);
		ASSERT_EQ(l.first, ks[i]);
		ASSERT_TRUE(l.in_order);
	}
	/* between two entries; before all; after all */
	ASSERT_EQ(read_back(dfd, -1, T0 + 12345 * 1000000000LL + 1).first, 12346);
	ASSERT_EQ(read_back(dfd, -1, T0 - 1).n, n);
	ASSERT_EQ(read_back(dfd, -1, T0 + n * 1000000000LL).n, 0);
	/* --tail first, then --since, as docker */
	ASSERT_EQ(read_back(dfd, 10, T0 + 29995 * 1000000000LL).n, 5);
	ASSERT_EQ(read_back(dfd, 10, T0).n, 10);
	close(dfd);
	(void) rm_rf_at(AT_FDCWD, dir);
}

static const struct test tests[] = {
	TEST(test_entry_round_trip),
	TEST(test_write_rotate_read),
	TEST(test_long_lines),
	TEST(test_joined_lines),
	TEST(test_rotate_within_chunk),
	TEST(test_tail),
	TEST(test_tail_one_file),
	TEST(test_since),
	{},
};

int main(void)
{
	return test_main(tests);
}
