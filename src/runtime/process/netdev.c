/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/process/netdev.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/rtnl.h"
#include "runtime/process/namespaces.h"

/* Addresses of one device kept across the move (the kernel drops them on the way). */
#define NETDEV_MAX_ADDRS 64

struct saved_addr {
	unsigned char family;
	unsigned char prefixlen;
	unsigned char len;
	unsigned char addr[16];
};

static void keep_addr(const struct ifaddrmsg *ifa, int len, struct saved_addr *out, size_t *n)
{
	const struct rtattr *local = NULL, *address = NULL, *use;
	uint32_t flags = ifa->ifa_flags;

	for (const struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFA_LOCAL)
			local = a;
		else if (a->rta_type == IFA_ADDRESS)
			address = a;
		else if (a->rta_type == IFA_FLAGS)
			memcpy(&flags, RTA_DATA(a), sizeof(flags));
	}
	use = local ? local : address;
	/* config-linux.md: permanent addresses of global scope move with the device. */
	if (!use || !(flags & IFA_F_PERMANENT) || ifa->ifa_scope != RT_SCOPE_UNIVERSE ||
	    *n >= NETDEV_MAX_ADDRS || RTA_PAYLOAD(use) > sizeof(out->addr))
		return;
	out[*n].family = ifa->ifa_family;
	out[*n].prefixlen = ifa->ifa_prefixlen;
	out[*n].len = (unsigned char) RTA_PAYLOAD(use);
	memcpy(out[*n].addr, RTA_DATA(use), RTA_PAYLOAD(use));
	(*n)++;
}

struct save_ctx {
	int ifindex;
	struct saved_addr *out;
	size_t *n;
};

static int save_one(const struct nlmsghdr *h, void *userdata)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	struct save_ctx *c = userdata;

	if (h->nlmsg_type == RTM_NEWADDR && (int) ifa->ifa_index == c->ifindex)
		keep_addr(ifa, (int) IFA_PAYLOAD(h), c->out, c->n);
	return 0;
}

static int save_addrs(int fd, int ifindex, struct saved_addr *out, size_t *n)
{
	struct ifaddrmsg ifa = {0};
	struct save_ctx c = {ifindex, out, n};
	struct rtnl_msg m;

	*n = 0;
	rtnl_msg_init(&m, RTM_GETADDR, 0, &ifa, sizeof(ifa));
	return rtnl_dump(fd, &m, save_one, &c);
}

/*
 * Move host to the namespace under a temporary name (no clash possible), then give it
 * its name there: the kernel refuses a name in use (EEXIST) and fills in a "%d"
 * template. Then its addresses, and up.
 */
static int move_one(int host_fd, int ct_fd, int netns_fd, const struct kv *dev, struct berr **err)
{
	struct saved_addr addrs[NETDEV_MAX_ADDRS];
	const char *name = *dev->value ? dev->value : dev->key;
	char tmp[IFNAMSIZ];
	size_t n = 0;
	int index, r;

	index = rtnl_link_index(host_fd, dev->key);
	if (index < 0)
		return berr_sys(err, -index, "no device '%s' in the runtime's namespace", dev->key);
	if ((r = save_addrs(host_fd, index, addrs, &n)) < 0)
		return berr_sys(err, -r, "reading the addresses of '%s'", dev->key);
	snprintf(tmp, sizeof(tmp), "bt%x", (unsigned) getpid() ^ (unsigned) index << 16);
	if ((r = rtnl_link_set(host_fd, index,
			       &(struct rtnl_link_change){.netns_fd = netns_fd, .name = tmp})) < 0)
		return berr_sys(err, -r, "moving '%s' into the container", dev->key);
	index = rtnl_link_index(ct_fd, tmp);
	if (index < 0)
		return berr_sys(err, -index, "finding '%s' in the container", dev->key);
	if ((r = rtnl_link_set(ct_fd, index,
			       &(struct rtnl_link_change){.netns_fd = -1, .name = name})) < 0)
		return berr_sys(err, -r, "naming it '%s' in the container%s", name,
				r == -EEXIST ? " (the name is taken there)" : "");
	for (size_t i = 0; i < n; i++)
		if ((r = rtnl_addr_add(ct_fd, index, addrs[i].family, addrs[i].addr, addrs[i].len,
				       addrs[i].prefixlen)) < 0 &&
		    r != -EEXIST)
			return berr_sys(err, -r, "restoring an address of '%s'", name);
	if ((r = rtnl_link_set(ct_fd, index,
			       &(struct rtnl_link_change){.netns_fd = -1, .up = true})) < 0)
		return berr_sys(err, -r, "setting '%s' up", name);
	return 0;
}

