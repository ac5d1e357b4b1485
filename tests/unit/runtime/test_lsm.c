/* SPDX-License-Identifier: Apache-2.0 */
/* The LSM option building, against a temp dir standing in for / and /proc/thread-self. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/test.h"
#include "runtime/security/lsm.h"
#include "runtime/config/oci_config.h"

static char root[] = "/tmp/berth-test-lsm-XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[256], *slash;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		(void) mkdir(path, 0755);
		*slash = '/';
	}
	ASSERT_OK(write_file_at(AT_FDCWD, path, text, O_WRONLY | O_CREAT | O_TRUNC));
}

static char *path_join(char *buf, size_t size, const char *rel)
{
	snprintf(buf, size, "%s/%s", root, rel);
	return buf;
}

static char *get(const char *rel)
{
	char path[256], *text = NULL;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (read_file_at(AT_FDCWD, path, 4096, &text, NULL) < 0)
		return NULL;
	return text;
}

static void remove_root(void)
{
	char cmd[300];

	if (strcmp(root + strlen(root) - 6, "XXXXXX") == 0)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	(void) system(cmd);
}

/* A fresh temp dir for each test. */
static int open_root(void)
{
	remove_root();
	strcpy(root, "/tmp/berth-test-lsm-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	return open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static void test_detection(void)
{
	_cleanup_close_ int fd = open_root();

	ASSERT_TRUE(fd >= 0);
	ASSERT_FALSE(lsm_apparmor_enabled(fd));
	ASSERT_FALSE(lsm_selinux_enabled(fd));
	put("sys/module/apparmor/parameters/enabled", "N\n");
	put("proc/thread-self/attr/apparmor/exec", "");
	ASSERT_FALSE(lsm_apparmor_enabled(fd));
	put("sys/module/apparmor/parameters/enabled", "Y\n");
	ASSERT_TRUE(lsm_apparmor_enabled(fd));
	put("sys/fs/selinux/enforce", "1");
	ASSERT_TRUE(lsm_selinux_enabled(fd));
}

static void test_check_gives_clear_errors(void)
{
	_cleanup_close_ int fd = open_root();
	struct spec_process p = {0};
	struct spec s = {0};
	struct berr *err = NULL;

	ASSERT_TRUE(fd >= 0);
	ASSERT_OK(lsm_check(&s, &p, fd, &err)); /* nothing asked for */
	p.apparmor_profile = (char *) "berth-test";
	ASSERT_EQ(lsm_check(&s, &p, fd, &err), -ENOTSUP);
	ASSERT_STREQ(err->msg, "config.json: process.apparmorProfile: 'berth-test' was asked for, "
			       "but AppArmor is not enabled on this host");
	berr_clear(&err);
	p.apparmor_profile = NULL;
	p.selinux_label = (char *) "system_u:system_r:container_t:s0";
	ASSERT_EQ(lsm_check(&s, &p, fd, &err), -ENOTSUP);
	ASSERT_CONTAINS(err->msg, "process.selinuxLabel");
	ASSERT_CONTAINS(err->msg, "SELinux is not enabled on this host");
	berr_clear(&err);
	p.selinux_label = NULL;
	s.linux.mount_label = (char *) "system_u:object_r:container_file_t:s0";
	ASSERT_EQ(lsm_check(&s, &p, fd, &err), -ENOTSUP);
	ASSERT_CONTAINS(err->msg, "linux.mountLabel");
	berr_clear(&err);
	put("sys/fs/selinux/enforce", "0");
	ASSERT_OK(lsm_check(&s, &p, fd, &err));
	s.linux.mount_label = (char *) "a\"b";
	ASSERT_EQ(lsm_check(&s, &p, fd, &err), -EINVAL);
	ASSERT_STREQ(err->msg, "config.json: linux.mountLabel: must not contain '\\n' or '\"'");
	berr_clear(&err);
}

static void test_mount_data(void)
{
	const char *label = "system_u:object_r:container_file_t:s0:c1,c2";
	_cleanup_free_ char *a = NULL, *b = NULL;
	char *c = (char *) 1;

	ASSERT_OK(lsm_mount_data("tmpfs", "size=64k,mode=755", label, &a));
	ASSERT_STREQ(a,
		     "size=64k,mode=755,context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
	ASSERT_OK(lsm_mount_data("devpts", NULL, label, &b));
	ASSERT_STREQ(b, "context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
	ASSERT_OK(lsm_mount_data("proc", "hidepid=2", label, &c));
	ASSERT_NULL(c);
	c = (char *) 1;
	ASSERT_OK(lsm_mount_data("tmpfs", "size=1k", NULL, &c));
	ASSERT_NULL(c);
	ASSERT_FALSE(lsm_mount_takes_context("sysfs"));
	ASSERT_FALSE(lsm_mount_takes_context("bind"));
	ASSERT_FALSE(lsm_mount_takes_context("cgroup2"));
	ASSERT_FALSE(lsm_mount_takes_context("mqueue"));
	ASSERT_TRUE(lsm_mount_takes_context("tmpfs"));
	ASSERT_TRUE(lsm_mount_takes_context("devpts"));
}

static void test_exec_labels_are_written(void)
{
	_cleanup_close_ int fd = open_root(), attr = -1;
	_cleanup_free_ char *aa = NULL, *se = NULL;
	struct spec_process p = {0};
	struct berr *err = NULL;
	char path[256];

	ASSERT_TRUE(fd >= 0);
	put("attr/apparmor/exec", "");
	put("attr/exec", "");
	snprintf(path, sizeof(path), "%s/attr", root);
	attr = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	p.apparmor_profile = (char *) "berth-test";
	ASSERT_OK(lsm_set_exec_labels(attr, &p, &err));
	aa = get("attr/apparmor/exec");
	ASSERT_STREQ(aa, "exec berth-test");
	/* Kernels before 5.8 have only the shared file. */
	snprintf(path, sizeof(path), "%s/attr/apparmor/exec", root);
	ASSERT_OK(unlink(path));
	p.apparmor_profile = (char *) "other";
	ASSERT_OK(lsm_set_exec_labels(attr, &p, &err));
	se = get("attr/exec");
	ASSERT_STREQ(se, "exec other");
	free(se);
	put("attr/exec", "");
	p.apparmor_profile = NULL;
	p.selinux_label = (char *) "system_u:system_r:container_t:s0:c1,c2";
	ASSERT_OK(lsm_set_exec_labels(attr, &p, &err));
	se = get("attr/exec");
	ASSERT_STREQ(se, "system_u:system_r:container_t:s0:c1,c2");
	/* No attr file at all: the error names the field. */
	ASSERT_OK(unlink(path_join(path, sizeof(path), "attr/exec")));
	ASSERT_EQ(lsm_set_exec_labels(attr, &p, &err), -ENOENT);
	ASSERT_CONTAINS(err->msg, "process.selinuxLabel: cannot set");
	berr_clear(&err);
}

static const struct test tests[] = {
	TEST(test_detection),
	TEST(test_check_gives_clear_errors),
	TEST(test_mount_data),
	TEST(test_exec_labels_are_written),
	{0},
};

int main(void)
{
	int r = test_main(tests);

	remove_root();
	return r;
}
