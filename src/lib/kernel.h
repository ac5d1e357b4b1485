/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernels berth supports: Linux 5.12 or later (README.md, "Supported kernels"). The
 * check probes each system call berth cannot do without, oldest first, and refuses a
 * kernel that lacks one with one sentence naming it. Newer features (overlayfs
 * "lowerdir+", idmapped mounts of a given filesystem, seccomp flags) have their own
 * fallback or refusal where they are used.
 */
#ifndef BERTH_LIB_KERNEL_H
#define BERTH_LIB_KERNEL_H

#include "lib/err.h"

#define KERNEL_MIN_VERSION "5.12"

/*
 * 0 when the kernel has every required feature, else -ENOSYS with "this kernel (R) lacks
 * F (Linux X.Y): berth needs Linux 5.12 or later" (or, on a kernel new enough, that the
 * call is blocked, as by a seccomp filter around berth). fake_missing, a comma-separated
 * list of feature names (tests: BERTH_FAKE_KERNEL_MISSING), makes those probes fail: it
 * can only make berth refuse to run, never skip a check.
 */
int kernel_check(const char *fake_missing, struct berr **err);

#endif