int netdev_move_all(const struct spec_linux *l, pid_t pid, struct berr **err)
{
	_cleanup_close_ int netns = -1, host_fd = -1, ct_fd = -1;
	char path[64];

	if (!l->n_net_devices)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int) pid);
	netns = open(path, O_RDONLY | O_CLOEXEC);
	if (netns < 0)
		return berr_sys(err, errno, "linux.netDevices: opening the container's namespace");
	host_fd = rtnl_open();
	ct_fd = host_fd < 0 ? -1 : rtnl_open_in(netns);
	if (host_fd < 0 || ct_fd < 0)
		return berr_sys(err, -(host_fd < 0 ? host_fd : ct_fd), "linux.netDevices: netlink");
	for (size_t i = 0; i < l->n_net_devices; i++) {
		int r = move_one(host_fd, ct_fd, netns, &l->net_devices[i], err);

		if (r < 0)
			return berr_wrap(err, "linux.netDevices[\"%s\"]", l->net_devices[i].key);
	}
	return 0;
}

/* The kernel gives every network namespace's loopback this index. */
#define LOOPBACK_IFINDEX 1

int netdev_loopback_up(const struct spec_linux *l, struct berr **err)
{
	_cleanup_close_ int fd = -1;
	int r;

	if (!l->ns[NS_NET].enabled || l->ns[NS_NET].path)
		return 0;
	fd = rtnl_open();
	if (fd < 0)
		return berr_sys(err, -fd, "bringing up the loopback interface: netlink");
	r = rtnl_link_set(fd, LOOPBACK_IFINDEX,
			  &(struct rtnl_link_change){.netns_fd = -1, .up = true});
	if (r < 0)
		return berr_sys(err, -r, "bringing up the loopback interface");
	return 0;
}

static bool valid_name(const char *n)
{
	size_t len = strlen(n);

	if (!len || len >= IFNAMSIZ || !strcmp(n, ".") || !strcmp(n, ".."))
		return false;
	for (const char *c = n; *c; c++)
		if (*c == '/' || *c == ':' || *c <= ' ' || *c == 0x7f)
			return false;
	return true;
}

int netdev_validate(const struct spec_linux *l, struct berr **err)
{
	for (size_t i = 0; i < l->n_net_devices; i++) {
		const struct kv *d = &l->net_devices[i];

		if (!valid_name(d->key))
			return berr_set(err, EINVAL,
					"linux.netDevices[\"%s\"]: not a valid interface name",
					d->key);
		if (*d->value && !valid_name(d->value))
			return berr_set(err, EINVAL,
					"linux.netDevices[\"%s\"].name: '%s' is not a valid "
					"interface name",
					d->key, d->value);
	}
	return 0;
}

int netdev_check_present(const struct spec_linux *l, struct berr **err)
{
	for (size_t i = 0; i < l->n_net_devices; i++)
		if (if_nametoindex(l->net_devices[i].key) == 0)
			return berr_sys(err, errno == ENXIO ? ENODEV : errno,
					"linux.netDevices[\"%s\"]: no such device in the "
					"runtime's network namespace",
					l->net_devices[i].key);
	return 0;
}
