/* SPDX-License-Identifier: Apache-2.0 */
/* Resources checked against the host before create, in dockerd's words. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/host_check.h"
#include "lib/strv.h"
#include "lib/test.h"

static void test_parse_cpuset(void)
{
	uint64_t b[16];

	ASSERT_OK(host_parse_cpuset("0-3,7", b));
	ASSERT_EQ_U64(b[0], 0x8fULL);
	ASSERT_OK(host_parse_cpuset("64", b));
	ASSERT_EQ_U64(b[0], 0);
	ASSERT_EQ_U64(b[1], 1);
	ASSERT_OK(host_parse_cpuset("1023", b));
	ASSERT_EQ_U64(b[15], 1ULL << 63);
	static const char *const bad[] = {"",	"x",	"1-",	"-1",  "3-1",
					  "1,", "1,,2", "1024", "1 2", "0-1x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ASSERT_EQ(host_parse_cpuset(bad[i], b), -EINVAL);
}

static char *write_tmp(const char *text)
{
	char *path = strdup("/tmp/berth-test-online-XXXXXX");
	int fd = mkstemp(path);

	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(write(fd, text, strlen(text)), (ssize_t) strlen(text));
	close(fd);
	return path;
}

static int check(struct container_config *c, const struct host_facts *h, char ***w,
		 const char *want_msg)
{
	struct berr *err = NULL;
	int r = host_check_config(c, h, w, &err);

	if (want_msg) {
		ASSERT_EQ(r, -EINVAL);
		ASSERT_STREQ(err->msg, want_msg);
	}
	berr_free(err);
	return r;
}

static void test_check_config(void)
{
	char *cpus = write_tmp("0-1\n"), *mems = write_tmp("0\n"), **w = NULL;
	struct host_facts h = {
		.ncpu = 2, .cpus_online = cpus, .mems_online = mems, .blkio_weight = false};
	struct container_config c = {.nano_cpus = 2000000000LL, .blkio_weight = 300};

	ASSERT_OK(check(&c, &h, &w, NULL));
	ASSERT_EQ(c.blkio_weight, 0);
	ASSERT_EQ(strv_length(w), 1);
	ASSERT_CONTAINS(w[0], "Weight discarded");
	strv_free(w);
	c.blkio_weight = 300;
	h.blkio_weight = true;
	ASSERT_OK(check(&c, &h, &w, NULL));
	ASSERT_EQ(c.blkio_weight, 300);
	ASSERT_NULL(w);
	c.nano_cpus = 2000000001LL;
	check(&c, &h, &w, "Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available");
	c.nano_cpus = 0;
	c.cpuset_cpus = (char *) "5";
	check(&c, &h, &w, "Requested CPUs are not available - requested 5, available: 0-1");
	c.cpuset_cpus = (char *) "x";
	check(&c, &h, &w, "Invalid value x for cpuset cpus: invalid format: x");
	c.cpuset_cpus = (char *) "1";
	c.cpuset_mems = (char *) "0-1";
	check(&c, &h, &w, "Requested memory nodes are not available - requested 0-1, available: 0");
	c.cpuset_mems = (char *) "0";
	ASSERT_OK(check(&c, &h, &w, NULL));
	unlink(cpus);
	unlink(mems);
	free(cpus);
	free(mems);
}

static void test_oom_kill_disable(void)
{
	struct host_facts h = {.ncpu = 2, .oom_kill_disable = true};
	struct container_config c = {.oom_kill_disable = true, .memory = 64 << 20};
	char **w = NULL;

	ASSERT_OK(check(&c, &h, &w, NULL));
	ASSERT_NULL(w);
	ASSERT_TRUE(c.oom_kill_disable);
	c.memory = 0;
	ASSERT_OK(check(&c, &h, &w, NULL));
	ASSERT_EQ(strv_length(w), 1);
	ASSERT_CONTAINS(w[0], "OOM killer is disabled for the container, but no memory limit");
	w = strv_free(w);
	h.oom_kill_disable = false; /* cgroup v2 */
	ASSERT_OK(check(&c, &h, &w, NULL));
	ASSERT_FALSE(c.oom_kill_disable);
	ASSERT_EQ(strv_length(w), 1);
	ASSERT_STREQ(w[0],
		     "Your kernel does not support OomKillDisable. OomKillDisable discarded.");
	strv_free(w);
}

static int platform(const char *machine, const char *p, const char *want_msg)
{
	struct host_facts h = {0};
	struct berr *err = NULL;
	int r;

	snprintf(h.machine, sizeof(h.machine), "%s", machine);
	r = host_check_platform(p, &h, &err);
	if (want_msg) {
		ASSERT_EQ(r, -EINVAL);
		ASSERT_CONTAINS(err->msg, want_msg);
	}
	berr_free(err);
	return r;
}

static void test_platform(void)
{
	static const char *const x86_ok[] = {"linux",	     "linux/amd64",    "Linux/AMD64",
					     "linux/x86_64", "linux/amd64/v2", "linux/amd64/v4"};

	for (size_t i = 0; i < sizeof(x86_ok) / sizeof(*x86_ok); i++)
		ASSERT_OK(platform("x86_64", x86_ok[i], NULL));
	ASSERT_OK(platform("aarch64", "linux/arm64/v8", NULL));
	ASSERT_OK(platform("aarch64", "linux/aarch64", NULL));
	platform("x86_64", "linux/arm64",
		 "platform \"linux/arm64\" is not supported: berth runs containers of this "
		 "host's platform only (linux/amd64)");
	platform("aarch64", "linux/amd64", "only (linux/arm64)");
	platform("x86_64", "windows/amd64", "is not supported");
	platform("x86_64", "linux/amd64/v9", "is not supported");
	platform("x86_64", "linux/arm", "is not supported");
	platform("x86_64", "linux/a/b/c",
		 "\"linux/a/b/c\": unknown operating system or architecture: invalid argument");
	platform("x86_64", "", "unknown operating system or architecture");
	platform("x86_64", "/", "unknown operating system or architecture");
}

static const struct test tests[] = {
	TEST(test_parse_cpuset),
	TEST(test_check_config),
	TEST(test_oom_kill_disable),
	TEST(test_platform),
	{},
};

int main(void)
{
	return test_main(tests);
}
