/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Capabilities as docker hands them out: the default set of a container, --cap-add and
 * --cap-drop (names with or without "CAP_", any case, and "ALL"), --privileged.
 */
#ifndef BERTH_ENGINE_CAPABILITIES_H
#define BERTH_ENGINE_CAPABILITIES_H

#include <stdbool.h>

#include "lib/err.h"

/* "CAP_CHOWN" for 0 ...; NULL past the table. */
const char *caps_name(int cap);

/* The number of capabilities this kernel has (cap_last_cap + 1), at most the table. */
int caps_count(void);

/* Normalise a user's name ("net_admin", "CAP_NET_ADMIN") to "CAP_NET_ADMIN"; -EINVAL. */
int caps_normalize(const char *name, char **ret, struct berr **err);

/*
 * The container's set: docker's default set (or every capability when privileged),
 * minus drop, plus add, in the kernel's order. "ALL" in drop empties the set first; in
 * add, it grants every capability. *ret is a malloc'd vector.
 */
int caps_compute(bool privileged, char *const *add, char *const *drop, char ***ret,
		 struct berr **err);

#endif
