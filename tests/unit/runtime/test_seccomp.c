/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/test.h"
#include "runtime/config/oci_config.h"
#include "runtime/security/seccomp.h"
#include "runtime/security/seccomp_enosys.h"

#define CONFIG                                                                                     \
	"{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"},"                            \
	" \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"]},"                                      \
	" \"linux\": {\"seccomp\": %s}}"

static int parse(const char *seccomp, struct spec **ret, struct berr **err)
{
	char buf[8192];

	snprintf(buf, sizeof(buf), CONFIG, seccomp);
	return oci_config_parse(buf, strlen(buf), ret, err);
}

#define EXPECT_ERR(json, want)                                                                     \
	do {                                                                                       \
		struct spec *_s = NULL;                                                            \
		struct berr *_e = NULL;                                                            \
		ASSERT_TRUE(parse(json, &_s, &_e) < 0);                                            \
		ASSERT_NULL(_s);                                                                   \
		ASSERT_STREQ(_e->msg, want);                                                       \
		berr_clear(&_e);                                                                   \
	} while (0)

static void test_names(void)
{
	ASSERT_EQ(seccomp_action_from_name("SCMP_ACT_ERRNO"), SECCOMP_ACT_ERRNO);
	ASSERT_EQ(seccomp_action_from_name("SCMP_ACT_KILL_PROCESS"), SECCOMP_ACT_KILL_PROCESS);
	ASSERT_EQ(seccomp_action_from_name("SCMP_ACT_NOTIFY"), SECCOMP_ACT_NOTIFY);
	ASSERT_EQ(seccomp_action_from_name("scmp_act_errno"), -EINVAL);
	ASSERT_EQ(seccomp_op_from_name("SCMP_CMP_MASKED_EQ"), SECCOMP_OP_MASKED_EQ);
	ASSERT_EQ(seccomp_op_from_name("SCMP_CMP_XX"), -EINVAL);
	ASSERT_EQ(seccomp_arch_from_name("SCMP_ARCH_X86_64"), SECCOMP_ARCH_X86_64);
	ASSERT_EQ(seccomp_arch_from_name("SCMP_ARCH_SHEB"), SECCOMP_ARCH_SHEB);
	ASSERT_EQ(seccomp_arch_from_name("x86_64"), -EINVAL);
	ASSERT_EQ(seccomp_flag_from_name("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
		  SECCOMP_FLAG_WAIT_KILLABLE_RECV);
	ASSERT_EQ(seccomp_flag_from_name("SECCOMP_FILTER_FLAG_NEW_LISTENER"), -EINVAL);
	ASSERT_STREQ(seccomp_action_name(SECCOMP_ACT_TRACE), "SCMP_ACT_TRACE");
}

static void test_parse_every_field(void)
{
	_cleanup_spec_ struct spec *s = NULL;
	struct berr *err = NULL;
	const struct spec_seccomp *sc;

	ASSERT_OK(parse(
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
		" \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\"],"
		" \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],"
		" \"listenerPath\": \"/run/l.sock\", \"listenerMetadata\": \"m\","
		" \"syscalls\": [{\"names\": [\"read\", \"write\"], \"action\": "
		"\"SCMP_ACT_ALLOW\"},"
		" {\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 18,"
		"  \"args\": [{\"index\": 1, \"value\": 9, \"op\": \"SCMP_CMP_EQ\"},"
		"            {\"index\": 0, \"value\": 255, \"valueTwo\": 1, \"op\": "
		"\"SCMP_CMP_MASKED_EQ\"}]},"
		" {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}",
		&s, &err));
	sc = &s->linux.seccomp;
	ASSERT_TRUE(sc->set);
	ASSERT_EQ(sc->default_action, SECCOMP_ACT_ERRNO);
	ASSERT_TRUE(sc->default_errno_ret.set);
	ASSERT_EQ(sc->default_errno_ret.v, 38);
	ASSERT_EQ(sc->n_architectures, 2);
	ASSERT_EQ(sc->architectures[1], SECCOMP_ARCH_X86);
	ASSERT_EQ(sc->flags, (1u << SECCOMP_FLAG_LOG) | (1u << SECCOMP_FLAG_SPEC_ALLOW));
	ASSERT_STREQ(sc->listener_path, "/run/l.sock");
	ASSERT_STREQ(sc->listener_metadata, "m");
	ASSERT_TRUE(sc->uses_notify);
	ASSERT_EQ(sc->n_syscalls, 3);
	ASSERT_STREQ(sc->syscalls[0].names[1], "write");
	ASSERT_FALSE(sc->syscalls[0].errno_ret.set);
	ASSERT_EQ(sc->syscalls[1].errno_ret.v, 18);
	ASSERT_EQ(sc->syscalls[1].n_args, 2);
	ASSERT_EQ(sc->syscalls[1].args[1].index, 0);
	ASSERT_EQ(sc->syscalls[1].args[1].value, 255);
	ASSERT_EQ(sc->syscalls[1].args[1].value_two, 1);
	ASSERT_EQ(sc->syscalls[1].args[1].op, SECCOMP_OP_MASKED_EQ);
	ASSERT_EQ(sc->syscalls[2].action, SECCOMP_ACT_NOTIFY);
}

static void test_parse_errors(void)
{
	EXPECT_ERR("[]", "config.json: linux.seccomp: must be an object");
	EXPECT_ERR("{}", "config.json: linux.seccomp.defaultAction: must be given");
	EXPECT_ERR("{\"defaultAction\": \"SCMP_ACT_NOPE\"}",
		   "config.json: linux.seccomp.defaultAction: unknown action 'SCMP_ACT_NOPE'");
	EXPECT_ERR("{\"defaultAction\": \"SCMP_ACT_KILL\", \"defaultErrnoRet\": 1}",
		   "config.json: linux.seccomp.defaultErrnoRet: only SCMP_ACT_ERRNO and "
		   "SCMP_ACT_TRACE take an errno, not SCMP_ACT_KILL");
	EXPECT_ERR("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 70000}",
		   "config.json: linux.seccomp.defaultErrnoRet: must be an integer between 0 and "
		   "65535");
	EXPECT_ERR("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"x86\"]}",
		   "config.json: linux.seccomp.architectures[0]: unknown architecture 'x86'");
	EXPECT_ERR("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"NOPE\"]}",
		   "config.json: linux.seccomp.flags[0]: unknown flag 'NOPE'");
	EXPECT_ERR("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"action\": "
		   "\"SCMP_ACT_ERRNO\"}]}",
		   "config.json: linux.seccomp.syscalls[0].names: must be given");
	EXPECT_ERR("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [], "
		   "\"action\": \"SCMP_ACT_ERRNO\"}]}",
		   "config.json: linux.seccomp.syscalls[0].names: must name at least one syscall");
	EXPECT_ERR("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"\"], "
		   "\"action\": \"SCMP_ACT_ERRNO\"}]}",
		   "config.json: linux.seccomp.syscalls[0].names[0]: must be a syscall name");
	EXPECT_ERR("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], "
		   "\"action\": \"SCMP_ACT_LOG\", \"errnoRet\": 1}]}",
		   "config.json: linux.seccomp.syscalls[0].errnoRet: only SCMP_ACT_ERRNO and "
		   "SCMP_ACT_TRACE take an errno, not SCMP_ACT_LOG");
	EXPECT_ERR("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], "
		   "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"op\": "
		   "\"SCMP_CMP_EQ\"}]}]}",
		   "config.json: linux.seccomp.syscalls[0].args[0]: value: must be given");
	EXPECT_ERR("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], "
		   "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": 1, "
		   "\"op\": \"SCMP_CMP_XX\"}]}]}",
		   "config.json: linux.seccomp.syscalls[0].args[0].op: unknown operator "
		   "'SCMP_CMP_XX'");
	EXPECT_ERR("{\"defaultAction\": \"SCMP_ACT_NOTIFY\", \"listenerPath\": \"/x\"}",
		   "config.json: linux.seccomp: defaultAction: SCMP_ACT_NOTIFY would stop the "
		   "container before the runtime could hand the listener its fd");
	EXPECT_ERR("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], "
		   "\"action\": \"SCMP_ACT_NOTIFY\"}]}",
		   "config.json: linux.seccomp: SCMP_ACT_NOTIFY needs listenerPath");
	EXPECT_ERR("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/x\", "
		   "\"syscalls\": [{\"names\": [\"sendmsg\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}",
		   "config.json: linux.seccomp: syscalls[0]: SCMP_ACT_NOTIFY on sendmsg would "
		   "stop the runtime before it hands the listener its fd");
	EXPECT_ERR("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerMetadata\": \"x\"}",
		   "config.json: linux.seccomp: listenerMetadata: needs listenerPath");
}

static struct spec *parse_ok(const char *json)
{
	struct spec *s = NULL;
	struct berr *err = NULL;

	if (parse(json, &s, &err) < 0) {
		printf("# %s\n", err->msg);
		berr_clear(&err);
	}
	return s;
}

#define DENY_GETPPID                                                                               \
	"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getppid\", "        \
	"\"no_such_syscall\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 18}]}"

static void test_compile_skips_unknown_names(void)
{
	_cleanup_spec_ struct spec *s = parse_ok(DENY_GETPPID);
	struct seccomp_program p;
	struct berr *err = NULL;

	ASSERT_NOT_NULL(s);
	ASSERT_OK(seccomp_compile(&s->linux.seccomp, &p, &err));
	ASSERT_NOT_NULL(p.insns);
	ASSERT_TRUE(p.n_insns > 3 && p.n_insns <= SECCOMP_MAX_INSNS);
	ASSERT_EQ(p.flags, 0);
	ASSERT_FALSE(p.notify);
	seccomp_program_done(&p);
	ASSERT_NULL(p.insns);
}

static void test_flags_of_the_program(void)
{
	_cleanup_spec_ struct spec *s = parse_ok(
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/x\", \"flags\": "
		"[\"SECCOMP_FILTER_FLAG_TSYNC\", \"SECCOMP_FILTER_FLAG_LOG\", "
		"\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"], \"syscalls\": [{\"names\": "
		"[\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}");
	struct seccomp_program p = {0};

	ASSERT_NOT_NULL(s);
	seccomp_program_set_flags(&s->linux.seccomp, &p);
	/* TSYNC dropped; the listener and its killable wait added. */
	ASSERT_EQ(p.flags, SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_NEW_LISTENER | (1UL << 5));
	ASSERT_TRUE(p.notify);
	s->linux.seccomp.uses_notify = false;
	seccomp_program_set_flags(&s->linux.seccomp, &p);
	ASSERT_EQ(p.flags, SECCOMP_FILTER_FLAG_LOG);
}

