/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's bandwidth limits on the host end of its veth, over rtnetlink in the
 * caller's network namespace (the engine's):
 *   - what the container receives leaves the host end: a TBF is its root qdisc;
 *   - what the container sends enters the host end: its ingress qdisc has a u32
 *     match-all filter whose mirred action redirects every packet to an ifb device
 *     ("vbi" and the first 12 digits of the container id), whose root qdisc is a TBF
 *     (the CNI bandwidth plugin's design). The ifb is the one thing that outlives the
 *     container's namespace: tc_ifb_remove() at the container's cleanup.
 */
#ifndef BERTH_NET_TC_H
#define BERTH_NET_TC_H

#include <stdint.h>

#include "lib/err.h"
#include "net/bandwidth.h"

/* The ifb's name for container id (buf: IFNAMSIZ bytes); returns buf. */
char *tc_ifb_name(const char *id, char *buf);

/*
 * Make the limits of the veth host end `host` (container id) what ingress and egress
 * say: a rate of 0 removes that direction's shaping (and the ifb). Idempotent, so a
 * start, an update and a retry after a kill all call it. 0 or -errno with the reason.
 */
int tc_bandwidth_apply(const char *host, const char *id, const struct bandwidth *ingress,
		       const struct bandwidth *egress, struct berr **err);

/* Delete container id's ifb if there is one: 0 (also when there was none) or -errno. */
int tc_ifb_remove(const char *id);

#endif
