/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An image config's Healthcheck and the HEALTHCHECK instruction that sets it, as docker's
 * builder reads it (for `build`, `commit -c` and `import --change`):
 *   HEALTHCHECK [--interval=D] [--timeout=D] [--start-period=D] [--start-interval=D]
 *               [--retries=N] CMD command       (shell form: ["CMD-SHELL", "command"])
 *   HEALTHCHECK [...] CMD ["exe", "arg"]        (exec form: ["CMD", "exe", "arg"])
 *   HEALTHCHECK NONE                            (["NONE"]: the base image's check is off)
 * Durations as Go writes them ("30s", "1m30s") in nanoseconds; 0 means "not set" (the
 * engine's default) and is left out of the config.
 */
#ifndef BERTH_IMAGE_IMAGE_HEALTH_H
#define BERTH_IMAGE_IMAGE_HEALTH_H

#include <stdint.h>

#include "lib/err.h"
#include "lib/json.h"

struct image_health {
	char **test;						 /* NULL: no Healthcheck */
	int64_t interval, timeout, start_period, start_interval; /* ns */
	int64_t retries;
};

void image_health_done(struct image_health *h);

/* A deep copy of from into *to. Returns 0 or -ENOMEM. */
int image_health_copy(const struct image_health *from, struct image_health *to);

/*
 * Parse HEALTHCHECK's arguments: flags ("--interval=5s", may be NULL) and rest ("CMD ..."
 * or "NONE"). On success *ret is replaced (its old content freed). -EINVAL with *err set.
 */
int image_health_parse(char *const *flags, const char *rest, struct image_health *ret,
		       struct berr **err);

/* The same from one string: "--interval=5s CMD true". */
int image_health_parse_text(const char *text, struct image_health *ret, struct berr **err);

/* Read config.Healthcheck (hc may be absent or null: *ret stays empty). */
int image_health_from_json(const struct jnode *hc, struct image_health *ret, struct berr **err);

/* docker's Healthcheck object: Test, then the durations and Retries that are set. */
struct jwriter *image_health_json(const struct image_health *h);

#endif
