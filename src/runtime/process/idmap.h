/* SPDX-License-Identifier: Apache-2.0 */
/* uid_map/gid_map of a new user namespace, written by the parent after clone. */
#ifndef BERTH_RUNTIME_IDMAP_H
#define BERTH_RUNTIME_IDMAP_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/err.h"
#include "runtime/config/oci_config.h"

/* Format mappings as uid_map text ("0 100000 65536\n..."); malloc'd. */
char *idmap_format(const struct id_mappings *m);

/*
 * Write pid's uid_map and gid_map. As root, directly; otherwise through newuidmap and
 * newgidmap, or (a single mapping of the caller's own ids) directly after writing
 * "deny" to setgroups, which *ret_setgroups_denied then reports.
 */
int idmap_write(pid_t pid, const struct spec_linux *l, bool *ret_setgroups_denied,
		struct berr **err);

/*
 * Will idmap_write deny setgroups (unprivileged, mapping only our own ids)? Known before
 * clone, so that the init knows it cannot call setgroups.
 */
bool idmap_denies_setgroups(const struct spec_linux *l);

/*
 * A user namespace with these mappings (for an idmapped mount: mount_setattr's
 * MOUNT_ATTR_IDMAP takes one): a child is cloned into a new user namespace, its maps are
 * written, its namespace opened, and it exits. *ret_fd is owned by the caller.
 */
int idmap_userns_fd(const struct id_mappings *uid, const struct id_mappings *gid, int *ret_fd,
		    struct berr **err);

#endif
