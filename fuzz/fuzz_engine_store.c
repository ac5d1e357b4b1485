/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The files the engine reads back from its root (src/engine/container_store.c,
 * logs.c): a container's config.json and state.json (parsed, written again, parsed
 * back: the second writing is identical to the first), and its json-file log (each
 * line as an entry, written again, parsed back and written again: the same entry; then the whole
 * file through `berth logs`' reader with --tail, --since and --until from the input).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/container.h"
#include "engine/logs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void config_round_trip(const char *buf, size_t len)
{
	struct container_config *c = NULL, *c2 = NULL;
	struct berr *err = NULL;
	char *a, *b;

	if (container_config_from_json(buf, len, &c, &err) < 0) {
		berr_free(err);
		return;
	}
	a = container_config_to_json(c);
	if (!a)
		abort();
	if (container_config_from_json(a, strlen(a), &c2, &err) < 0) {
		fprintf(stderr, "config.json written by berth is refused: %s\n%s\n",
			err ? err->msg : "?", a);
		abort();
	}
	b = container_config_to_json(c2);
	if (!b || strcmp(a, b) != 0) {
		fprintf(stderr, "config.json round trip differs:\n%s\n%s\n", a, b);
		abort();
	}
	free(a);
	free(b);
	container_config_free(c);
	container_config_free(c2);
}

static void state_round_trip(const char *buf, size_t len)
{
	struct container_state s, s2;
	struct berr *err = NULL;
	char *a, *b;

	if (container_state_from_json(buf, len, &s, &err) < 0) {
		berr_free(err);
		return;
	}
	a = container_state_to_json(&s);
	if (!a)
		abort();
	if (container_state_from_json(a, strlen(a), &s2, &err) < 0) {
		fprintf(stderr, "state.json written by berth is refused: %s\n%s\n",
			err ? err->msg : "?", a);
		abort();
	}
	b = container_state_to_json(&s2);
	if (!b || strcmp(a, b) != 0) {
		fprintf(stderr, "state.json round trip differs:\n%s\n%s\n", a, b);
		abort();
	}
	free(a);
	free(b);
	container_state_done(&s);
	container_state_done(&s2);
}

/*
 * A line berth reads is written again as berth writes it (invalid UTF-8 becomes U+FFFD,
 * as docker's writer does): that line parses back to the same stream and time, and
 * written again, parses back to the same entry.
 */
static void log_line(const char *line, size_t len)
{
	struct log_entry e, e2, e3;
	char *text = NULL, *text2 = NULL, *text3 = NULL, *a, *b;

	if (log_entry_parse(line, len, &e, &text) < 0)
		return;
	a = log_entry_json(e.stream, e.text, e.len, e.time_ns);
	if (!a)
		abort();
	if (log_entry_parse(a, strlen(a), &e2, &text2) < 0 || e2.stream != e.stream ||
	    e2.time_ns != e.time_ns) {
		fprintf(stderr, "log entry written by berth is refused or differs:\n%s\n", a);
		abort();
	}
	/* (textually, a U+FFFD is escaped where a byte was invalid, written as is after) */
	b = log_entry_json(e2.stream, e2.text, e2.len, e2.time_ns);
	if (!b || log_entry_parse(b, strlen(b), &e3, &text3) < 0 || e3.stream != e2.stream ||
	    e3.time_ns != e2.time_ns || e3.len != e2.len || memcmp(e3.text, e2.text, e2.len) != 0) {
		fprintf(stderr, "log entry round trip differs:\n%s\n%s\n", a, b);
		abort();
	}
	free(text);
	free(text2);
	free(text3);
	free(a);
	free(b);
}

static int emit(const struct log_entry *e, void *userdata)
{
	size_t *n = userdata;

	*n += e->len;
	return 0;
}

/* The log file in a directory of this process's own (made once, removed at exit). */
static char dir[] = "/tmp/fuzz_engine_store.XXXXXX";
static int dirfd = -1;

static void remove_dir(void)
{
	unlinkat(dirfd, "c-json.log", 0);
	rmdir(dir);
}

static void read_logs(const uint8_t *data, size_t size)
{
	struct logs_read_opts o = {.tail = -1, .emit = emit};
	struct berr *err = NULL;
	size_t total = 0;
	int fd;

	if (dirfd < 0) {
		if (!mkdtemp(dir) || (dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
			abort();
		atexit(remove_dir);
	}
	if (size < 3)
		return;
	/* byte 0: --tail (0x80: all), byte 1: --since/--until, bits of seconds */
	o.tail = data[0] & 0x80 ? -1 : data[0];
	if (data[1] & 1)
		o.since_ns = (int64_t) (data[1] >> 1) * 100000000000LL;
	if (data[1] & 0x80)
		o.until_ns = (int64_t) (data[1] & 0x7e) * 1000000000000000LL;
	o.userdata = &total;
	fd = openat(dirfd, "c-json.log", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data + 2, size - 2) != (ssize_t) (size - 2))
		abort();
	close(fd);
	if (logs_read(dirfd, "c-json.log", &o, &err) < 0)
		berr_free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *) data;
	const char *p, *nl;

	config_round_trip(buf, size);
	state_round_trip(buf, size);
	for (p = buf; p < buf + size; p = nl + 1) {
		nl = memchr(p, '\n', (size_t) (buf + size - p));
		if (!nl)
			nl = buf + size;
		log_line(p, (size_t) (nl - p));
	}
	read_logs(data, size);
	return 0;
}
