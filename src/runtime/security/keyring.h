/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's session keyring, as runc makes it: unless --no-new-keyring, the init
 * joins a new session keyring named "_ses.<id>" (so the container does not share the
 * caller's keys), and `exec` joins the same one.
 */
#ifndef BERTH_RUNTIME_KEYRING_H
#define BERTH_RUNTIME_KEYRING_H

#include <stdbool.h>

#include "lib/err.h"

/*
 * Join (creating it if needed) the session keyring "_ses.<id>". With make_searchable
 * (the init), add search permission for its owner uid, or for everyone when in_userns,
 * so that `exec` can join it. A kernel without keyrings (ENOSYS) is not an error.
 */
int keyring_join_session(const char *id, bool make_searchable, bool in_userns, struct berr **err);

#endif
