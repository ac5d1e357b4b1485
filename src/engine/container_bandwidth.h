/* SPDX-License-Identifier: Apache-2.0 */
/*
 * --ingress-rate, --egress-rate, --ingress-burst, --egress-burst of a container on a
 * user-defined network (issue 14): parsed at create into its config, installed on the
 * host end of its veth at every start (src/net/tc.c) and changed live by `update`.
 */
#ifndef BERTH_ENGINE_CONTAINER_BANDWIDTH_H
#define BERTH_ENGINE_CONTAINER_BANDWIDTH_H

#include "engine/container.h"
#include "engine/container_opts.h"
#include "lib/err.h"

/*
 * The bandwidth flags of f into c (whose network is already set): -EINVAL for a bad
 * value or a limit on a container without a network of its own (host, none, another
 * container's).
 */
int container_bandwidth_from_flags(const struct container_flags *f, struct container_config *c,
				   struct berr **err);

/* -EINVAL (with the flag's name) when cfg has a limit but is not on a user-defined network. */
int container_bandwidth_check(const struct container_config *cfg, const char *flag,
			      struct berr **err);

/*
 * Make the running container's limits those of cfg (a rate of 0 removes one); nothing
 * to do off a user-defined network. 0 or -errno with the reason.
 */
int container_bandwidth_apply(const struct container_config *cfg, struct berr **err);

#endif
