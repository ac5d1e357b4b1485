/* SPDX-License-Identifier: Apache-2.0 */
/* /dev inside the container: default device nodes, linux.devices, and the symlinks. */
#ifndef BERTH_RUNTIME_DEVICES_H
#define BERTH_RUNTIME_DEVICES_H

#include <stdbool.h>

#include "lib/err.h"
#include "runtime/config/oci_config.h"

/*
 * Create the default devices (null, zero, full, random, urandom, tty) and those of
 * linux.devices inside the rootfs at rootfd, plus /dev/fd, stdin, stdout, stderr, core
 * and ptmx symlinks. When mknod is not allowed (a user namespace), the host's device
 * is bind-mounted on an empty file instead. Skipped when the config bind-mounts /dev.
 */
int devices_setup(int rootfd, const struct spec *s, bool in_userns, struct berr **err);

/* Does the config mount /dev from the host (then berth leaves /dev alone)? */
bool devices_dev_is_bind(const struct spec *s);

#endif
