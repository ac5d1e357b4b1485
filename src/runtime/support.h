/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What this build of berth-runtime applies. Fields of the spec it recognises but does
 * not apply yet are reported, never silently ignored; fields it cannot honour safely
 * are errors.
 */
#ifndef BERTH_RUNTIME_SUPPORT_H
#define BERTH_RUNTIME_SUPPORT_H

#include <stdbool.h>

#include "lib/err.h"
#include "runtime/oci_config.h"

typedef void (*support_warn_fn)(const char *message);

/*
 * Call warn once per config field that is set but not applied. Returns an error for
 * a setting berth must not ignore (detach is true for create and run --detach).
 */
int support_check(const struct spec *s, bool detach, bool has_console_socket, support_warn_fn warn,
		  struct berr **err);

#endif
