/* SPDX-License-Identifier: Apache-2.0 */
#include "net/bridge.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/rtnl.h"

bool bridge_name_valid(const char *n)
{
	size_t len = strlen(n);

	if (!len || len >= IFNAMSIZ || !strcmp(n, ".") || !strcmp(n, ".."))
		return false;
	/* stricter than the kernel: the name goes into nftables rules (nat.c) */
	for (const char *c = n; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '.' || *c == '-'))
			return false;
	return true;
}

void bridge_mac(const char *network_id, unsigned char mac[6])
{
	/* locally administered unicast, 02:43: (containers have 02:42:IP) + the id's start */
	mac[0] = 0x02;
	mac[1] = 0x43;
	for (int i = 0; i < 4; i++) {
		unsigned int b = 0;

		if (network_id && strlen(network_id) >= 8)
			(void) sscanf(network_id + 2 * i, "%2x", &b);
		mac[2 + i] = (unsigned char) b;
	}
}

/*
 * A bridge whose address was never set takes the lowest of its ports' (random) ones and
 * changes it as ports come and go: the gateway's MAC would change under the containers'
 * ARP caches when one restarts, cutting the others off until their entries expire. So
 * its address is set, once, from the network's id (docker sets docker0's too).
 */
static int bridge_add(int fd, const struct network *n, int index)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = index > 0 ? index : 0};
	unsigned char mac[6];
	struct rtattr *info;
	struct rtnl_msg m;

	bridge_mac(n->id, mac);
	rtnl_msg_init(&m, RTM_NEWLINK, index > 0 ? 0 : NLM_F_CREATE | NLM_F_EXCL, &ifi,
		      sizeof(ifi));
	rtnl_attr(&m, IFLA_ADDRESS, mac, sizeof(mac));
	if (index > 0)
		return rtnl_talk(fd, &m);
	rtnl_attr_str(&m, IFLA_IFNAME, n->bridge);
	rtnl_attr_u32(&m, IFLA_MTU, n->mtu);
	info = rtnl_nest_begin(&m, IFLA_LINKINFO);
	rtnl_attr_str(&m, IFLA_INFO_KIND, "bridge");
	rtnl_nest_end(&m, info);
	return rtnl_talk(fd, &m);
}

int bridge_ensure(int fd, const struct network *n, struct berr **err)
{
	uint32_t gw = htonl(n->gateway);
	int r, index;

	r = bridge_add(fd, n, 0);
	if (r < 0 && r != -EEXIST)
		return berr_sys(err, -r, "cannot create the bridge '%s'", n->bridge);
	if ((index = rtnl_link_index(fd, n->bridge)) < 0)
		return berr_sys(err, -index, "cannot find the bridge '%s'", n->bridge);
	/* one made by an older berth, or before a kill: its address set now */
	if (r == -EEXIST && (r = bridge_add(fd, n, index)) < 0)
		return berr_sys(err, -r, "cannot set the address of the bridge '%s'", n->bridge);
	r = rtnl_addr_add(fd, index, AF_INET, &gw, sizeof(gw), n->subnet.len);
	if (r < 0 && r != -EEXIST)
		return berr_sys(err, -r, "cannot give the bridge '%s' its address", n->bridge);
	r = rtnl_link_set(fd, index, &(struct rtnl_link_change){.netns_fd = -1, .up = true});
	if (r < 0)
		return berr_sys(err, -r, "cannot set the bridge '%s' up", n->bridge);
	return index;
}

int bridge_delete(const char *name, struct berr **err)
{
	_cleanup_close_ int fd = rtnl_open();
	int index, r;

	if (fd < 0)
		return berr_sys(err, -fd, "removing the bridge '%s': netlink", name);
	index = rtnl_link_index(fd, name);
	if (index == -ENODEV)
		return 0;
	if (index < 0)
		return berr_sys(err, -index, "cannot find the bridge '%s'", name);
	if ((r = rtnl_link_del(fd, index)) < 0 && r != -ENODEV)
		return berr_sys(err, -r, "cannot remove the bridge '%s'", name);
	return 0;
}
