/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bind mount sources opened by berth-runtime for an init in a new user namespace, as
 * runc's "mount sources". The init mounts as its namespace's root, a mapped id that cannot
 * reach a source only the host's root may (a 0700 parent). So a helper forked from
 * berth-runtime enters the init's new mount namespace (a copy of ours: host paths resolve
 * as here, and what it opens are the init's own mounts, which open_tree may clone there),
 * opens each source O_PATH with berth-runtime's credentials, and hands the fds back;
 * berth-runtime passes them to the init in SYNC_MOUNT_SOURCES messages before SYNC_GO.
 * Where the helper may not enter (rootless: no CAP_SYS_CHROOT on the host), one empty
 * message tells the init to open the sources itself, as before.
 *
 * Not trees cloned by the parent: a detached copy made outside the user namespace would
 * drop the locks (MNT_LOCKED) that keep the container from uncovering what lies under the
 * source's submounts.
 */
#ifndef BERTH_RUNTIME_BIND_SOURCES_H
#define BERTH_RUNTIME_BIND_SOURCES_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/err.h"
#include "runtime/config/oci_config.h"

/* Does the init of a container cloned with clone_flags get its bind sources passed? */
bool bind_sources_wanted(const struct spec *s, int clone_flags);

/* Parent: open the sources in init's mount namespace and send them over sync_fd. */
int bind_sources_send(const struct spec *s, pid_t init, int sync_fd, struct berr **err);

/*
 * Init: receive them. *ret_fds: per mount, the source's fd or -1 (NULL when the parent
 * could not open them: open by path then); free with bind_sources_close().
 */
int bind_sources_receive(const struct spec *s, int sync_fd, int **ret_fds, struct berr **err);

int *bind_sources_close(int *fds, size_t n);

#endif
