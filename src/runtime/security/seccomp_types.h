/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seccomp vocabulary shared by seccomp.c (the config's names, compiling) and
 * seccomp_enosys.c (the ENOSYS stub): actions, operators, architectures, flags, limits,
 * and a compiled program.
 */
#ifndef BERTH_RUNTIME_SECCOMP_TYPES_H
#define BERTH_RUNTIME_SECCOMP_TYPES_H

#include <stdbool.h>
#include <stddef.h>

struct sock_filter;

enum seccomp_action {
	SECCOMP_ACT_KILL, /* libseccomp's SCMP_ACT_KILL: kill the thread */
	SECCOMP_ACT_KILL_PROCESS,
	SECCOMP_ACT_KILL_THREAD,
	SECCOMP_ACT_TRAP,
	SECCOMP_ACT_ERRNO,
	SECCOMP_ACT_TRACE,
	SECCOMP_ACT_ALLOW,
	SECCOMP_ACT_LOG,
	SECCOMP_ACT_NOTIFY,
	_SECCOMP_ACT_MAX,
};

enum seccomp_op {
	SECCOMP_OP_NE,
	SECCOMP_OP_LT,
	SECCOMP_OP_LE,
	SECCOMP_OP_EQ,
	SECCOMP_OP_GE,
	SECCOMP_OP_GT,
	SECCOMP_OP_MASKED_EQ,
	_SECCOMP_OP_MAX,
};

enum seccomp_arch {
	SECCOMP_ARCH_X86,
	SECCOMP_ARCH_X86_64,
	SECCOMP_ARCH_X32,
	SECCOMP_ARCH_ARM,
	SECCOMP_ARCH_AARCH64,
	SECCOMP_ARCH_MIPS,
	SECCOMP_ARCH_MIPS64,
	SECCOMP_ARCH_MIPS64N32,
	SECCOMP_ARCH_MIPSEL,
	SECCOMP_ARCH_MIPSEL64,
	SECCOMP_ARCH_MIPSEL64N32,
	SECCOMP_ARCH_PPC,
	SECCOMP_ARCH_PPC64,
	SECCOMP_ARCH_PPC64LE,
	SECCOMP_ARCH_S390,
	SECCOMP_ARCH_S390X,
	SECCOMP_ARCH_PARISC,
	SECCOMP_ARCH_PARISC64,
	SECCOMP_ARCH_RISCV64,
	SECCOMP_ARCH_LOONGARCH64,
	SECCOMP_ARCH_M68K,
	SECCOMP_ARCH_SH,
	SECCOMP_ARCH_SHEB,
	_SECCOMP_ARCH_MAX,
};

/* config.json's flags, as bits (1u << enum seccomp_flag) in spec_seccomp.flags. */
enum seccomp_flag {
	SECCOMP_FLAG_TSYNC, /* accepted; meaningless for a single-threaded process */
	SECCOMP_FLAG_LOG,
	SECCOMP_FLAG_SPEC_ALLOW,
	SECCOMP_FLAG_WAIT_KILLABLE_RECV, /* only with a listener (the kernel's rule) */
	_SECCOMP_FLAG_MAX,
};

/* Largest errnoRet accepted: the 16 bits of SECCOMP_RET_DATA (the kernel clamps to 4095). */
#define SECCOMP_ERRNO_MAX 65535u
/* The kernel's limit on one filter (BPF_MAXINSNS). */
#define SECCOMP_MAX_INSNS 4096u

/* A compiled filter, ready for seccomp(SECCOMP_SET_MODE_FILTER). */
struct seccomp_program {
	struct sock_filter *insns; /* NULL: no filter */
	size_t n_insns;
	unsigned long flags; /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
	bool notify;	     /* some rule is SCMP_ACT_NOTIFY: load with a listener */
};

#endif
