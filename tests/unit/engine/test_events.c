/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event journal: docker's event JSON, the append with its rotation and its repair of
 * a line a killed writer left unfinished, the reader following a rotation, and the
 * filters' rules (docker's daemon/events/filter.go).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/events.h"
#include "engine/events_read.h"
#include "lib/cleanup.h"
#include "lib/rmtree.h"
#include "lib/strv.h"
#include "lib/test.h"

static const struct event_attr attrs[] = {
	{"name", "web"}, {"image", "busybox:latest"}, {"exitCode", "3"}};

static void test_line(void)
{
	const struct event_desc d = {.type = "container",
				     .action = "die",
				     .id = "abc",
				     .from = "busybox:latest",
				     .attrs = attrs,
				     .n_attrs = 3,
				     .time_ns = 1700000000123456789LL};
	_cleanup_free_ char *line = event_line(&d);
	struct event ev;

	ASSERT_STREQ(line, "{\"status\":\"die\",\"id\":\"abc\",\"from\":\"busybox:latest\","
			   "\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"abc\","
			   "\"Attributes\":{\"name\":\"web\",\"image\":\"busybox:latest\","
			   "\"exitCode\":\"3\"}},\"scope\":\"local\",\"time\":1700000000,"
			   "\"timeNano\":1700000000123456789}\n");
	ASSERT_OK(event_parse(line, strlen(line) - 1, &ev));
	ASSERT_STREQ(ev.type, "container");
	ASSERT_STREQ(ev.action, "die");
	ASSERT_STREQ(ev.id, "abc");
	ASSERT_EQ(ev.time_ns, 1700000000123456789LL);
	/* sorted by key, as docker prints them */
	ASSERT_STREQ(ev.attrs[0], "exitCode=3");
	ASSERT_STREQ(ev.attrs[2], "name=web");
	ASSERT_STREQ(event_attr(&ev, "image"), "busybox:latest");
	event_done(&ev);
	ASSERT_EQ(event_parse("{\"Type\":\"x\"", 11, &ev), -EINVAL);
	ASSERT_EQ(event_parse("{}", 2, &ev), -EINVAL);
}

static bool matches(const char *line, char *const *filters)
{
	struct event_filter f = {0};
	struct event ev;
	bool m;

	STRV_FOREACH (kv, filters)
		ASSERT_OK(event_filter_add(&f, *kv, NULL));
	ASSERT_OK(event_parse(line, strlen(line), &ev));
	m = event_filter_match(&f, &ev);
	event_done(&ev);
	event_filter_done(&f);
	return m;
}

#define F(...) ((char *[]){__VA_ARGS__, NULL})

static void test_filters(void)
{
	const char *die = "{\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"abc123\","
			  "\"Attributes\":{\"name\":\"web\",\"image\":\"busybox:latest\","
			  "\"tier\":\"front\"}},\"timeNano\":1}";
	const char *exec = "{\"Type\":\"container\",\"Action\":\"exec_start: sh -c true\","
			   "\"Actor\":{\"ID\":\"abc123\",\"Attributes\":{}},\"timeNano\":1}";
	const char *pull = "{\"Type\":\"image\",\"Action\":\"pull\",\"Actor\":{\"ID\":"
			   "\"busybox:latest\",\"Attributes\":{\"name\":\"busybox:latest\"}},"
			   "\"timeNano\":1}";
	struct event_filter f = {0};
	_cleanup_berr_ struct berr *err = NULL;

	ASSERT_TRUE(matches(die, NULL));
	/* container: a prefix of the ID, or of the name */
	ASSERT_TRUE(matches(die, F("container=abc")));
	ASSERT_TRUE(matches(die, F("container=we")));
	ASSERT_FALSE(matches(die, F("container=xyz")));
	/* one key's values: any; different keys: all */
	ASSERT_TRUE(matches(die, F("event=start", "event=die")));
	ASSERT_FALSE(matches(die, F("event=die", "type=image")));
	ASSERT_TRUE(matches(exec, F("event=exec_start")));
	ASSERT_FALSE(matches(exec, F("event=exec")));
	/* image: with or without the tag; an image event by its name */
	ASSERT_TRUE(matches(die, F("image=busybox")));
	ASSERT_TRUE(matches(die, F("image=busybox:latest")));
	ASSERT_FALSE(matches(die, F("image=busy")));
	ASSERT_TRUE(matches(pull, F("image=busybox", "type=image")));
	/* label: every one must match */
	ASSERT_TRUE(matches(die, F("label=tier")));
	ASSERT_TRUE(matches(die, F("label=tier=front")));
	ASSERT_FALSE(matches(die, F("label=tier=front", "label=other")));
	ASSERT_FALSE(matches(die, F("label=tier=back")));
	ASSERT_EQ(event_filter_add(&f, "colour=red", &err), -EINVAL);
	ASSERT_STREQ(err->msg, "Invalid filter 'colour'");
	event_filter_done(&f);
}

