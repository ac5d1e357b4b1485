/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The history lines ("created_by") of `berth build`, written as docker's classic builder
 * (20.10) writes them: the SHELL in force, then "#(nop) " and the step's comment, which
 * for config instructions is what docker prints of the value set (Go's %q and %v
 * formatting), e.g. "/bin/sh -c #(nop)  CMD [\"sh\"]" or "/bin/sh -c #(nop) WORKDIR /x".
 */
#ifndef BERTH_BUILD_HISTORY_H
#define BERTH_BUILD_HISTORY_H

#include <stdbool.h>

#include "build/dockerfile.h"
#include "build/run_config.h"
#include "lib/err.h"

/*
 * rc's SHELL (default "/bin/sh -c"), " #(nop) ", and comment; docker puts two spaces
 * before the comment of config instructions (spaced) and one before WORKDIR, COPY and
 * ADD. Returns a malloc'd string or NULL (ENOMEM).
 */
char *history_nop(const struct run_config *rc, bool spaced, const char *comment);

/*
 * The comment for config instruction in, applied to rc already; vars are the variables as
 * they were before it (for ENV, LABEL, EXPOSE, VOLUME). Sets *ret (malloc'd).
 */
int history_comment(const struct df_instr *in, char escape, char *const *vars,
		    const struct run_config *rc, char **ret, struct berr **err);

#endif
