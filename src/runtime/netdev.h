/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.netDevices (config-linux.md, Network Devices): host interfaces moved by name into
 * the container's new network namespace, renamed if asked ("eth%d" templates too), with
 * their permanent global addresses kept and the link set up. As the spec says, nothing
 * is moved back at delete: the kernel destroys virtual devices with the namespace and
 * returns physical ones to the initial namespace.
 */
#ifndef BERTH_RUNTIME_NETDEV_H
#define BERTH_RUNTIME_NETDEV_H

#include <sys/types.h>

#include "lib/err.h"
#include "runtime/oci_config.h"

/* Interface names (keys and new names): 1 to 15 bytes, no '/', ':' or space. Pure. */
int netdev_validate(const struct spec_linux *l, struct berr **err);

/* Before anything is made: every device exists in the runtime's network namespace. */
int netdev_check_present(const struct spec_linux *l, struct berr **err);

/* In the parent, once the init (pid) has its network namespace: move every device. */
int netdev_move_all(const struct spec_linux *l, pid_t pid, struct berr **err);

#endif
