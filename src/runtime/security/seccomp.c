/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.seccomp: names, compiling with libseccomp, installing the BPF.
 *
 * libseccomp only compiles here (seccomp_export_bpf); berth loads the program itself
 * with seccomp(2), so that the expensive part runs once in the parent before clone
 * (STYLE.md §8) and the container's process only makes one syscall for it.
 */
#include "runtime/security/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "runtime/config/oci_config.h"
#include "runtime/security/seccomp_enosys.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

static const char *const action_names[_SECCOMP_ACT_MAX] = {
	[SECCOMP_ACT_KILL] = "SCMP_ACT_KILL",
	[SECCOMP_ACT_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
	[SECCOMP_ACT_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
	[SECCOMP_ACT_TRAP] = "SCMP_ACT_TRAP",
	[SECCOMP_ACT_ERRNO] = "SCMP_ACT_ERRNO",
	[SECCOMP_ACT_TRACE] = "SCMP_ACT_TRACE",
	[SECCOMP_ACT_ALLOW] = "SCMP_ACT_ALLOW",
	[SECCOMP_ACT_LOG] = "SCMP_ACT_LOG",
	[SECCOMP_ACT_NOTIFY] = "SCMP_ACT_NOTIFY",
};

static const char *const op_names[_SECCOMP_OP_MAX] = {
	[SECCOMP_OP_NE] = "SCMP_CMP_NE",
	[SECCOMP_OP_LT] = "SCMP_CMP_LT",
	[SECCOMP_OP_LE] = "SCMP_CMP_LE",
	[SECCOMP_OP_EQ] = "SCMP_CMP_EQ",
	[SECCOMP_OP_GE] = "SCMP_CMP_GE",
	[SECCOMP_OP_GT] = "SCMP_CMP_GT",
	[SECCOMP_OP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

static const enum scmp_compare op_scmp[_SECCOMP_OP_MAX] = {
	[SECCOMP_OP_NE] = SCMP_CMP_NE,
	[SECCOMP_OP_LT] = SCMP_CMP_LT,
	[SECCOMP_OP_LE] = SCMP_CMP_LE,
	[SECCOMP_OP_EQ] = SCMP_CMP_EQ,
	[SECCOMP_OP_GE] = SCMP_CMP_GE,
	[SECCOMP_OP_GT] = SCMP_CMP_GT,
	[SECCOMP_OP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

/* config.json's name, and libseccomp's (for seccomp_arch_resolve_name). */
static const char *const arch_names[_SECCOMP_ARCH_MAX][2] = {
	[SECCOMP_ARCH_X86] = {"SCMP_ARCH_X86", "x86"},
	[SECCOMP_ARCH_X86_64] = {"SCMP_ARCH_X86_64", "x86_64"},
	[SECCOMP_ARCH_X32] = {"SCMP_ARCH_X32", "x32"},
	[SECCOMP_ARCH_ARM] = {"SCMP_ARCH_ARM", "arm"},
	[SECCOMP_ARCH_AARCH64] = {"SCMP_ARCH_AARCH64", "aarch64"},
	[SECCOMP_ARCH_MIPS] = {"SCMP_ARCH_MIPS", "mips"},
	[SECCOMP_ARCH_MIPS64] = {"SCMP_ARCH_MIPS64", "mips64"},
	[SECCOMP_ARCH_MIPS64N32] = {"SCMP_ARCH_MIPS64N32", "mips64n32"},
	[SECCOMP_ARCH_MIPSEL] = {"SCMP_ARCH_MIPSEL", "mipsel"},
	[SECCOMP_ARCH_MIPSEL64] = {"SCMP_ARCH_MIPSEL64", "mipsel64"},
	[SECCOMP_ARCH_MIPSEL64N32] = {"SCMP_ARCH_MIPSEL64N32", "mipsel64n32"},
	[SECCOMP_ARCH_PPC] = {"SCMP_ARCH_PPC", "ppc"},
	[SECCOMP_ARCH_PPC64] = {"SCMP_ARCH_PPC64", "ppc64"},
	[SECCOMP_ARCH_PPC64LE] = {"SCMP_ARCH_PPC64LE", "ppc64le"},
	[SECCOMP_ARCH_S390] = {"SCMP_ARCH_S390", "s390"},
	[SECCOMP_ARCH_S390X] = {"SCMP_ARCH_S390X", "s390x"},
	[SECCOMP_ARCH_PARISC] = {"SCMP_ARCH_PARISC", "parisc"},
	[SECCOMP_ARCH_PARISC64] = {"SCMP_ARCH_PARISC64", "parisc64"},
	[SECCOMP_ARCH_RISCV64] = {"SCMP_ARCH_RISCV64", "riscv64"},
	[SECCOMP_ARCH_LOONGARCH64] = {"SCMP_ARCH_LOONGARCH64", "loongarch64"},
	[SECCOMP_ARCH_M68K] = {"SCMP_ARCH_M68K", "m68k"},
	[SECCOMP_ARCH_SH] = {"SCMP_ARCH_SH", "sh"},
	[SECCOMP_ARCH_SHEB] = {"SCMP_ARCH_SHEB", "sheb"},
};

static const char *const flag_names[_SECCOMP_FLAG_MAX] = {
	[SECCOMP_FLAG_TSYNC] = "SECCOMP_FILTER_FLAG_TSYNC",
	[SECCOMP_FLAG_LOG] = "SECCOMP_FILTER_FLAG_LOG",
	[SECCOMP_FLAG_SPEC_ALLOW] = "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
	[SECCOMP_FLAG_WAIT_KILLABLE_RECV] = "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

static int lookup(const char *const *names, size_t n, size_t stride, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i * stride], name) == 0)
			return (int) i;
	return -EINVAL;
}

int seccomp_action_from_name(const char *name)
{
	return lookup(action_names, _SECCOMP_ACT_MAX, 1, name);
}

int seccomp_op_from_name(const char *name)
{
	return lookup(op_names, _SECCOMP_OP_MAX, 1, name);
}

int seccomp_arch_from_name(const char *name)
{
	return lookup(&arch_names[0][0], _SECCOMP_ARCH_MAX, 2, name);
}

int seccomp_flag_from_name(const char *name)
{
	return lookup(flag_names, _SECCOMP_FLAG_MAX, 1, name);
}

const char *seccomp_action_name(int action)
{
	return action >= 0 && action < _SECCOMP_ACT_MAX ? action_names[action] : "unknown";
}

const char *seccomp_op_name(int op)
{
	return op >= 0 && op < _SECCOMP_OP_MAX ? op_names[op] : "unknown";
}

const char *seccomp_arch_name(int arch)
{
	return arch >= 0 && arch < _SECCOMP_ARCH_MAX ? arch_names[arch][0] : "unknown";
}

const char *seccomp_flag_name(int flag)
{
	return flag >= 0 && flag < _SECCOMP_FLAG_MAX ? flag_names[flag] : "unknown";
}

bool seccomp_flag_supported(int flag)
{
	static const unsigned long kernel_flag[_SECCOMP_FLAG_MAX] = {
		[SECCOMP_FLAG_LOG] = SECCOMP_FILTER_FLAG_LOG,
		[SECCOMP_FLAG_SPEC_ALLOW] = SECCOMP_FILTER_FLAG_SPEC_ALLOW,
		/* The kernel takes it only with a listener, as berth passes it. */
		[SECCOMP_FLAG_WAIT_KILLABLE_RECV] =
			SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_NEW_LISTENER,
	};

	if (flag < 0 || flag >= _SECCOMP_FLAG_MAX)
		return false;
	if (flag == SECCOMP_FLAG_TSYNC)
		return true; /* never passed on: the process is single-threaded */
	/*
	 * A NULL program: a kernel that knows the flags gets as far as reading it and
	 * fails with EFAULT; one that does not fails with EINVAL first. Nothing is loaded.
	 */
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, kernel_flag[flag], NULL) < 0 &&
	       errno == EFAULT;
}

/* libseccomp's action value; ERRNO and TRACE carry errnoRet (EPERM when not given). */
static uint32_t scmp_action(int action, const struct opt_uint32 *errno_ret)
{
	uint32_t data = errno_ret->set ? errno_ret->v : EPERM;

	switch (action) {
	case SECCOMP_ACT_KILL:
		return SCMP_ACT_KILL;
	case SECCOMP_ACT_KILL_PROCESS:
		return SCMP_ACT_KILL_PROCESS;
	case SECCOMP_ACT_KILL_THREAD:
		return SCMP_ACT_KILL_THREAD;
	case SECCOMP_ACT_TRAP:
		return SCMP_ACT_TRAP;
	case SECCOMP_ACT_ERRNO:
		return SCMP_ACT_ERRNO(data);
	case SECCOMP_ACT_TRACE:
		return SCMP_ACT_TRACE(data);
	case SECCOMP_ACT_LOG:
		return SCMP_ACT_LOG;
	case SECCOMP_ACT_NOTIFY:
		return SCMP_ACT_NOTIFY;
	case SECCOMP_ACT_ALLOW:
	default:
		return SCMP_ACT_ALLOW;
	}
}

static void ctx_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

static int add_arches(scmp_filter_ctx ctx, const struct spec_seccomp *sc, struct berr **err)
{
	for (size_t i = 0; i < sc->n_architectures; i++) {
		uint32_t token = seccomp_arch_resolve_name(arch_names[sc->architectures[i]][1]);
		int r;

		/* Unknown to this libseccomp: it cannot be this machine's either. */
		if (token == 0)
			continue;
		r = seccomp_arch_add(ctx, token);
		if (r < 0 && r != -EEXIST)
			return berr_sys(err, -r, "architectures[%zu]: adding '%s'", i,
					arch_names[sc->architectures[i]][0]);
	}
	return 0;
}

static bool has_repeated_index(const struct spec_syscall *rule)
{
	unsigned seen = 0;

	for (size_t i = 0; i < rule->n_args; i++) {
		if (seen & (1u << rule->args[i].index))
			return true;
		seen |= 1u << rule->args[i].index;
	}
	return false;
}

/*
 * One syscall of a rule. Conditions on distinct arguments must all hold (one libseccomp
 * rule); when an argument index repeats, each condition is a rule of its own, so any
 * one of them matches, as runc does (libseccomp cannot AND two tests of one argument).
 */
static int add_syscall(scmp_filter_ctx ctx, uint32_t action, int nr,
		       const struct spec_syscall *rule)
{
	struct scmp_arg_cmp cmp[16];
	size_t n = rule->n_args < ELEMENTSOF(cmp) ? rule->n_args : ELEMENTSOF(cmp);
	int r;

	for (size_t i = 0; i < n; i++) {
		const struct spec_syscall_arg *a = &rule->args[i];

		cmp[i] = (struct scmp_arg_cmp){.arg = a->index,
					       .op = op_scmp[a->op],
					       .datum_a = a->value,
					       .datum_b = a->value_two};
	}
	if (n == 0 || !has_repeated_index(rule))
		return seccomp_rule_add_array(ctx, action, nr, (unsigned) n, cmp);
	for (size_t i = 0; i < n; i++) {
		r = seccomp_rule_add_array(ctx, action, nr, 1, &cmp[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_rules(scmp_filter_ctx ctx, const struct spec_seccomp *sc, uint32_t def,
		     struct berr **err)
{
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		const struct spec_syscall *rule = &sc->syscalls[i];
		uint32_t action = scmp_action(rule->action, &rule->errno_ret);

		/* libseccomp refuses a rule that repeats the default; it would change nothing. */
		if (action == def)
			continue;
		for (char **name = rule->names; name && *name; name++) {
			int nr = seccomp_syscall_resolve_name(*name), r;

			if (nr == __NR_SCMP_ERROR)
				continue; /* not a syscall of this architecture: skipped, as runc */
			r = add_syscall(ctx, action, nr, rule);
			if (r < 0)
				return berr_sys(err, -r, "syscalls[%zu]: adding a rule for '%s'", i,
						*name);
		}
	}
	return 0;
}

int seccomp_program_read(int fd, struct seccomp_program *p, struct berr **err)
{
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) < 0)
		return berr_sys(err, errno, "reading the seccomp filter");
	if (st.st_size <= 0 || st.st_size % (off_t) sizeof(struct sock_filter))
		return berr_set(err, EPROTO, "libseccomp wrote a filter of %lld bytes",
				(long long) st.st_size);
	p->n_insns = (size_t) st.st_size / sizeof(struct sock_filter);
	if (p->n_insns > SECCOMP_MAX_INSNS)
		return berr_set(err, E2BIG,
				"the seccomp filter compiles to %zu instructions; the kernel "
				"takes at most %u",
				p->n_insns, SECCOMP_MAX_INSNS);
	p->insns = malloc((size_t) st.st_size);
	if (!p->insns)
		return berr_set(err, ENOMEM, "out of memory");
	n = pread(fd, p->insns, (size_t) st.st_size, 0);
	if (n != st.st_size)
		return berr_sys(err, n < 0 ? errno : EIO, "reading the seccomp filter");
	return 0;
}

void seccomp_program_set_flags(const struct spec_seccomp *sc, struct seccomp_program *p)
{
	unsigned long f = 0;

	if (sc->flags & (1u << SECCOMP_FLAG_LOG))
		f |= SECCOMP_FILTER_FLAG_LOG;
	if (sc->flags & (1u << SECCOMP_FLAG_SPEC_ALLOW))
		f |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	if (sc->uses_notify) {
		f |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		/* The kernel takes it only with a listener; without one it means nothing. */
		if (sc->flags & (1u << SECCOMP_FLAG_WAIT_KILLABLE_RECV))
			f |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	}
	p->flags = f;
	p->notify = sc->uses_notify;
}

int seccomp_compile_to_fd(const struct spec_seccomp *sc, int fd, struct berr **err)
{
	_cleanup_(ctx_releasep) scmp_filter_ctx ctx = NULL;
	uint32_t def;
	int r;

	def = scmp_action(sc->default_action, &sc->default_errno_ret);
	ctx = seccomp_init(def);
	if (!ctx)
		return berr_set(err, EINVAL,
				"defaultAction: %s is not supported by this kernel or libseccomp",
				seccomp_action_name(sc->default_action));
	if ((r = add_arches(ctx, sc, err)) < 0 || (r = add_rules(ctx, sc, def, err)) < 0)
		return r;
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return berr_sys(err, -r, "compiling the seccomp filter");
	return 0;
}

int seccomp_compile(const struct spec_seccomp *sc, struct seccomp_program *ret, struct berr **err)
{
	_cleanup_close_ int fd = -1;
	struct seccomp_program p = {0};
	int r;

	memset(ret, 0, sizeof(*ret));
	if (!sc->set)
		return 0;
	fd = memfd_create("berth-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, errno, "creating a memfd for the seccomp filter");
	if ((r = seccomp_compile_to_fd(sc, fd, err)) < 0 ||
	    (r = seccomp_program_read(fd, &p, err)) < 0 ||
	    (r = seccomp_enosys_prepend(sc, &p, err)) < 0) {
		seccomp_program_done(&p);
		return r;
	}
	seccomp_program_set_flags(sc, &p);
	*ret = p;
	return 0;
}

void seccomp_program_done(struct seccomp_program *p)
{
	free(p->insns);
	memset(p, 0, sizeof(*p));
}

int seccomp_install(const struct seccomp_program *p, int *ret_listener_fd, struct berr **err)
{
	struct sock_fprog prog = {.len = (unsigned short) p->n_insns, .filter = p->insns};
	long r;

	*ret_listener_fd = -1;
	if (!p->insns)
		return 0;
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->flags, &prog);
	if (r < 0 && errno == EACCES)
		return berr_set(err, EACCES,
				"loading the seccomp filter: needs process.noNewPrivileges or "
				"CAP_SYS_ADMIN");
	if (r < 0 && errno == EINVAL && p->flags)
		return berr_sys(err, EINVAL, "loading the seccomp filter (flags 0x%lx)", p->flags);
	if (r < 0)
		return berr_sys(err, errno, "loading the seccomp filter");
	if (p->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) {
		(void) fcntl((int) r, F_SETFD, FD_CLOEXEC);
		*ret_listener_fd = (int) r;
	}
	return 0;
}
