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
#include "runtime/config/oci_config.h"

typedef void (*support_warn_fn)(const char *message);

/*
 * Call warn once per config field that is set but not applied. Returns an error for
 * a setting berth must not ignore (detach is true for create and run --detach).
 */
int support_check(const struct spec *s, bool detach, bool has_console_socket, support_warn_fn warn,
		  struct berr **err);

/*
 * The terminal rules of runc (process.terminal, --console-socket, --detach) for p; what
 * names where terminal came from in messages ("config.json: process.terminal").
 */
int support_check_terminal(const struct spec_process *p, const char *what, bool detach,
			   bool has_console_socket, struct berr **err);

/*
 * Whether this build applies the config field (a JSON path such as "linux.seccomp" or
 * "hooks", or a name support_check warns with): false when support_check would warn that
 * it or a field containing it is not applied. `features` reports from this.
 */
bool support_field_applied(const char *field);

#endif
