/* SPDX-License-Identifier: Apache-2.0 */
/* The IPv4 routes of the engine's network namespace, for choosing a subnet that is free. */
#ifndef BERTH_NET_ROUTES_H
#define BERTH_NET_ROUTES_H

#include <stddef.h>

#include "lib/err.h"
#include "net/cidr.h"

/*
 * The destinations of every IPv4 route (any table but "local"; default routes left out)
 * over rtnetlink. *ret is malloc'd (the caller frees it), *ret_n long.
 */
int routes_ipv4(struct cidr **ret, size_t *ret_n, struct berr **err);

#endif
