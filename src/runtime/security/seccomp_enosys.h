/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ENOSYS stub: syscalls newer than every syscall a profile names get ENOSYS (as if the
 * kernel lacked them) instead of the default action, so that libc's fallbacks work.
 */
#ifndef BERTH_RUNTIME_SECCOMP_ENOSYS_H
#define BERTH_RUNTIME_SECCOMP_ENOSYS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

struct sock_filter;
struct spec_seccomp;
struct seccomp_program;

/* The most instructions seccomp_enosys_stub() writes. */
#define SECCOMP_ENOSYS_STUB_MAX 6

/*
 * The highest syscall number (this architecture's, x32 excluded) that sc names, or -1
 * when no stub is wanted: no known syscall named, or a default action that allows.
 */
int seccomp_enosys_max(const struct spec_seccomp *sc);

/*
 * Write the stub for the audit architecture arch into out (SECCOMP_ENOSYS_STUB_MAX
 * entries): on arch, a syscall numbered above max returns ENOSYS; everything else falls
 * through to the instruction after the stub. Returns the number of instructions written.
 */
size_t seccomp_enosys_stub(uint32_t arch, int max, struct sock_filter *out);

/* Put the stub for sc in front of p's program (nothing when seccomp_enosys_max() < 0). */
int seccomp_enosys_prepend(const struct spec_seccomp *sc, struct seccomp_program *p,
			   struct berr **err);

#endif
