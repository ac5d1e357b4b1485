/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/rtnl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/cleanup.h"

void rtnl_msg_init(struct rtnl_msg *m, uint16_t type, uint16_t flags, const void *hdr,
		   size_t hdrlen)
{
	memset(m, 0, sizeof(*m));
	m->nh.nlmsg_type = type;
	m->nh.nlmsg_flags = flags;
	m->nh.nlmsg_len = (uint32_t) NLMSG_LENGTH(hdrlen);
	memcpy(NLMSG_DATA(&m->nh), hdr, hdrlen);
}

struct rtattr *rtnl_attr(struct rtnl_msg *m, uint16_t type, const void *data, size_t len)
{
	size_t at = NLMSG_ALIGN(m->nh.nlmsg_len);
	struct rtattr *a;

	if (at + RTA_SPACE(len) > sizeof(m->nh) + sizeof(m->data)) {
		m->overflow = true;
		return NULL;
	}
	a = (struct rtattr *) ((char *) &m->nh + at);
	a->rta_type = type;
	a->rta_len = (unsigned short) RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	m->nh.nlmsg_len = (uint32_t) (at + RTA_ALIGN(a->rta_len));
	return a;
}

struct rtattr *rtnl_nest_begin(struct rtnl_msg *m, uint16_t type)
{
	return rtnl_attr(m, type, NULL, 0);
}

void rtnl_nest_end(struct rtnl_msg *m, struct rtattr *nest)
{
	if (nest)
		nest->rta_len =
			(unsigned short) ((char *) &m->nh + m->nh.nlmsg_len - (char *) nest);
}

int rtnl_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	return fd < 0 ? -errno : fd;
}

int rtnl_open_in(int netns_fd)
{
	_cleanup_close_ int own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int fd, e;

	if (own < 0)
		return -errno;
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return -errno;
	fd = rtnl_open();
	e = setns(own, CLONE_NEWNET) < 0 ? -errno : 0;
	if (e < 0 && fd >= 0)
		(void) close(fd);
	return e < 0 ? e : fd;
}

static ssize_t recv_some(int fd, char *buf, size_t size)
{
	ssize_t n;

	do
		n = recv(fd, buf, size, 0);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

int rtnl_talk(int fd, struct rtnl_msg *m)
{
	char buf[4096];
	ssize_t n;

	if (m->overflow)
		return -ENOBUFS;
	m->nh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (send(fd, &m->nh, m->nh.nlmsg_len, 0) < 0)
		return -errno;
	if ((n = recv_some(fd, buf, sizeof(buf))) < 0)
		return (int) n;
	for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, (unsigned) n);
	     h = NLMSG_NEXT(h, n))
		if (h->nlmsg_type == NLMSG_ERROR)
			return ((struct nlmsgerr *) NLMSG_DATA(h))->error;
	return -EPROTO;
}

int rtnl_dump(int fd, struct rtnl_msg *m, rtnl_dump_fn cb, void *userdata)
{
	char buf[16384];

	m->nh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_DUMP;
	if (send(fd, &m->nh, m->nh.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		ssize_t len = recv_some(fd, buf, sizeof(buf));

		if (len < 0)
			return (int) len;
		if (len == 0)
			return -EPROTO;
		for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, (unsigned) len);
		     h = NLMSG_NEXT(h, len)) {
			int r;

			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *) NLMSG_DATA(h))->error;
			if ((r = cb(h, userdata)) < 0)
				return r;
		}
	}
}

int rtnl_link_index(int fd, const char *name)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct rtnl_msg m;
	char buf[8192];
	ssize_t n;

	rtnl_msg_init(&m, RTM_GETLINK, NLM_F_REQUEST, &ifi, sizeof(ifi));
	rtnl_attr_str(&m, IFLA_IFNAME, name);
	if (m.overflow)
		return -ENOBUFS;
	if (send(fd, &m.nh, m.nh.nlmsg_len, 0) < 0)
		return -errno;
	if ((n = recv_some(fd, buf, sizeof(buf))) < 0)
		return (int) n;
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

int rtnl_link_set(int fd, int ifindex, const struct rtnl_link_change *c)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC,
				.ifi_index = ifindex,
				.ifi_flags = c->up ? IFF_UP : 0,
				.ifi_change = c->up ? IFF_UP : 0};
	struct rtnl_msg m;

	rtnl_msg_init(&m, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	if (c->netns_fd >= 0)
		rtnl_attr_u32(&m, IFLA_NET_NS_FD, (uint32_t) c->netns_fd);
	if (c->name)
		rtnl_attr_str(&m, IFLA_IFNAME, c->name);
	if (c->mtu)
		rtnl_attr_u32(&m, IFLA_MTU, c->mtu);
	if (c->master > 0)
		rtnl_attr_u32(&m, IFLA_MASTER, (uint32_t) c->master);
	return rtnl_talk(fd, &m);
}

int rtnl_link_del(int fd, int ifindex)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	struct rtnl_msg m;

	rtnl_msg_init(&m, RTM_DELLINK, 0, &ifi, sizeof(ifi));
	return rtnl_talk(fd, &m);
}

int rtnl_addr_add(int fd, int ifindex, unsigned char family, const void *addr, size_t len,
		  unsigned char prefixlen)
{
	struct ifaddrmsg ifa = {.ifa_family = family,
				.ifa_prefixlen = prefixlen,
				.ifa_flags = IFA_F_PERMANENT,
				.ifa_scope = RT_SCOPE_UNIVERSE,
				.ifa_index = (unsigned) ifindex};
	struct rtnl_msg m;

	rtnl_msg_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
	rtnl_attr(&m, IFA_LOCAL, addr, len);
	rtnl_attr(&m, IFA_ADDRESS, addr, len);
	return rtnl_talk(fd, &m);
}
