/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ENOSYS stub in front of a compiled seccomp filter.
 *
 * A profile lists the syscalls its author knew. A syscall added to the kernel later (and
 * used by a newer libc: clone3, faccessat2, openat2, fchmodat2 ...) then meets the
 * default action, usually EPERM; glibc falls back to the older syscall only on ENOSYS,
 * so EPERM breaks the program. As runc does, every syscall numbered above the highest
 * one the profile names gets ENOSYS, as if the kernel lacked it, on this machine's
 * native architecture. Profiles whose default allows (ALLOW, LOG) are left alone: an
 * unknown syscall already passes there.
 */
#include "runtime/security/seccomp_enosys.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/config/oci_config.h"
#include "runtime/security/seccomp_types.h"

/* x86_64's x32 ABI marks its syscall numbers with this bit; the stub leaves them alone. */
#define X32_SYSCALL_BIT 0x40000000u

int seccomp_enosys_max(const struct spec_seccomp *sc)
{
	int max = -1;

	if (sc->default_action == SECCOMP_ACT_ALLOW || sc->default_action == SECCOMP_ACT_LOG)
		return -1;
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		for (char **name = sc->syscalls[i].names; name && *name; name++) {
			int nr = seccomp_syscall_resolve_name(*name);

			if (nr != __NR_SCMP_ERROR && nr >= 0 && (unsigned) nr < X32_SYSCALL_BIT &&
			    nr > max)
				max = nr;
		}
	}
	return max;
}

size_t seccomp_enosys_stub(uint32_t arch, int max, struct sock_filter *out)
{
	const bool x86_64 = arch == SCMP_ARCH_X86_64;
	/* From the jump on the architecture to the first instruction of the filter. */
	const unsigned char skip_all = x86_64 ? 4 : 3;
	size_t n = 0;

	out[n++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						 offsetof(struct seccomp_data, arch));
	out[n++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 0, skip_all);
	out[n++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						 offsetof(struct seccomp_data, nr));
	if (x86_64)
		out[n++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT,
							 2, 0);
	out[n++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t) max, 0, 1);
	out[n++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	return n;
}

int seccomp_enosys_prepend(const struct spec_seccomp *sc, struct seccomp_program *p,
			   struct berr **err)
{
	struct sock_filter stub[SECCOMP_ENOSYS_STUB_MAX], *insns;
	int max = seccomp_enosys_max(sc);
	size_t n;

	if (max < 0 || !p->insns)
		return 0;
	n = seccomp_enosys_stub(seccomp_arch_native(), max, stub);
	if (p->n_insns + n > SECCOMP_MAX_INSNS)
		return berr_set(err, E2BIG,
				"the seccomp filter compiles to %zu instructions; the kernel "
				"takes at most %u",
				p->n_insns + n, SECCOMP_MAX_INSNS);
	insns = malloc((p->n_insns + n) * sizeof(*insns));
	if (!insns)
		return berr_set(err, ENOMEM, "out of memory");
	memcpy(insns, stub, n * sizeof(*insns));
	memcpy(insns + n, p->insns, p->n_insns * sizeof(*insns));
	free(p->insns);
	p->insns = insns;
	p->n_insns += n;
	return 0;
}
