/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The subordinate id files, subuid(5) and subgid(5): "NAME:START:COUNT" lines, NAME a
 * user's (or a group's) name or number. BERTH_SUBUID_FILE and BERTH_SUBGID_FILE name
 * other files (the tests' own).
 */
#ifndef BERTH_ENGINE_SUBIDS_H
#define BERTH_ENGINE_SUBIDS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define SUBIDS_MAX 64

enum subid_kind {
	SUBID_UID,
	SUBID_GID,
};

struct subid_range {
	uint32_t start, count; /* count > 0; start + count <= 2^32 - 1 */
};

/* A name's ranges, in file order. */
struct subid_ranges {
	struct subid_range v[SUBIDS_MAX];
	size_t n;
};

/* /etc/subuid or /etc/subgid, or the file the environment names instead. */
const char *subids_path(enum subid_kind kind);

/*
 * The ranges of the lines of path for name, or for alias when not NULL (its number, or
 * its name); a missing file has none. At most SUBIDS_MAX; bad lines are skipped.
 */
int subids_read(const char *path, const char *name, const char *alias, struct subid_ranges *ret);

/*
 * The ranges of the engine's own user: "berth", else "containers" (podman's), the first
 * with lines in both files. -ENOENT with a message saying what line to add.
 */
int subids_engine_user(struct subid_ranges *uids, struct subid_ranges *gids, struct berr **err);

#endif
