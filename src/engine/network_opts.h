/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The flags of create/run that depend on the network mode, checked with docker's words
 * before anything is written: what --network container:NAME refuses (moby's runconfig
 * validateNetContainerMode, docker 20.10) and --mac-address (docker's CLI check).
 */
#ifndef BERTH_ENGINE_NETWORK_OPTS_H
#define BERTH_ENGINE_NETWORK_OPTS_H

#include "engine/container_opts.h"

/*
 * --network MODE, MODE "container:NAME": NAME is not empty, and no flag asks for what the
 * donor's namespace and /etc files already decide (a hostname, --dns, --add-host,
 * --mac-address, -p/-P, --expose). 0, or -EINVAL with docker's message.
 */
int network_opts_container(const struct container_flags *f, const char *mode, struct berr **err);

/*
 * --mac-address's value (NULL: not given): one of the forms docker's CLI takes for six
 * octets ("X is not a valid mac address", as docker's), and one an interface can have
 * (not multicast, not zero: the kernel refuses those, docker's engine only at start).
 */
int network_opts_mac(const char *mac, struct berr **err);

#endif