/* errno of syscall nr in a child under p (0: it succeeded); -1 when the child failed. */
static int errno_under(const struct seccomp_program *p, long nr)
{
	int status, fd;
	pid_t pid = fork();

	if (pid == 0) {
		struct berr *err = NULL;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_install(p, &fd, &err) < 0)
			_exit(100);
		/* exit_group itself: ASan's _exit would run LeakSanitizer, which the filter denies. */
		syscall(SYS_exit_group, syscall(nr, 0, 0, 0) < 0 ? errno : 0);
		_exit(101);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void test_install_applies_the_filter(void)
{
	_cleanup_spec_ struct spec *s = parse_ok(DENY_GETPPID);
	struct seccomp_program p;
	struct berr *err = NULL;
	int fd = 5;

	ASSERT_NOT_NULL(s);
	ASSERT_OK(seccomp_compile(&s->linux.seccomp, &p, &err));
	ASSERT_EQ(errno_under(&p, SYS_getppid), EXDEV);
	seccomp_program_done(&p);
	/* An empty program installs nothing. */
	ASSERT_OK(seccomp_install(&p, &fd, &err));
	ASSERT_EQ(fd, -1);
}

/* The child compiles the same program as the process would, and its errors come back whole. */
static void test_bounded_compile_matches_and_reports(void)
{
	_cleanup_spec_ struct spec *s = parse_ok(DENY_GETPPID);
	struct seccomp_program a, b;
	struct berr *err = NULL;

	ASSERT_NOT_NULL(s);
	ASSERT_OK(seccomp_compile(&s->linux.seccomp, &a, &err));
	ASSERT_OK(seccomp_compile_bounded(&s->linux.seccomp, &b, &err));
	ASSERT_EQ(a.n_insns, b.n_insns);
	ASSERT_TRUE(memcmp(a.insns, b.insns, a.n_insns * sizeof(*a.insns)) == 0);
	ASSERT_EQ(a.flags, b.flags);
	ASSERT_EQ(errno_under(&b, SYS_getppid), EXDEV);
	seccomp_program_done(&a);
	seccomp_program_done(&b);
	/* What libseccomp refuses in the child (another endianness) comes back with its text. */
	{
		_cleanup_spec_ struct spec *be =
			parse_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "
				 "[\"SCMP_ARCH_S390X\"], \"syscalls\": []}");

		ASSERT_NOT_NULL(be);
		ASSERT_EQ(seccomp_compile_bounded(&be->linux.seccomp, &b, &err), -EDOM);
		ASSERT_NOT_NULL(err);
		ASSERT_STREQ(err->msg, "architectures[0]: adding 'SCMP_ARCH_S390X': numerical "
				       "argument out of domain");
		berr_clear(&err);
	}
	ASSERT_NULL(b.insns);
}

