/* SPDX-License-Identifier: Apache-2.0 */
/* The device rules a container gets (pure parts, unit-tested). */
#ifndef BERTH_RUNTIME_CGROUP_DEVICES_H
#define BERTH_RUNTIME_CGROUP_DEVICES_H

#include <stddef.h>

#include "runtime/config/oci_config.h"

/*
 * The rules to enforce, in order: v's (an "a" rule that is not "everything" split into a
 * "c" and a "b" rule), then runc's default allow list (mknod of any node; null, zero,
 * full, random, urandom, tty, ptmx, tun and the ptys). *ret is malloc'd. -ENOMEM.
 */
int cgroup_devices_rules(const struct spec_device_rule *v, size_t n, struct spec_device_rule **ret,
			 size_t *ret_n);

/* A rule as the v1 devices files take it: "a", "c 1:3 rwm", "b *:* m". Malloc'd. */
char *cgroup_devices_rule_line(const struct spec_device_rule *r);

#endif
