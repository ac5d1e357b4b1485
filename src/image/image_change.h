/* SPDX-License-Identifier: Apache-2.0 */
/*
 * docker's `import --change` instructions (Dockerfile syntax, one instruction each):
 * CMD, ENTRYPOINT (JSON array or shell form), ENV and LABEL (KEY=VALUE... with quotes,
 * or KEY VALUE), EXPOSE (PORT[-PORT][/PROTO]...), VOLUME (JSON array or paths), USER,
 * WORKDIR (relative to the previous one), STOPSIGNAL, ONBUILD, HEALTHCHECK
 * (image_health.h). Others are refused as
 * docker refuses them ("run is not a valid change command").
 */
#ifndef BERTH_IMAGE_IMAGE_CHANGE_H
#define BERTH_IMAGE_IMAGE_CHANGE_H

#include <stdbool.h>

#include "image/image_health.h"
#include "lib/err.h"

struct image_changes {
	char **cmd, **entrypoint; /* NULL: not changed */
	char **env;		  /* "K=V", a later K replacing an earlier one */
	char **labels;		  /* "K=V", likewise */
	char **exposed;		  /* "80/tcp" */
	char **volumes;		  /* "/data" */
	char **onbuild;		  /* triggers as written */
	char *user, *working_dir, *stop_signal;
	struct image_health health; /* .test NULL: not changed */
};

/* Apply each change of v in order to *c (zeroed by the caller). */
int image_changes_parse(char *const *v, struct image_changes *c, struct berr **err);
void image_changes_done(struct image_changes *c);

#endif
