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
#include "runtime/process/namespaces.h"

/* Addresses of one device kept across the move (the kernel drops them on the way). */
#define NETDEV_MAX_ADDRS 64

struct saved_addr {
	unsigned char family;
	unsigned char prefixlen;
	unsigned char len;
	unsigned char addr[16];
};

struct nlreq {
	struct nlmsghdr nh;
	union {
		struct ifinfomsg ifi;
		struct ifaddrmsg ifa;
	};
	char attrs[256];
};

static void add_attr(struct nlreq *r, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *) ((char *) r + NLMSG_ALIGN(r->nh.nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short) RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

static int nl_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	return fd < 0 ? -errno : fd;
}

/* Send a request and read its ack: 0 or the kernel's -errno. */
static int nl_talk(int fd, struct nlreq *r)
{
	char buf[4096];
	ssize_t n;

	r->nh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (send(fd, r, r->nh.nlmsg_len, 0) < 0)
		return -errno;
	do
		n = recv(fd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, (unsigned) n);
	     h = NLMSG_NEXT(h, n))
		if (h->nlmsg_type == NLMSG_ERROR)
			return ((struct nlmsgerr *) NLMSG_DATA(h))->error;
	return -EPROTO;
}

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

static int save_addrs(int fd, int ifindex, struct saved_addr *out, size_t *n)
{
	struct nlreq r = {.nh = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)),
				 .nlmsg_type = RTM_GETADDR,
				 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP}};
	char buf[16384];

	*n = 0;
	if (send(fd, &r, r.nh.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);

		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0)
			return -errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, (unsigned) len);
		     h = NLMSG_NEXT(h, len)) {
			struct ifaddrmsg *ifa = NLMSG_DATA(h);

			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *) NLMSG_DATA(h))->error;
			if (h->nlmsg_type == RTM_NEWADDR && (int) ifa->ifa_index == ifindex)
				keep_addr(ifa, (int) IFA_PAYLOAD(h), out, n);
		}
	}
}

/* The ifindex of the device called name in the socket's namespace, or -errno. */
static int link_index(int fd, const char *name)
{
	struct nlreq r = {.nh = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
				 .nlmsg_type = RTM_GETLINK,
				 .nlmsg_flags = NLM_F_REQUEST},
			  .ifi = {.ifi_family = AF_UNSPEC}};
	char buf[8192];
	ssize_t n;

	add_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
	if (send(fd, &r, r.nh.nlmsg_len, 0) < 0)
		return -errno;
	do
		n = recv(fd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, (unsigned) n);
	     h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type == NLMSG_ERROR) {
			int e = ((struct nlmsgerr *) NLMSG_DATA(h))->error;

			return e ? e : -ENODEV;
		}
		if (h->nlmsg_type == RTM_NEWLINK)
			return ((struct ifinfomsg *) NLMSG_DATA(h))->ifi_index;
	}
	return -EPROTO;
}

/* RTM_NEWLINK on ifindex with one IFLA_* string attribute, or an fd one (netns). */
static int set_link(int fd, int ifindex, int netns_fd, const char *name, unsigned up)
{
	struct nlreq r = {.nh = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
				 .nlmsg_type = RTM_NEWLINK},
			  .ifi = {.ifi_family = AF_UNSPEC,
				  .ifi_index = ifindex,
				  .ifi_flags = up,
				  .ifi_change = up}};
	uint32_t nsfd = (uint32_t) netns_fd;

	if (netns_fd >= 0)
		add_attr(&r, IFLA_NET_NS_FD, &nsfd, sizeof(nsfd));
	if (name)
		add_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
	return nl_talk(fd, &r);
}

/* A netlink socket in the network namespace netns_fd (it stays bound to it). */
static int nl_open_in(int netns_fd)
{
	_cleanup_close_ int own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int fd, e;

	if (own < 0)
		return -errno;
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return -errno;
	fd = nl_open();
	e = setns(own, CLONE_NEWNET) < 0 ? -errno : 0;
	if (e < 0 && fd >= 0)
		(void) close(fd);
	return e < 0 ? e : fd;
}

static int add_addr(int fd, int ifindex, const struct saved_addr *a)
{
	struct nlreq r = {.nh = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)),
				 .nlmsg_type = RTM_NEWADDR,
				 .nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL},
			  .ifa = {.ifa_family = a->family,
				  .ifa_prefixlen = a->prefixlen,
				  .ifa_flags = IFA_F_PERMANENT,
				  .ifa_scope = RT_SCOPE_UNIVERSE,
				  .ifa_index = (unsigned) ifindex}};

	add_attr(&r, IFA_LOCAL, a->addr, a->len);
	add_attr(&r, IFA_ADDRESS, a->addr, a->len);
	return nl_talk(fd, &r);
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

	index = link_index(host_fd, dev->key);
	if (index < 0)
		return berr_sys(err, -index, "no device '%s' in the runtime's namespace", dev->key);
	if ((r = save_addrs(host_fd, index, addrs, &n)) < 0)
		return berr_sys(err, -r, "reading the addresses of '%s'", dev->key);
	snprintf(tmp, sizeof(tmp), "bt%x", (unsigned) getpid() ^ (unsigned) index << 16);
	if ((r = set_link(host_fd, index, netns_fd, tmp, 0)) < 0)
		return berr_sys(err, -r, "moving '%s' into the container", dev->key);
	index = link_index(ct_fd, tmp);
	if (index < 0)
		return berr_sys(err, -index, "finding '%s' in the container", dev->key);
	if ((r = set_link(ct_fd, index, -1, name, 0)) < 0)
		return berr_sys(err, -r, "naming it '%s' in the container%s", name,
				r == -EEXIST ? " (the name is taken there)" : "");
	for (size_t i = 0; i < n; i++)
		if ((r = add_addr(ct_fd, index, &addrs[i])) < 0 && r != -EEXIST)
			return berr_sys(err, -r, "restoring an address of '%s'", name);
	if ((r = set_link(ct_fd, index, -1, NULL, IFF_UP)) < 0)
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
	host_fd = nl_open();
	ct_fd = host_fd < 0 ? -1 : nl_open_in(netns);
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
	fd = nl_open();
	if (fd < 0)
		return berr_sys(err, -fd, "bringing up the loopback interface: netlink");
	r = set_link(fd, LOOPBACK_IFINDEX, -1, NULL, IFF_UP);
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
