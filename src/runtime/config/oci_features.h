/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `features` (features.md, features-linux.md): what a config.json can use with this
 * build. It is derived from the same tables the runtime uses (support.c's list of fields
 * not applied yet, the mount option parser, namespaces and capabilities), so it stays
 * true as features land.
 */
#ifndef BERTH_RUNTIME_OCI_FEATURES_H
#define BERTH_RUNTIME_OCI_FEATURES_H

#include "lib/err.h"

/* The Features structure as JSON (malloc'd, pretty-printed), in *ret. */
int features_json(char **ret, struct berr **err);

#endif