static void test_cache_key_is_exact(void)
{
	_cleanup_spec_ struct spec *a = parse_ok(DENY_GETPPID);
	_cleanup_spec_ struct spec *b = parse_ok(DENY_GETPPID);
	_cleanup_free_ char *ka = NULL, *kb = NULL, *kc = NULL;

	ASSERT_NOT_NULL(a);
	ASSERT_NOT_NULL(b);
	ka = seccomp_cache_key(&a->linux.seccomp);
	kb = seccomp_cache_key(&b->linux.seccomp);
	ASSERT_STREQ(ka, kb);
	/* A name that embeds the text around it must not produce the same key. */
	free(b->linux.seccomp.syscalls[0].names[0]);
	b->linux.seccomp.syscalls[0].names[0] = strdup("getppid 15:no_such_syscall");
	free(b->linux.seccomp.syscalls[0].names[1]);
	b->linux.seccomp.syscalls[0].names[1] = NULL;
	kc = seccomp_cache_key(&b->linux.seccomp);
	ASSERT_TRUE(strcmp(ka, kc) != 0);
}

static int count_entries(const char *dir)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += strstr(de->d_name, ".bpf") != NULL;
	return n;
}

static void test_cache_hit_miss_and_tamper(void)
{
	char dir[] = "/tmp/berth-test-seccomp-XXXXXX", path[512];
	_cleanup_spec_ struct spec *s = parse_ok(DENY_GETPPID);
	_cleanup_close_ int dfd = -1;
	struct seccomp_program p1, p2, p3;
	struct berr *err = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	ASSERT_NOT_NULL(s);
	ASSERT_NOT_NULL(mkdtemp(dir));
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ASSERT_TRUE(dfd >= 0);
	ASSERT_OK(seccomp_prepare(&s->linux.seccomp, dfd, &p1, &err)); /* miss: compiles */
	ASSERT_EQ(count_entries(dir), 1);
	ASSERT_OK(seccomp_prepare(&s->linux.seccomp, dfd, &p2, &err)); /* hit */
	ASSERT_EQ(p1.n_insns, p2.n_insns);
	ASSERT_TRUE(memcmp(p1.insns, p2.insns, p1.n_insns * sizeof(struct sock_filter)) == 0);
	ASSERT_EQ(errno_under(&p2, SYS_getppid), EXDEV);
	/* A damaged entry is a miss, recompiled and rewritten. */
	d = opendir(dir);
	while ((de = readdir(d)))
		if (strstr(de->d_name, ".bpf"))
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
	ASSERT_OK(truncate(path, 20));
	ASSERT_OK(seccomp_prepare(&s->linux.seccomp, dfd, &p3, &err));
	ASSERT_EQ(p3.n_insns, p1.n_insns);
	seccomp_program_done(&p1);
	seccomp_program_done(&p2);
	seccomp_program_done(&p3);
	(void) unlink(path);
	ASSERT_OK(rmdir(dir));
}

