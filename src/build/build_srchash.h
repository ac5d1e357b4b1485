/* SPDX-License-Identifier: Apache-2.0 */
/* The source hash of COPY/ADD in docker's history lines (build_srchash.c). */
#ifndef BERTH_BUILD_BUILD_SRCHASH_H
#define BERTH_BUILD_BUILD_SRCHASH_H

#include <stdbool.h>

/*
 * docker's hash of the sources rels (paths under rootfd, as COPY names them after
 * wildcard expansion): "file:<hex>", "dir:<hex>" or "multi:<hex>". context: rootfd is
 * the build context (hashed as the docker CLI sends it), else a --from image. Sets *ret
 * (malloc'd); -errno on failure.
 */
int build_source_hash(int rootfd, char *const *rels, bool context, char **ret);

#endif
