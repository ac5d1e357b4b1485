/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rtnetlink, the little of it berth needs: build a request (a header, attributes, nested
 * attributes), send it and read the kernel's ack, dump tables, and a few link and address
 * requests on top. Shared by the runtime (linux.netDevices, lo) and src/net (bridges,
 * veths, routes). No state: each call takes the socket (bound to one network namespace).
 */
#ifndef BERTH_LIB_RTNL_H
#define BERTH_LIB_RTNL_H

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTNL_MSG_MAX 1024

/* One request: the netlink header, the family header, attributes. */
struct rtnl_msg {
	struct nlmsghdr nh;
	char data[RTNL_MSG_MAX];
	bool overflow; /* an attribute did not fit: rtnl_talk fails with -ENOBUFS */
};

/* Start m as a request of type with flags (NLM_F_REQUEST|NLM_F_ACK added by rtnl_talk). */
void rtnl_msg_init(struct rtnl_msg *m, uint16_t type, uint16_t flags, const void *hdr,
		   size_t hdrlen);
/* Append one attribute; returns it (for rtnl_nest_end), NULL when it did not fit. */
struct rtattr *rtnl_attr(struct rtnl_msg *m, uint16_t type, const void *data, size_t len);
static inline struct rtattr *rtnl_attr_u32(struct rtnl_msg *m, uint16_t type, uint32_t v)
{
	return rtnl_attr(m, type, &v, sizeof(v));
}
static inline struct rtattr *rtnl_attr_str(struct rtnl_msg *m, uint16_t type, const char *s)
{
	return rtnl_attr(m, type, s, __builtin_strlen(s) + 1);
}
/* A nested attribute: begin returns it, end sets its length to what was added since. */
struct rtattr *rtnl_nest_begin(struct rtnl_msg *m, uint16_t type);
void rtnl_nest_end(struct rtnl_msg *m, struct rtattr *nest);

/* A NETLINK_ROUTE socket (CLOEXEC) in this namespace, or -errno. The caller closes it. */
int rtnl_open(void);
/* The same in the network namespace netns_fd (setns there and back), or -errno. */
int rtnl_open_in(int netns_fd);

/* Send m with NLM_F_ACK and read the ack: 0 or the kernel's -errno. */
int rtnl_talk(int fd, struct rtnl_msg *m);

/* For each message of a dump (m has NLM_F_DUMP); cb returns < 0 to stop with that. */
typedef int (*rtnl_dump_fn)(const struct nlmsghdr *h, void *userdata);
int rtnl_dump(int fd, struct rtnl_msg *m, rtnl_dump_fn cb, void *userdata);

/* The ifindex of the link called name in fd's namespace, -ENODEV, or -errno. */
int rtnl_link_index(int fd, const char *name);
/*
 * RTM_NEWLINK on ifindex: move it to netns_fd (>= 0), rename it (name), set its MTU
 * (mtu > 0), its master (master > 0), and IFF_UP when up. 0 or -errno.
 */
struct rtnl_link_change {
	int netns_fd;
	const char *name;
	uint32_t mtu;
	int master;
	bool up;
};
int rtnl_link_set(int fd, int ifindex, const struct rtnl_link_change *c);
/* Delete the link ifindex. */
int rtnl_link_del(int fd, int ifindex);
/* Add a permanent address (family AF_INET or AF_INET6, len bytes) of global scope. */
int rtnl_addr_add(int fd, int ifindex, unsigned char family, const void *addr, size_t len,
		  unsigned char prefixlen);

#endif
