/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/container_network.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/container_ports.h"
#include "engine/container_bandwidth.h"
#include "engine/rootless.h"
#include "lib/cleanup.h"
#include "net/dns.h"
#include "net/veth.h"

int container_network_check(struct engine *e, struct container_config *cfg, struct berr **err)
{
	struct net_root nr = engine_net_root(e);
	_cleanup_(network_done) struct network n = {0};
	char buf[IP_STR_MAX];
	uint32_t ip = 0;
	int r;

	if (cfg->network != NETWORK_BRIDGE)
		return 0;
	if (rootless_mode())
		return berr_set(
			err, ENOTSUP,
			"--network %s: rootless berth has no bridge networks yet (they need "
			"pasta or slirp4netns): use --network none or host",
			cfg->network_name);
	if ((r = network_load(&nr, cfg->network_name, &n, err)) < 0)
		return r;
	if (strcmp(n.driver, "bridge") != 0)
		return berr_set(err, EINVAL, "network %s: use --network %s (not a bridge network)",
				cfg->network_name, n.name);
	if (cfg->ip && ip_parse(cfg->ip, &ip) == 0 &&
	    (!cidr_contains(&n.subnet, ip) || ip == n.gateway))
		return berr_set(err, EINVAL,
				"Invalid address %s: It does not belong to any of this network's "
				"subnets",
				ip_format(ip, buf));
	free(cfg->network_name);
	cfg->network_name = TAKE_PTR(n.name);
	return 0;
}

int container_network_allocate(struct engine *e, const struct container_config *cfg,
			       struct berr **err)
{
	struct net_root nr = engine_net_root(e);
	unsigned char mac[MAC_LEN];
	uint32_t want = 0, ip;

	if (cfg->network != NETWORK_BRIDGE)
		return 0;
	if (cfg->ip && ip_parse(cfg->ip, &want) < 0)
		return berr_set(err, EINVAL, "invalid IPv4 address: %s", cfg->ip);
	if (cfg->mac_address && mac_parse(cfg->mac_address, mac) < 0)
		return berr_set(err, EINVAL, "%s is not a valid mac address", cfg->mac_address);
	return network_allocate(&nr, cfg->network_name, cfg->id, want,
				cfg->mac_address ? mac : NULL, &ip, err);
}

void container_network_release(struct engine *e, const struct container_config *cfg)
{
	struct net_root nr = engine_net_root(e);

	if (cfg->network == NETWORK_BRIDGE && cfg->network_name && cfg->id)
		(void) network_release(&nr, cfg->network_name, cfg->id, NULL);
}

int container_network_endpoint(struct engine *e, const struct container_config *cfg,
			       struct ipam_entry *ret)
{
	struct net_root nr = engine_net_root(e);

	if (cfg->network != NETWORK_BRIDGE || !cfg->network_name)
		return -ENOENT;
	return network_endpoint(&nr, cfg->network_name, cfg->id, ret);
}

int container_network_address(struct engine *e, const struct container_config *cfg,
			      uint32_t *ret_ip)
{
	struct ipam_entry ep;
	int r = container_network_endpoint(e, cfg, &ep);

	if (r < 0)
		return r;
	*ret_ip = ep.ip;
	return 0;
}

/* The container's name, short id and aliases on the network's name server (dns.h). */
static int register_name(const struct net_root *nr, const struct network *n,
			 const struct container_config *cfg, uint32_t ip, struct berr **err)
{
	_cleanup_free_ char *line = dns_entry_line(cfg->id, ip, cfg->name, cfg->aliases, cfg->dns);
	int r;

	if (!line)
		return berr_set(err, ENOMEM, "out of memory");
	if ((r = dns_server_update(nr, n, cfg->id, line, err)) < 0)
		return berr_wrap(err, "network %s: name resolution", n->name);
	return 0;
}

int container_network_attach(struct engine *e, struct container *c, const char *netns_path,
			     struct berr **err)
{
	const struct container_config *cfg = c->cfg;
	struct net_root nr = engine_net_root(e);
	_cleanup_(network_done) struct network n = {0};
	struct ipam_entry ep;
	int r;

	if (cfg->network != NETWORK_BRIDGE)
		return 0;
	if ((r = network_load(&nr, cfg->network_name, &n, err)) < 0)
		return r;
	if (network_endpoint(&nr, n.name, cfg->id, &ep) < 0)
		return berr_set(err, ENOENT, "network %s: the container has no address on it",
				n.name);
	if (!cfg->publish && !cfg->publish_all && (r = network_firewall_sync(&nr, &n, err)) < 0)
		return berr_wrap(err, "network %s", n.name);
	if ((r = veth_attach(&n, &ep, netns_path, err)) < 0)
		return r;
	/* docker's default network resolves no container names */
	if (!container_on_default_bridge(cfg) && (r = register_name(&nr, &n, cfg, ep.ip, err)) < 0)
		return r;
	if ((r = container_bandwidth_apply(cfg, err)) < 0)
		return r;
	/* with ports: one firewall write, once the bridge exists (route_localnet on it) */
	return container_ports_publish(e, c, &n, ep.ip, err);
}

int container_network_rename(struct engine *e, const struct container *c, struct berr **err)
{
	const struct container_config *cfg = c->cfg;
	struct net_root nr = engine_net_root(e);
	_cleanup_(network_done) struct network n = {0};
	uint32_t ip;
	int r;

	if (cfg->network != NETWORK_BRIDGE || container_on_default_bridge(cfg) ||
	    (c->st.status != STATUS_RUNNING && c->st.status != STATUS_PAUSED))
		return 0; /* a stopped container has no line: the next start writes it */
	if ((r = network_load(&nr, cfg->network_name, &n, err)) < 0)
		return r;
	if (network_address(&nr, n.name, cfg->id, &ip) < 0)
		return berr_set(err, ENOENT, "network %s: the container has no address on it",
				n.name);
	return register_name(&nr, &n, cfg, ip, err);
}

int container_network_gateway(struct engine *e, const struct container_config *cfg,
			      uint32_t *ret_gateway)
{
	struct net_root nr = engine_net_root(e);
	_cleanup_(network_done) struct network n = {0};

	if (cfg->network != NETWORK_BRIDGE || !cfg->network_name ||
	    network_load(&nr, cfg->network_name, &n, NULL) < 0 || !n.has_subnet)
		return -ENOENT;
	*ret_gateway = n.gateway;
	return 0;
}
