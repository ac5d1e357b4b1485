/* SPDX-License-Identifier: Apache-2.0 */
/* Linux capabilities: names, and applying the spec's five sets to the process. */
#ifndef BERTH_RUNTIME_CAPS_H
#define BERTH_RUNTIME_CAPS_H

#include <stdint.h>

#include "lib/capnames.h"
#include "lib/err.h"

struct spec_capabilities;

/* Drop every capability not in bounding from the bounding set (needs CAP_SETPCAP). */
int caps_drop_bounding(uint64_t bounding, struct berr **err);

/*
 * Set the effective, permitted and inheritable sets, then raise the ambient ones.
 * Called after the uid change (with PR_SET_KEEPCAPS held across it).
 */
int caps_apply(const struct spec_capabilities *c, struct berr **err);

#endif
