/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The loopback interface of a new network namespace, and
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
#include "runtime/config/oci_config.h"

/* Interface names (keys and new names): 1 to 15 bytes, no '/', ':' or space. Pure. */
int netdev_validate(const struct spec_linux *l, struct berr **err);

/* Before anything is made: every device exists in the runtime's network namespace. */
int netdev_check_present(const struct spec_linux *l, struct berr **err);

/*
 * In the init, in a network namespace it created (not one joined by path): set `lo` up,
 * as runc and crun do (Docker without a network, podman --network none and ctr rely on
 * it). One rtnetlink message.
 */
int netdev_loopback_up(const struct spec_linux *l, struct berr **err);

/* In the parent, once the init (pid) has its network namespace: move every device. */
int netdev_move_all(const struct spec_linux *l, pid_t pid, struct berr **err);

#endif