/* Deny by default, allow exit_group (231) and getppid (110): the stub's bound is 231. */
#define DENY_BY_DEFAULT                                                                            \
	"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"getppid\", "        \
	"\"exit_group\", \"no_such_syscall\"], \"action\": \"SCMP_ACT_ALLOW\"}]}"

static void test_enosys_stub(void)
{
	_cleanup_spec_ struct spec *s = parse_ok(DENY_BY_DEFAULT);
	_cleanup_spec_ struct spec *allow = parse_ok(DENY_GETPPID);
	struct seccomp_program p, plain;
	struct sock_filter stub[SECCOMP_ENOSYS_STUB_MAX];
	struct berr *err = NULL;

	ASSERT_NOT_NULL(s);
	ASSERT_NOT_NULL(allow);
	ASSERT_EQ(seccomp_enosys_max(&s->linux.seccomp), SYS_exit_group);
	ASSERT_EQ(seccomp_enosys_max(&allow->linux.seccomp), -1);
	/* Every jump of the stub lands inside it or on the filter's first instruction. */
	for (int arch = 0; arch < 2; arch++) {
		uint32_t a = arch ? 0xc000003e /* x86_64 */ : 0x40000003 /* i386 */;
		size_t n = seccomp_enosys_stub(a, 300, stub);

		ASSERT_TRUE(n <= SECCOMP_ENOSYS_STUB_MAX);
		for (size_t i = 0; i < n; i++) {
			if (BPF_CLASS(stub[i].code) != BPF_JMP)
				continue;
			ASSERT_TRUE(i + 1 + stub[i].jt <= n && i + 1 + stub[i].jf <= n);
		}
		ASSERT_EQ(stub[n - 1].k, SECCOMP_RET_ERRNO | ENOSYS);
	}
	ASSERT_OK(seccomp_compile(&s->linux.seccomp, &p, &err));
	ASSERT_OK(seccomp_compile_bounded(&s->linux.seccomp, &plain, &err));
	ASSERT_EQ(p.n_insns, plain.n_insns);
	ASSERT_EQ(errno_under(&p, SYS_getppid), 0);
	ASSERT_EQ(errno_under(&p, SYS_getuid), EPERM);
	ASSERT_EQ(errno_under(&p, 1000), ENOSYS);
	ASSERT_EQ(errno_under(&p, SYS_exit_group + 1), ENOSYS);
	seccomp_program_done(&p);
	seccomp_program_done(&plain);
}

static const struct test tests[] = {
	TEST(test_names),
	TEST(test_parse_every_field),
	TEST(test_parse_errors),
	TEST(test_compile_skips_unknown_names),
	TEST(test_flags_of_the_program),
	TEST(test_install_applies_the_filter),
	TEST(test_bounded_compile_matches_and_reports),
	TEST(test_cache_key_is_exact),
	TEST(test_cache_hit_miss_and_tamper),
	TEST(test_enosys_stub),
	{0},
};

int main(void)
{
	return test_main(tests);
}
