/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HEALTHCHECK in a Dockerfile, as docker's builder reads it:
 *   HEALTHCHECK [--interval=D] [--timeout=D] [--start-period=D] [--start-interval=D]
 *               [--retries=N] CMD command       (shell form: ["CMD-SHELL", "command"])
 *   HEALTHCHECK [...] CMD ["exe", "arg"]        (exec form: ["CMD", "exe", "arg"])
 *   HEALTHCHECK NONE                            (["NONE"]: the base image's check is off)
 * Durations as Go writes them ("30s", "1m30s"), in nanoseconds; 0 means "not set"
 * (the engine's default) and is left out of the image config.
 */
#ifndef BERTH_BUILD_HEALTHCHECK_H
#define BERTH_BUILD_HEALTHCHECK_H

#include "build/dockerfile.h"
#include "build/run_config.h"
#include "lib/err.h"

/* Parse in (a HEALTHCHECK) into *ret (which it replaces). Returns 0 or -errno, *err set. */
int healthcheck_parse(const struct df_instr *in, struct run_health *ret, struct berr **err);

#endif
