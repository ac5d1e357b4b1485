/* SPDX-License-Identifier: Apache-2.0 */
#include "net/veth.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/veth.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/rtnl.h"
#include "net/bridge.h"

#define CONTAINER_IFNAME "eth0"

char *veth_host_name(const char *id, char *buf)
{
	snprintf(buf, IFNAMSIZ, "vb%.12s", id);
	return buf;
}

/* The pair: host end `host` (port of bridge), peer eth0 made directly in netns_fd. */
static int veth_add(int fd, const struct network *n, const char *host, int bridge, int netns_fd,
		    const unsigned char mac[MAC_LEN])
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct rtattr *info, *data, *peer;
	struct rtnl_msg m;

	rtnl_msg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
	rtnl_attr_str(&m, IFLA_IFNAME, host);
	rtnl_attr_u32(&m, IFLA_MTU, n->mtu);
	rtnl_attr_u32(&m, IFLA_MASTER, (uint32_t) bridge);
	info = rtnl_nest_begin(&m, IFLA_LINKINFO);
	rtnl_attr_str(&m, IFLA_INFO_KIND, "veth");
	data = rtnl_nest_begin(&m, IFLA_INFO_DATA);
	peer = rtnl_attr(&m, VETH_INFO_PEER, &ifi, sizeof(ifi));
	rtnl_attr_str(&m, IFLA_IFNAME, CONTAINER_IFNAME);
	rtnl_attr_u32(&m, IFLA_NET_NS_FD, (uint32_t) netns_fd);
	rtnl_attr_u32(&m, IFLA_MTU, n->mtu);
	rtnl_attr(&m, IFLA_ADDRESS, mac, MAC_LEN);
	rtnl_nest_end(&m, peer);
	rtnl_nest_end(&m, data);
	rtnl_nest_end(&m, info);
	return rtnl_talk(fd, &m);
}

static int route_default(int fd, int ifindex, uint32_t gateway)
{
	struct rtmsg rt = {.rtm_family = AF_INET,
			   .rtm_table = RT_TABLE_MAIN,
			   .rtm_protocol = RTPROT_BOOT,
			   .rtm_scope = RT_SCOPE_UNIVERSE,
			   .rtm_type = RTN_UNICAST};
	uint32_t gw = htonl(gateway);
	struct rtnl_msg m;

	rtnl_msg_init(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rt, sizeof(rt));
	rtnl_attr(&m, RTA_GATEWAY, &gw, sizeof(gw));
	rtnl_attr_u32(&m, RTA_OIF, (uint32_t) ifindex);
	return rtnl_talk(fd, &m);
}

/* Inside the container's namespace: eth0's address, up, the default route. */
static int setup_inside(int ct_fd, const struct network *n, uint32_t ip, struct berr **err)
{
	uint32_t addr = htonl(ip);
	int index = rtnl_link_index(ct_fd, CONTAINER_IFNAME), r;

	if (index < 0)
		return berr_sys(err, -index, "cannot find %s in the container", CONTAINER_IFNAME);
	if ((r = rtnl_addr_add(ct_fd, index, AF_INET, &addr, sizeof(addr), n->subnet.len)) < 0)
		return berr_sys(err, -r, "cannot give %s its address", CONTAINER_IFNAME);
	r = rtnl_link_set(ct_fd, index, &(struct rtnl_link_change){.netns_fd = -1, .up = true});
	if (r < 0)
		return berr_sys(err, -r, "cannot set %s up", CONTAINER_IFNAME);
	if (!n->internal && (r = route_default(ct_fd, index, n->gateway)) < 0)
		return berr_sys(err, -r, "cannot add the default route");
	return 0;
}

/* Remove a host end of that name left by an earlier start killed half-way. */
static int remove_stale(int fd, const char *host, struct berr **err)
{
	int index = rtnl_link_index(fd, host), r;

	if (index == -ENODEV)
		return 0;
	if (index < 0)
		return berr_sys(err, -index, "cannot look for '%s'", host);
	if ((r = rtnl_link_del(fd, index)) < 0 && r != -ENODEV)
		return berr_sys(err, -r, "cannot remove the stale '%s'", host);
	return 0;
}

int veth_attach(const struct network *n, const struct ipam_entry *ep, const char *netns_path,
		struct berr **err)
{
	_cleanup_close_ int fd = rtnl_open(), netns = -1, ct_fd = -1;
	unsigned char mac[MAC_LEN];
	char host[IFNAMSIZ];
	int bridge, index, r;

	if (fd < 0)
		return berr_sys(err, -fd, "network %s: netlink", n->name);
	netns = open(netns_path, O_RDONLY | O_CLOEXEC);
	if (netns < 0)
		return berr_sys(err, errno, "cannot open the network namespace '%s'", netns_path);
	if ((bridge = bridge_ensure(fd, n, err)) < 0)
		return berr_wrap(err, "network %s", n->name);
	veth_host_name(ep->id, host);
	if ((r = remove_stale(fd, host, err)) < 0)
		return r;
	ipam_entry_mac(ep, mac);
	if ((r = veth_add(fd, n, host, bridge, netns, mac)) < 0)
		return berr_sys(err, -r, "network %s: cannot create the veth pair '%s'", n->name,
				host);
	if ((index = rtnl_link_index(fd, host)) < 0 ||
	    (r = rtnl_link_set(fd, index, &(struct rtnl_link_change){.netns_fd = -1, .up = true})) <
		    0)
		return berr_sys(err, index < 0 ? -index : -r, "cannot set '%s' up", host);
	if ((ct_fd = rtnl_open_in(netns)) < 0)
		return berr_sys(err, -ct_fd, "network %s: netlink in the container", n->name);
	if ((r = setup_inside(ct_fd, n, ep->ip, err)) < 0)
		return berr_wrap(err, "network %s", n->name);
	return 0;
}

int veth_remove(const char *id)
{
	_cleanup_close_ int fd = rtnl_open();
	char host[IFNAMSIZ];
	int index, r;

	if (fd < 0)
		return fd;
	index = rtnl_link_index(fd, veth_host_name(id, host));
	if (index == -ENODEV)
		return 0;
	if (index < 0)
		return index;
	r = rtnl_link_del(fd, index);
	return r == -ENODEV ? 0 : r;
}
