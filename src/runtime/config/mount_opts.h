/* SPDX-License-Identifier: Apache-2.0 */
/* The spec's mount option strings (config.md "Linux mount options") as flags. */
#ifndef BERTH_RUNTIME_MOUNT_OPTS_H
#define BERTH_RUNTIME_MOUNT_OPTS_H

#include "runtime/config/spec.h"

/*
 * Sort options (NULL-terminated, may be NULL) into *ret: mount(2) flags, propagation,
 * recursive mount_setattr attributes, and the rest joined as filesystem data.
 * Returns 0 or -ENOMEM; *ret->data is malloc'd.
 */
int mount_opts_parse(char *const *options, struct mount_opts *ret);

/* Propagation flags for a rootfsPropagation value ("rslave", ...), or 0 if unknown. */
unsigned long mount_propagation_from_string(const char *s);

#endif
