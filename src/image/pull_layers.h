/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The layers of a pull: each one missing from the store is downloaded (several at once
 * on one curl multi handle, resumed from a partial ingest file with a Range request),
 * verified and unpacked as soon as it is complete.
 */
#ifndef BERTH_IMAGE_PULL_LAYERS_H
#define BERTH_IMAGE_PULL_LAYERS_H

#include "image/image_config.h"
#include "image/manifest.h"
#include "image/registry.h"
#include "image/registry_http.h"
#include "image/store.h"
#include "lib/err.h"

int pull_layers(struct image_store *s, struct reg_client *c, const struct manifest *m,
		const struct image_config *config, const struct registry_opts *o,
		const struct pull_progress *p, struct berr **err);

#endif