struct collected {
	char **actions;
};

static int collect(const char *line, size_t len, void *userdata)
{
	struct collected *c = userdata;
	struct event ev;

	if (event_parse(line, len, &ev) < 0)
		return strv_push_dup(&c->actions, "?");
	ASSERT_OK(strv_push_dup(&c->actions, ev.action));
	event_done(&ev);
	return 0;
}

static void append(const char *dir, const char *action, int64_t max)
{
	const struct event_desc d = {.type = "image", .action = action, .id = "x"};

	ASSERT_OK(events_append(dir, &d, max, NULL));
}

static void test_rotate_and_follow(void)
{
	char dir[] = "/tmp/berth-test-events-XXXXXX";
	struct events_reader r;
	struct collected c = {0};
	_cleanup_free_ char *joined = NULL;
	char path[128];
	int fd;

	ASSERT_NOT_NULL(mkdtemp(dir));
	append(dir, "one", 400);
	append(dir, "two", 400);
	ASSERT_OK(events_reader_open(&r, dir, true, NULL));
	/* over 400 bytes: events.log becomes events.log.1 */
	append(dir, "three", 400);
	snprintf(path, sizeof(path), "%s/events.log.1", dir);
	ASSERT_OK(access(path, F_OK));
	/* a writer killed mid-line: the next append ends that line first */
	snprintf(path, sizeof(path), "%s/events.log", dir);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(write(fd, "{\"Type\":\"ima", 12), 12);
	close(fd);
	append(dir, "four", 4000);
	ASSERT_OK(events_reader_read(&r, collect, &c));
	joined = strv_join(c.actions, ",");
	/* the reader had events.log open: it read it to its end, then the new one */
	ASSERT_STREQ(joined, "one,two,three,?,four");
	events_reader_done(&r);
	strv_free(c.actions);
	(void) rm_rf_at(AT_FDCWD, dir);
}

static int count_line(const char *line, size_t len, void *userdata)
{
	struct event ev;

	ASSERT_OK(event_parse(line, len, &ev));
	event_done(&ev);
	(*(int *) userdata)++;
	return 0;
}

/* writers side by side: every line whole, none lost */
static void test_concurrent_appends(void)
{
	char dir[] = "/tmp/berth-test-events-XXXXXX";
	struct events_reader r;
	int n = 0, status;

	ASSERT_NOT_NULL(mkdtemp(dir));
	for (int w = 0; w < 4; w++) {
		pid_t pid = fork();

		ASSERT_TRUE(pid >= 0);
		if (pid == 0) {
			for (int i = 0; i < 200; i++)
				if (events_append(dir,
						  &(struct event_desc){.type = "image",
								       .action = "pull",
								       .id = "busybox:latest"},
						  1000000, NULL) < 0)
					_exit(1);
			_exit(0);
		}
	}
	for (int w = 0; w < 4; w++) {
		ASSERT_TRUE(wait(&status) > 0);
		ASSERT_EQ(status, 0);
	}
	ASSERT_OK(events_reader_open(&r, dir, true, NULL));
	ASSERT_OK(events_reader_read(&r, count_line, &n));
	events_reader_done(&r);
	ASSERT_EQ(n, 800);
	(void) rm_rf_at(AT_FDCWD, dir);
}

static const struct test tests[] = {
	TEST(test_line),
	TEST(test_filters),
	TEST(test_rotate_and_follow),
	TEST(test_concurrent_appends),
	{},
};

int main(void)
{
	return test_main(tests);
}
