/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup_join against fake v1/v2 trees in a temp dir (plain files stand for the kernel's
 * "tasks"): one fd per v1 hierarchy, none for cgroup2, "0" written into each by the
 * joining process, all or nothing when a hierarchy lacks the container's cgroup.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/test.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/cgroup/cgroup_join.h"
#include "lib/cgroup_layout.h"

static char top[64];

#define MOUNTS                                                                                     \
	"31 30 0:27 / @/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"                           \
	"32 30 0:28 / @/memory rw - cgroup cgroup rw,memory\n"                                     \
	"33 30 0:29 / @/systemd rw - cgroup cgroup rw,name=systemd\n"                              \
	"34 30 0:30 / @/unified rw - cgroup2 cgroup2 rw\n"

static const char *const v1_dirs[] = {"cpu,cpuacct", "memory", "systemd"};

static void fresh_top(void)
{
	char cmd[128];

	if (top[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
		ASSERT_EQ(system(cmd), 0);
	}
	snprintf(top, sizeof(top), "/tmp/berth-test-cgj-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(top));
}

/* The container's cgroup /berth/x with an empty "tasks" in the v1 hierarchies. */
static void tree(size_t n_v1)
{
	static const char *const all[] = {"cpu,cpuacct", "memory", "systemd", "unified"};
	char path[512];

	for (size_t i = 0; i < ELEMENTSOF(all); i++) {
		const char *levels[] = {"", "/berth", "/berth/x"};

		for (size_t k = 0; k < ELEMENTSOF(levels); k++) {
			snprintf(path, sizeof(path), "%s/%s%s", top, all[i], levels[k]);
			ASSERT_OK(mkdir(path, 0755));
		}
	}
	for (size_t i = 0; i < n_v1; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/%s/berth/x/tasks", top, v1_dirs[i]);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		ASSERT_TRUE(fd >= 0);
		close(fd);
	}
}

static struct cgroup_manager *manager(void)
{
	struct cgroup_manager *m = NULL;
	struct cgroup_layout *l = NULL;
	struct berr *err = NULL;
	char text[4096];
	size_t n = 0;

	for (const char *p = MOUNTS; *p; p++)
		if (*p == '@')
			n += (size_t) snprintf(text + n, sizeof(text) - n, "%s", top);
		else
			text[n++] = *p;
	text[n] = '\0';
	ASSERT_OK(cgroup_layout_parse(text, &l, &err));
	ASSERT_OK(cgroup_manager_new_layout("/berth/x", l, &m, &err));
	return m;
}

static const char *tasks_of(const char *dir)
{
	static char buf[64];
	_cleanup_free_ char *text = NULL;
	char path[512];

	snprintf(path, sizeof(path), "%s/%s/berth/x/tasks", top, dir);
	if (read_file_at(AT_FDCWD, path, sizeof(buf), &text, NULL) < 0)
		return "(missing)";
	snprintf(buf, sizeof(buf), "%s", text);
	return buf;
}

static void test_every_v1_hierarchy_gets_zero(void)
{
	struct cgroup_join j;
	struct berr *err = NULL;
	struct cgroup_manager *m;

	fresh_top();
	tree(3);
	m = manager();
	cgroup_join_open(m, &j);
	ASSERT_EQ(j.n, 3); /* cgroup2 is CLONE_INTO_CGROUP's */
	for (size_t i = 0; i < j.n; i++)
		ASSERT_TRUE(fcntl(j.fds[i], F_GETFD) & FD_CLOEXEC);
	ASSERT_OK(cgroup_join_self(&j, &err));
	ASSERT_EQ(j.n, 0);
	for (size_t i = 0; i < ELEMENTSOF(v1_dirs); i++)
		ASSERT_STREQ(tasks_of(v1_dirs[i]), "0");
	cgroup_manager_free(m);
}

static void test_all_or_nothing(void)
{
	struct cgroup_join j;
	struct cgroup_manager *m;

	fresh_top();
	tree(2); /* systemd's has no "tasks": the manager's enter moves the child instead */
	m = manager();
	cgroup_join_open(m, &j);
	ASSERT_EQ(j.n, 0);
	cgroup_join_open(NULL, &j);
	ASSERT_EQ(j.n, 0);
	cgroup_manager_free(m);
}

static void test_failed_write_names_the_hierarchy(void)
{
	struct cgroup_join j;
	struct berr *err = NULL;
	struct cgroup_manager *m;
	int fd;

	fresh_top();
	tree(3);
	m = manager();
	cgroup_join_open(m, &j);
	ASSERT_EQ(j.n, 3);
	/* A read-only fd in place of memory's: the write fails with EBADF. */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(dup3(fd, j.fds[1], O_CLOEXEC) >= 0);
	close(fd);
	ASSERT_TRUE(cgroup_join_self(&j, &err) < 0);
	ASSERT_CONTAINS(err->msg, "/memory'");
	ASSERT_EQ(j.n, 0);
	berr_free(err);
	cgroup_manager_free(m);
}

static const struct test tests[] = {
	TEST(test_every_v1_hierarchy_gets_zero),
	TEST(test_all_or_nothing),
	TEST(test_failed_write_names_the_hierarchy),
	{NULL, NULL},
};

int main(void)
{
	int r = test_main(tests);
	char cmd[128];

	if (top[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
		(void) system(cmd);
	}
	return r;
}
