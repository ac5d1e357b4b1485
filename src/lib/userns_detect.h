/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Whether this process runs in a user namespace other than the initial one (rootless
 * berth, or any caller inside a container): its uid 0 is then no host root, so cgroups,
 * device nodes and trusted.* xattrs are closed to it, as runc's RunningInUserNS decides.
 */
#ifndef BERTH_LIB_USERNS_DETECT_H
#define BERTH_LIB_USERNS_DETECT_H

#include <stdbool.h>

/*
 * Pure: does uid_map text (/proc/self/uid_map) describe the initial user namespace (the
 * one line "0 0 4294967295")?
 */
bool uid_map_is_initial(const char *text);

/* Read once from /proc/self/uid_map; false when it cannot be read (no user namespaces). */
bool in_nested_userns(void);

#endif
