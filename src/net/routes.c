/* SPDX-License-Identifier: Apache-2.0 */
#include "net/routes.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/rtnl.h"

#define ROUTES_MAX 65536

struct route_list {
	struct cidr *v;
	size_t n;
};

static int keep_route(const struct nlmsghdr *h, void *userdata)
{
	const struct rtmsg *rt = NLMSG_DATA(h);
	struct route_list *l = userdata;
	int len = (int) RTM_PAYLOAD(h);
	struct cidr *v;
	uint32_t dst = 0;

	if (h->nlmsg_type != RTM_NEWROUTE || rt->rtm_family != AF_INET || rt->rtm_dst_len == 0 ||
	    rt->rtm_table == RT_TABLE_LOCAL)
		return 0;
	for (const struct rtattr *a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) == 4)
			memcpy(&dst, RTA_DATA(a), 4);
	if (l->n >= ROUTES_MAX)
		return -E2BIG;
	if (!(v = realloc(l->v, (l->n + 1) * sizeof(*v))))
		return -ENOMEM;
	l->v = v;
	v[l->n].len = rt->rtm_dst_len;
	v[l->n].addr = ntohl(dst) & cidr_mask(rt->rtm_dst_len);
	l->n++;
	return 0;
}

int routes_ipv4(struct cidr **ret, size_t *ret_n, struct berr **err)
{
	struct rtmsg rt = {.rtm_family = AF_INET};
	struct route_list l = {0};
	_cleanup_close_ int fd = rtnl_open();
	struct rtnl_msg m;
	int r;

	if (fd < 0)
		return berr_sys(err, -fd, "reading the routes: netlink");
	rtnl_msg_init(&m, RTM_GETROUTE, 0, &rt, sizeof(rt));
	if ((r = rtnl_dump(fd, &m, keep_route, &l)) < 0) {
		free(l.v);
		return berr_sys(err, -r, "reading the routes");
	}
	*ret = l.v;
	*ret_n = l.n;
	return 0;
}
