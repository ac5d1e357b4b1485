/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's bandwidth limits (--ingress-rate, --egress-rate and their bursts): the
 * flags' values parsed, the token bucket's defaults, and the rtnetlink requests that
 * install them (pure: they fill a struct rtnl_msg, tc.c sends them). Rates are bits per
 * second with decimal suffixes as tc's (20m = 20 000 000); bursts are bytes with tc's
 * binary suffixes (32k = 32 768).
 */
#ifndef BERTH_NET_BANDWIDTH_H
#define BERTH_NET_BANDWIDTH_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/rtnl.h"

#define BANDWIDTH_RATE_MIN 1000ULL		    /* bits/s */
#define BANDWIDTH_RATE_MAX 1000000000000000ULL	    /* 1000 Tbit/s */
#define BANDWIDTH_BURST_MIN (16ULL * 1024)	    /* a jumbo frame fits */
#define BANDWIDTH_BURST_MAX (1024ULL * 1024 * 1024) /* 1 GiB */
#define BANDWIDTH_BURST_DEFAULT_MIN (32ULL * 1024)
#define BANDWIDTH_LATENCY_MS 25 /* the queue holds 25 ms at the rate, as CNI's plugin */

/* One direction: rate in bits/s (0: no limit), burst in bytes (0: the default). */
struct bandwidth {
	uint64_t rate, burst;
};

/* "20m", "1.5g", "500kbit", "0" (no limit) into bits/s; -EINVAL with the reason. */
int bandwidth_parse_rate(const char *s, uint64_t *ret, struct berr **err);
/* "64k", "1m", "0" (the default) into bytes; -EINVAL with the reason. */
int bandwidth_parse_burst(const char *s, uint64_t *ret, struct berr **err);

/* The bucket's size in bytes: b->burst, or 10 ms at the rate and at least 32 KiB. */
uint32_t bandwidth_burst(const struct bandwidth *b);
/* The TBF queue in bytes: BANDWIDTH_LATENCY_MS at the rate plus the burst. */
uint32_t bandwidth_limit(const struct bandwidth *b);

/* RTM_NEWQDISC (create or replace): a TBF as the root qdisc (handle 1:) of ifindex. */
void bandwidth_tbf_msg(struct rtnl_msg *m, int ifindex, const struct bandwidth *b);
/* RTM_NEWQDISC (exclusive): the ingress qdisc (ffff:) of ifindex. */
void bandwidth_ingress_msg(struct rtnl_msg *m, int ifindex);
/* RTM_DELQDISC of ifindex's root qdisc (ingress: its ingress qdisc). */
void bandwidth_qdisc_del_msg(struct rtnl_msg *m, int ifindex, bool ingress);
/*
 * RTM_NEWTFILTER (create or change) on ifindex's ingress qdisc: u32 "match all"
 * (handle 800::800, priority 1) with a mirred action that redirects every packet to the
 * egress of ifb_index.
 */
void bandwidth_redirect_msg(struct rtnl_msg *m, int ifindex, int ifb_index);

#endif
