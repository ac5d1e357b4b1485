/* SPDX-License-Identifier: Apache-2.0 */
#include "net/tc.h"

#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/rtnl.h"

char *tc_ifb_name(const char *id, char *buf)
{
	snprintf(buf, IFNAMSIZ, "vbi%.12s", id);
	return buf;
}

static int link_del_by_name(int fd, const char *name)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct rtnl_msg m;
	int r;

	rtnl_msg_init(&m, RTM_DELLINK, 0, &ifi, sizeof(ifi));
	rtnl_attr_str(&m, IFLA_IFNAME, name);
	r = rtnl_talk(fd, &m);
	return r == -ENODEV ? 0 : r;
}

int tc_ifb_remove(const char *id)
{
	_cleanup_close_ int fd = rtnl_open();
	char name[IFNAMSIZ];

	if (fd < 0)
		return fd;
	return link_del_by_name(fd, tc_ifb_name(id, name));
}

/* The ifb called name, made (up) if missing; its ifindex or -errno. */
static int ifb_ensure(int fd, const char *name, struct berr **err)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP, .ifi_change = IFF_UP};
	struct rtattr *info;
	struct rtnl_msg m;
	int index = rtnl_link_index(fd, name), r;

	if (index >= 0 || index != -ENODEV)
		return index >= 0 ? index : berr_sys(err, -index, "cannot look for '%s'", name);
	rtnl_msg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
	rtnl_attr_str(&m, IFLA_IFNAME, name);
	info = rtnl_nest_begin(&m, IFLA_LINKINFO);
	rtnl_attr_str(&m, IFLA_INFO_KIND, "ifb");
	rtnl_nest_end(&m, info);
	if ((r = rtnl_talk(fd, &m)) < 0)
		return berr_sys(err, -r, "cannot create the ifb device '%s'", name);
	if ((index = rtnl_link_index(fd, name)) < 0)
		return berr_sys(err, -index, "cannot find the new ifb device '%s'", name);
	return index;
}

/* Delete a root or ingress qdisc; none there is fine. */
static int qdisc_del(int fd, int ifindex, bool ingress)
{
	struct rtnl_msg m;
	int r;

	bandwidth_qdisc_del_msg(&m, ifindex, ingress);
	r = rtnl_talk(fd, &m);
	return r == -ENOENT || r == -EINVAL ? 0 : r;
}

static int shape(int fd, int ifindex, const char *dev, const struct bandwidth *b, struct berr **err)
{
	struct rtnl_msg m;
	int r;

	bandwidth_tbf_msg(&m, ifindex, b);
	if ((r = rtnl_talk(fd, &m)) < 0)
		return berr_sys(err, -r, "cannot set the token bucket (tbf) of '%s'", dev);
	return 0;
}

/* Redirect what enters host to the ifb (made if missing), shaped by its TBF. */
static int egress_on(int fd, int host_index, const char *host, const char *ifb,
		     const struct bandwidth *b, struct berr **err)
{
	struct rtnl_msg m;
	int ifb_index, r;

	if ((ifb_index = ifb_ensure(fd, ifb, err)) < 0)
		return ifb_index;
	if ((r = shape(fd, ifb_index, ifb, b, err)) < 0)
		return r;
	bandwidth_ingress_msg(&m, host_index);
	if ((r = rtnl_talk(fd, &m)) < 0 && r != -EEXIST)
		return berr_sys(err, -r, "cannot add the ingress qdisc of '%s'", host);
	bandwidth_redirect_msg(&m, host_index, ifb_index);
	if ((r = rtnl_talk(fd, &m)) < 0)
		return berr_sys(err, -r, "cannot redirect '%s' to '%s'", host, ifb);
	return 0;
}

/* The filter goes before the ifb: a redirect to a missing device would drop everything. */
static int egress_off(int fd, int host_index, const char *host, const char *ifb, struct berr **err)
{
	int r;

	if ((r = qdisc_del(fd, host_index, true)) < 0)
		return berr_sys(err, -r, "cannot remove the ingress qdisc of '%s'", host);
	if ((r = link_del_by_name(fd, ifb)) < 0)
		return berr_sys(err, -r, "cannot remove the ifb device '%s'", ifb);
	return 0;
}

int tc_bandwidth_apply(const char *host, const char *id, const struct bandwidth *ingress,
		       const struct bandwidth *egress, struct berr **err)
{
	_cleanup_close_ int fd = rtnl_open();
	char ifb[IFNAMSIZ];
	int index, r;

	if (fd < 0)
		return berr_sys(err, -fd, "bandwidth: netlink");
	if ((index = rtnl_link_index(fd, host)) < 0)
		return berr_sys(err, -index, "bandwidth: cannot find '%s'", host);
	if (ingress->rate)
		r = shape(fd, index, host, ingress, err);
	else if ((r = qdisc_del(fd, index, false)) < 0)
		r = berr_sys(err, -r, "cannot remove the root qdisc of '%s'", host);
	if (r < 0)
		return berr_wrap(err, "bandwidth");
	tc_ifb_name(id, ifb);
	r = egress->rate ? egress_on(fd, index, host, ifb, egress, err)
			 : egress_off(fd, index, host, ifb, err);
	return r < 0 ? berr_wrap(err, "bandwidth") : 0;
}
