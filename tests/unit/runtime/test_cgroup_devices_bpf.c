/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The eBPF device filter: each generated program runs through a small interpreter and
 * must agree with the rules' meaning (per access, the last matching rule decides) for
 * every request; it must have no unreachable instruction (the verifier refuses those);
 * and, as root, the kernel's verifier must accept it.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/test.h"
#include "runtime/cgroup/cgroup_devices.h"
#include "runtime/cgroup/cgroup_devices_bpf.h"

struct request {
	char type; /* 'c' or 'b' */
	uint32_t major, minor;
	unsigned access; /* BPF_DEVCG_ACC_* bits */
};

/* The meaning of the rules, written plainly. */
static bool reference(const struct spec_device_rule *r, size_t n, const struct request *q)
{
	static const struct {
		unsigned bit;
		char letter;
	} acc[] = {
		{BPF_DEVCG_ACC_MKNOD, 'm'}, {BPF_DEVCG_ACC_READ, 'r'}, {BPF_DEVCG_ACC_WRITE, 'w'}};

	for (size_t a = 0; a < 3; a++) {
		bool allowed = false;

		if (!(q->access & acc[a].bit))
			continue;
		for (size_t i = n; i-- > 0;) {
			if (!strchr(r[i].access, acc[a].letter) ||
			    (r[i].type != 'a' && r[i].type != q->type) ||
			    (r[i].major >= 0 && r[i].major != q->major) ||
			    (r[i].minor >= 0 && r[i].minor != q->minor))
				continue;
			allowed = r[i].allow;
			break;
		}
		if (!allowed)
			return false;
	}
	return true;
}

/* Every instruction must be reachable from the first, and every jump land inside. */
static void check_reachable(const struct bpf_insn *p, size_t n)
{
	bool *seen = calloc(n, 1);
	size_t *todo = calloc(2 * n + 1, sizeof(size_t)), top = 0;

	ASSERT_TRUE(seen && todo);
	todo[top++] = 0;
	while (top) {
		size_t pc = todo[--top];
		uint8_t cls, op;

		ASSERT_TRUE(pc < n);
		if (seen[pc])
			continue;
		seen[pc] = true;
		cls = BPF_CLASS(p[pc].code);
		op = BPF_OP(p[pc].code);
		if (cls == BPF_JMP && op == BPF_EXIT)
			continue;
		if (cls == BPF_JMP) {
			ASSERT_TRUE((long) pc + 1 + p[pc].off >= 0);
			todo[top++] = pc + 1 + (size_t) (long) p[pc].off;
			if (op == BPF_JA)
				continue;
		}
		todo[top++] = pc + 1;
	}
	for (size_t i = 0; i < n; i++)
		if (!seen[i])
			TEST_FAIL("instruction %zu of %zu is unreachable", i, n);
	free(seen);
	free(todo);
}

/* The instructions the generator uses, with the cgroup-device context in r1. */
static int interpret(const struct bpf_insn *p, size_t n, const struct request *q)
{
	uint32_t ctx[3] = {(q->access << 16) |
				   (q->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK),
			   q->major, q->minor};
	uint64_t reg[11] = {0};
	bool r1_is_ctx = true;

	for (size_t pc = 0, steps = 0; pc < n && steps < 1000000; steps++) {
		const struct bpf_insn *i = &p[pc++];
		uint64_t imm = (uint64_t) (int64_t) i->imm;

		switch (BPF_CLASS(i->code)) {
		case BPF_LDX:
			ASSERT_TRUE(i->src_reg == 1 && r1_is_ctx && i->off % 4 == 0 && i->off < 12);
			reg[i->dst_reg] = ctx[i->off / 4];
			break;
		case BPF_ALU:
			if (BPF_OP(i->code) == BPF_AND)
				reg[i->dst_reg] = (uint32_t) (reg[i->dst_reg] & imm);
			else if (BPF_OP(i->code) == BPF_RSH)
				reg[i->dst_reg] = (uint32_t) reg[i->dst_reg] >> i->imm;
			else
				TEST_FAIL("unexpected ALU op 0x%x", i->code);
			break;
		case BPF_ALU64:
			ASSERT_EQ(BPF_OP(i->code), BPF_MOV);
			reg[i->dst_reg] = BPF_SRC(i->code) == BPF_X ? reg[i->src_reg] : imm;
			break;
		case BPF_JMP:
			switch (BPF_OP(i->code)) {
			case BPF_EXIT:
				return (int) reg[0];
			case BPF_JA:
				pc += (size_t) (long) i->off;
				break;
			case BPF_JNE:
				if (reg[i->dst_reg] != imm)
					pc += (size_t) (long) i->off;
				break;
			case BPF_JSET:
				if (reg[i->dst_reg] & imm)
					pc += (size_t) (long) i->off;
				break;
			default:
				TEST_FAIL("unexpected jump 0x%x", i->code);
			}
			break;
		default:
			TEST_FAIL("unexpected instruction 0x%x", i->code);
		}
		if (i->dst_reg == 1 && BPF_CLASS(i->code) != BPF_JMP)
			r1_is_ctx = false;
	}
	TEST_FAIL("the program ran off its end");
	return -1;
}

