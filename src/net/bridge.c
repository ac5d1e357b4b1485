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

static int bridge_add(int fd, const struct network *n)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct rtattr *info;
	struct rtnl_msg m;

	rtnl_msg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
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

	r = bridge_add(fd, n);
	if (r < 0 && r != -EEXIST)
		return berr_sys(err, -r, "cannot create the bridge '%s'", n->bridge);
	if ((index = rtnl_link_index(fd, n->bridge)) < 0)
		return berr_sys(err, -index, "cannot find the bridge '%s'", n->bridge);
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
