/* SPDX-License-Identifier: Apache-2.0 */
/* Linux capabilities by name: the table the runtime and the engine share. */
#ifndef BERTH_LIB_CAPNAMES_H
#define BERTH_LIB_CAPNAMES_H

/* CAP_* number for a name like "CAP_NET_ADMIN" (any case), or -EINVAL. */
int cap_from_name(const char *name);

/* The name of cap, or NULL when berth does not know it. */
const char *cap_name(int cap);

/* Highest capability number berth knows (CAP_CHECKPOINT_RESTORE). */
int cap_last_known(void);

/* The kernel's highest capability (/proc/sys/kernel/cap_last_cap), cached. */
int cap_last_kernel(void);

#endif