/* Every request over a small domain gets the reference's verdict. */
static void check_rules(const struct spec_device_rule *r, size_t n)
{
	static const uint32_t majors[] = {1, 5, 8, 136}, minors[] = {0, 1, 3, 7};
	struct bpf_insn *prog = NULL;
	size_t len = 0;

	ASSERT_OK(cgroup_bpf_devices_program(r, n, &prog, &len));
	check_reachable(prog, len);
	for (int t = 0; t < 2; t++)
		for (size_t a = 0; a < 4; a++)
			for (size_t b = 0; b < 4; b++)
				for (unsigned acc = 1; acc < 8; acc++) {
					struct request q = {t ? 'c' : 'b', majors[a], minors[b],
							    acc};

					if (interpret(prog, len, &q) != reference(r, n, &q))
						TEST_FAIL("%c %u:%u access %u: program says %d",
							  q.type, q.major, q.minor, acc,
							  interpret(prog, len, &q));
				}
	free(prog);
}

static void test_no_rules_denies_everything(void)
{
	struct bpf_insn *prog = NULL;
	size_t len = 0;
	struct request q = {'c', 1, 3, BPF_DEVCG_ACC_READ};

	ASSERT_OK(cgroup_bpf_devices_program(NULL, 0, &prog, &len));
	check_reachable(prog, len);
	ASSERT_EQ(interpret(prog, len, &q), 0);
	free(prog);
	check_rules(NULL, 0);
}

static void test_deny_all_then_allow(void)
{
	const struct spec_device_rule r[] = {
		{false, 'a', -1, -1, "rwm"},
		{true, 'c', 1, 3, "rw"},
		{true, 'c', 136, -1, "rwm"},
		{true, 'b', 8, 0, "r"},
	};

	check_rules(r, ELEMENTSOF(r));
}

static void test_allow_all_then_deny(void)
{
	const struct spec_device_rule r[] = {
		{true, 'a', -1, -1, "rwm"},
		{false, 'c', 1, -1, "w"},
		{false, 'b', -1, 7, "rwm"},
	};

	check_rules(r, ELEMENTSOF(r));
}

static void test_access_merges_and_partial_denies(void)
{
	const struct spec_device_rule r[] = {
		{true, 'c', 1, 3, "r"},	    {true, 'c', 1, 3, "w"},	 {false, 'c', 1, 3, "w"},
		{true, 'c', -1, -1, "m"},   {false, 'a', -1, -1, "rwm"}, {true, 'b', 8, 1, "rwm"},
		{false, 'a', 5, -1, "rwm"}, {true, 'c', 5, 1, "rw"},
	};

	check_rules(r, ELEMENTSOF(r));
}

static void test_with_runc_defaults(void)
{
	const struct spec_device_rule user[] = {
		{false, 'a', -1, -1, "rwm"},
		{true, 'c', 240, 0, "r"},
		{false, 'c', 1, 3, "rwm"}, /* the defaults come after and win */
	};
	struct spec_device_rule *r = NULL;
	size_t n = 0;

	ASSERT_OK(cgroup_devices_rules(user, ELEMENTSOF(user), &r, &n));
	check_rules(r, n);
	free(r);
}

/* Random rule lists: the program always agrees with the reference. */
static void test_random_rules(void)
{
	static const int64_t majors[] = {-1, 1, 5, 136}, minors[] = {-1, 0, 3, 7};
	static const char *const accs[] = {"r", "w", "m", "rw", "rm", "wm", "rwm"};
	struct spec_device_rule r[12];

	srand(4242);
	for (int round = 0; round < 300; round++) {
		size_t n = (size_t) (rand() % 12);

		for (size_t i = 0; i < n; i++) {
			r[i].allow = rand() % 2;
			r[i].type = "acb"[rand() % 3];
			r[i].major = majors[rand() % 4];
			r[i].minor = minors[rand() % 4];
			strcpy(r[i].access, accs[rand() % 7]);
		}
		check_rules(r, n);
	}
}

/* As root: the kernel's verifier takes the program (needs CAP_BPF or CAP_SYS_ADMIN). */
static void test_kernel_accepts_it(void)
{
	const struct spec_device_rule user[] = {{false, 'a', -1, -1, "rwm"},
						{true, 'b', 8, -1, "r"}};
	struct spec_device_rule *r = NULL;
	struct bpf_insn *prog = NULL;
	union bpf_attr attr;
	size_t n = 0, len = 0;
	char log[4096] = "";
	int fd;

	if (geteuid() != 0)
		TEST_SKIP("loading a BPF program needs root");
	ASSERT_OK(cgroup_devices_rules(user, ELEMENTSOF(user), &r, &n));
	ASSERT_OK(cgroup_bpf_devices_program(r, n, &prog, &len));
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t) (uintptr_t) prog;
	attr.insn_cnt = (uint32_t) len;
	attr.license = (uint64_t) (uintptr_t) "Apache-2.0";
	fd = (int) syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0) {
		attr.log_level = 1;
		attr.log_buf = (uint64_t) (uintptr_t) log;
		attr.log_size = sizeof(log);
		fd = (int) syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	}
	if (fd < 0)
		TEST_FAIL("BPF_PROG_LOAD: %s: %s", strerror(errno), log);
	close(fd);
	free(prog);
	free(r);
}

static const struct test tests[] = {
	TEST(test_no_rules_denies_everything), TEST(test_deny_all_then_allow),
	TEST(test_allow_all_then_deny),	       TEST(test_access_merges_and_partial_denies),
	TEST(test_with_runc_defaults),	       TEST(test_random_rules),
	TEST(test_kernel_accepts_it),	       {NULL, NULL},
};

int main(void)
{
	return test_main(tests);
}
