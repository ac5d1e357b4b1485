/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/test.h"
#include "runtime/lifecycle/state.h"

static void test_ids(void)
{
	ASSERT_TRUE(state_id_valid("abc-DEF_1.2+x"));
	ASSERT_FALSE(state_id_valid(""));
	ASSERT_FALSE(state_id_valid("."));
	ASSERT_FALSE(state_id_valid(".."));
	ASSERT_FALSE(state_id_valid("a/b"));
	ASSERT_FALSE(state_id_valid("a b"));
}

static void test_save_load_roundtrip(void)
{
	char dir[] = "/tmp/berth-unit-state-XXXXXX";
	struct kv ann[] = {{(char *) "k", (char *) "v"}};
	struct container_state st = {
		.id = (char *) "c1",
		.pid = 4242,
		.start_time = 777,
		.bundle = (char *) "/b",
		.rootfs = (char *) "/b/rootfs",
		.created = (char *) "2026-11-29T00:00:00Z",
		.phase = STATUS_CREATED,
		.annotations = ann,
		.n_annotations = 1,
	};
	_cleanup_state_ struct container_state *back = NULL;
	_cleanup_close_ int rootfd = -1, dirfd = -1;
	struct berr *err = NULL;

	ASSERT_NOT_NULL(mkdtemp(dir));
	ASSERT_OK(state_root_open(dir, false, &rootfd, &err));
	ASSERT_OK(state_dir_create(rootfd, "c1", &dirfd, &err));
	ASSERT_EQ(state_dir_create(rootfd, "c1", &dirfd, &err), -EEXIST);
	ASSERT_STREQ(err->msg, "container 'c1' already exists");
	berr_clear(&err);
	ASSERT_OK(state_save(dirfd, &st, &err));
	ASSERT_OK(state_load(dirfd, &back, &err));
	ASSERT_STREQ(back->id, "c1");
	ASSERT_EQ(back->pid, 4242);
	ASSERT_EQ_U64(back->start_time, 777);
	ASSERT_EQ(back->phase, STATUS_CREATED);
	ASSERT_STREQ(back->annotations[0].value, "v");
	/* pid 4242 with start time 777 is not a process we started: stopped */
	ASSERT_EQ(state_status(back), STATUS_STOPPED);
	ASSERT_OK(state_dir_remove(rootfd, "c1"));
	ASSERT_EQ(faccessat(rootfd, "c1", F_OK, 0), -1);
	rmdir(dir);
}

/* What state_save writes, state_load reads back the same (fuzz/fuzz_state.c fuzzes it). */
static void test_file_json_fixed_point(void)
{
	struct kv ann[] = {{(char *) "q\"uote", (char *) "line\nbreak\x01"}};
	struct container_state st = {
		.id = (char *) "c2",
		.pid = 0,
		.bundle = (char *) "/b",
		.phase = STATUS_CREATING,
		.annotations = ann,
		.n_annotations = 1,
		.cgroup_path = (char *) "/berth-test/c2",
		.cgroup_created = true,
	};
	_cleanup_free_ char *once = state_file_json(&st), *twice = NULL;
	_cleanup_state_ struct container_state *back = NULL;
	struct berr *err = NULL;

	ASSERT_NOT_NULL(once);
	ASSERT_OK(state_parse(once, strlen(once), &back, &err));
	twice = state_file_json(back);
	ASSERT_STREQ(once, twice);
	/* pid 0: create died before it cloned the init; delete --force finds the cgroup */
	ASSERT_EQ(state_status(back), STATUS_CREATING);
	ASSERT_TRUE(back->cgroup_created);
}

/* A state dir without state.json (create killed before its first write) does not exist. */
static void test_load_without_state_file(void)
{
	char dir[] = "/tmp/berth-unit-state-XXXXXX";
	_cleanup_state_ struct container_state *st = NULL;
	_cleanup_close_ int dirfd = -1;
	struct berr *err = NULL;

	ASSERT_NOT_NULL(mkdtemp(dir));
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_TRUE(dirfd >= 0);
	ASSERT_EQ(state_load(dirfd, &st, &err), -ENOENT);
	ASSERT_CONTAINS(err->msg, "does not exist");
	berr_clear(&err);
	rmdir(dir);
}

static void test_parse_rejects(void)
{
	struct container_state *st = NULL;
	struct berr *err = NULL;

	ASSERT_EQ(state_parse("{\"id\": \"x\"}", 11, &st, &err), -EINVAL);
	ASSERT_STREQ(err->msg, "state.json: id and bundle must be given");
	berr_clear(&err);
	ASSERT_EQ(state_parse("{\"id\": \"x\", \"bundle\": \"/\", \"pid\": -3}", 37, &st, &err),
		  -EINVAL);
	berr_clear(&err);
}

static void test_self_is_alive(void)
{
	struct container_state st = {.pid = getpid(), .phase = STATUS_RUNNING};

	ASSERT_OK(proc_start_time(getpid(), &st.start_time));
	ASSERT_TRUE(state_pid_alive(&st));
	ASSERT_EQ(state_status(&st), STATUS_RUNNING);
	st.start_time++;
	ASSERT_FALSE(state_pid_alive(&st));
}

static void test_state_json(void)
{
	struct container_state st = {.id = (char *) "c",
				     .pid = 5,
				     .bundle = (char *) "/b",
				     .rootfs = (char *) "/b/r",
				     .created = (char *) "t"};
	_cleanup_free_ char *s = state_to_json(&st, STATUS_STOPPED, false);

	ASSERT_CONTAINS(s, "\"status\":\"stopped\"");
	ASSERT_CONTAINS(s, "\"pid\":0");
	ASSERT_CONTAINS(s, "\"bundle\":\"/b\"");
}

static const struct test tests[] = {
	TEST(test_ids),
	TEST(test_save_load_roundtrip),
	TEST(test_parse_rejects),
	TEST(test_self_is_alive),
	TEST(test_state_json),
	TEST(test_file_json_fixed_point),
	TEST(test_load_without_state_file),
	{NULL, NULL},
};

int main(void)
{
	return test_main(tests);
}
