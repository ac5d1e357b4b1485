/* SPDX-License-Identifier: Apache-2.0 */
/* The config.json that `berth-runtime spec` writes: as strict as runc's. */
#ifndef BERTH_RUNTIME_SPEC_DEFAULT_H
#define BERTH_RUNTIME_SPEC_DEFAULT_H

#include <sys/types.h>

/* The default config (tab-indented JSON text, static). */
const char *spec_default_text(void);

/*
 * The rootless config (`spec --rootless`, as runc's) for a caller with these ids: a user
 * namespace mapping them to root. Malloc'd, NULL on OOM.
 */
char *spec_default_rootless_text(uid_t uid, gid_t gid);

#endif
