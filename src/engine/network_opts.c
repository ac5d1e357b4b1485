/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/network_opts.h"

#include <errno.h>

#include "engine/ns_modes.h"
#include "net/mac.h"

/* A list flag with a value (the API's clients send empty arrays for the ones not given). */
static bool any(char *const *v)
{
	return v && v[0];
}

int network_opts_container(const struct container_flags *f, const char *mode, struct berr **err)
{
	int r = ns_mode_check(NS_SHARE_NET, mode, err);

	if (r < 0)
		return r;
	/* dockerd's order, and its words */
	if (f->hostname && *f->hostname)
		return berr_set(err, EINVAL, "conflicting options: hostname and the network mode");
	if (any(f->dns))
		return berr_set(err, EINVAL, "conflicting options: dns and the network mode");
	if (any(f->add_hosts))
		return berr_set(err, EINVAL,
				"conflicting options: custom host-to-IP mapping and the network "
				"mode");
	if (f->mac_address)
		return berr_set(err, EINVAL,
				"conflicting options: mac-address and the network mode");
	if (any(f->publish) || f->publish_all)
		return berr_set(err, EINVAL,
				"conflicting options: port publishing and the container type "
				"network mode");
	if (any(f->expose))
		return berr_set(err, EINVAL,
				"conflicting options: port exposing and the container type network "
				"mode");
	return 0;
}

int network_opts_mac(const char *mac, struct berr **err)
{
	unsigned char m[MAC_LEN];

	if (!mac)
		return 0;
	if (mac_parse(mac, m) < 0)
		return berr_set(err, EINVAL, "%s is not a valid mac address", mac);
	if (!mac_unicast(m))
		return berr_set(
			err, EINVAL,
			"%s is not a valid mac address for an interface (multicast or zero)", mac);
	return 0;
}
