/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/container_bandwidth.h"

#include <errno.h>
#include <net/if.h>

#include "net/bandwidth.h"
#include "net/veth.h"
#include "net/tc.h"

int container_bandwidth_check(const struct container_config *cfg, const char *flag,
			      struct berr **err)
{
	bool any = cfg->ingress_rate || cfg->egress_rate || cfg->ingress_burst || cfg->egress_burst;

	if (any && cfg->network != NETWORK_BRIDGE)
		return berr_set(err, EINVAL,
				"%s: bandwidth limits need a user-defined network (--network "
				"NAME), not --network %s",
				flag, container_network_name(cfg->network));
	return 0;
}

static int one(const char *s, bool burst, const char *flag, int64_t *dst, const char **first,
	       struct berr **err)
{
	uint64_t v;
	int r;

	if (!s)
		return 0;
	r = burst ? bandwidth_parse_burst(s, &v, err) : bandwidth_parse_rate(s, &v, err);
	if (r < 0)
		return berr_wrap(err, "invalid argument \"%s\" for \"%s\" flag", s, flag);
	*dst = (int64_t) v;
	if (!*first)
		*first = flag;
	return 0;
}

int container_bandwidth_from_flags(const struct container_flags *f, struct container_config *c,
				   struct berr **err)
{
	const char *first = NULL;
	int r;

	if ((r = one(f->ingress_rate, false, "--ingress-rate", &c->ingress_rate, &first, err)) <
		    0 ||
	    (r = one(f->egress_rate, false, "--egress-rate", &c->egress_rate, &first, err)) < 0 ||
	    (r = one(f->ingress_burst, true, "--ingress-burst", &c->ingress_burst, &first, err)) <
		    0 ||
	    (r = one(f->egress_burst, true, "--egress-burst", &c->egress_burst, &first, err)) < 0)
		return r;
	return first ? container_bandwidth_check(c, first, err) : 0;
}

int container_bandwidth_apply(const struct container_config *cfg, struct berr **err)
{
	struct bandwidth in = {(uint64_t) cfg->ingress_rate, (uint64_t) cfg->ingress_burst};
	struct bandwidth out = {(uint64_t) cfg->egress_rate, (uint64_t) cfg->egress_burst};
	char host[IFNAMSIZ];

	if (cfg->network != NETWORK_BRIDGE)
		return 0;
	return tc_bandwidth_apply(veth_host_name(cfg->id, host), cfg->id, &in, &out, err);
}
