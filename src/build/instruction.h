/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Dockerfile instructions that only change an image's run defaults: ENV, LABEL,
 * CMD, ENTRYPOINT, EXPOSE, USER, VOLUME, WORKDIR, STOPSIGNAL, SHELL, HEALTHCHECK
 * (image_health.h), ONBUILD (the trigger kept in config.OnBuild). Used by `berth build`
 * and by `berth commit --change`.
 */
#ifndef BERTH_BUILD_INSTRUCTION_H
#define BERTH_BUILD_INSTRUCTION_H

#include "build/dockerfile.h"
#include "build/run_config.h"
#include "lib/err.h"

/*
 * Apply in to rc; vars ("NAME=value") are substituted where docker does. Returns 1
 * when in was one of these instructions, 0 when it is another.
 */
int instruction_apply(const struct df_instr *in, char escape, char *const *vars,
		      struct run_config *rc, struct berr **err);

/*
 * Refuse what docker refuses as an ONBUILD trigger ("RUN echo hi"): ONBUILD, FROM,
 * MAINTAINER. Returns 0 or -EINVAL with *err set.
 */
int instruction_onbuild_check(const char *trigger, struct berr **err);

/* Parse one instruction (commit -c "CMD [\"sh\"]") and apply it: only these are allowed. */
int instruction_apply_change(const char *text, struct run_config *rc, struct berr **err);

/*
 * The command of RUN, CMD or ENTRYPOINT: the exec form as it is, the shell form run by
 * rc's SHELL (default /bin/sh -c). Sets *ret (malloc'd vector).
 */
int instruction_command(const struct df_instr *in, const struct run_config *rc, char ***ret);

/* Parse "KEY=value ..." (or the legacy "KEY value") pairs into a "k=v" vector. */
int instruction_pairs(const struct df_instr *in, char escape, char *const *vars, char ***ret,
		      struct berr **err);

#endif
