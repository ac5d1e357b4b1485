/* SPDX-License-Identifier: Apache-2.0 */
/* process.rlimits: names and applying them. */
#ifndef BERTH_RUNTIME_RLIMITS_H
#define BERTH_RUNTIME_RLIMITS_H

#include <stddef.h>

#include "lib/err.h"

struct spec_rlimit;

/* RLIMIT_* for "RLIMIT_NOFILE", or -EINVAL. */
int rlimit_from_name(const char *name);
const char *rlimit_name(int resource);

/*
 * setrlimit() each limit. Raising a hard limit above the current one needs
 * CAP_SYS_RESOURCE; the error says so.
 */
int rlimits_apply(const struct spec_rlimit *v, size_t n, struct berr **err);

#endif
