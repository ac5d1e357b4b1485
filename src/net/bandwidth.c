/* SPDX-License-Identifier: Apache-2.0 */
#include "net/bandwidth.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/tc_act/tc_mirred.h>
#include <string.h>
#include <strings.h>

#define NSEC_PER_SEC 1000000000ULL
#define PSCHED_SHIFT 6 /* the kernel's ticks: 64 ns */
#define TBF_HANDLE 0x00010000U
#define INGRESS_HANDLE 0xffff0000U
#define U32_HANDLE 0x80000800U /* 800::800 */

/*
 * digits[.digits] into *ret_num / *ret_den (a fraction) and the rest in *ret_end;
 * -EINVAL when there is no digit or too many.
 */
static int parse_decimal(const char *s, uint64_t *ret_num, uint64_t *ret_den, const char **ret_end)
{
	uint64_t num = 0, den = 1;
	bool any = false, point = false;

	for (; isdigit((unsigned char) *s) || (*s == '.' && !point); s++) {
		if (*s == '.') {
			point = true;
			continue;
		}
		if (num > UINT64_MAX / 100 || den > UINT64_MAX / 100)
			return -EINVAL;
		num = num * 10 + (uint64_t) (*s - '0');
		den *= point ? 10 : 1;
		any = true;
	}
	if (!any)
		return -EINVAL;
	*ret_num = num;
	*ret_den = den;
	*ret_end = s;
	return 0;
}

/* num/den * mult, -ERANGE above max. */
static int scale(uint64_t num, uint64_t den, uint64_t mult, uint64_t max, uint64_t *ret)
{
	unsigned __int128 v = (unsigned __int128) num * mult / den;

	if (v > max)
		return -ERANGE;
	*ret = (uint64_t) v;
	return 0;
}

static uint64_t suffix_mult(const char *sfx, uint64_t base, const char *unit)
{
	static const char order[] = "kmgt";
	const char *p = *sfx ? strchr(order, tolower((unsigned char) *sfx)) : NULL;
	uint64_t mult = 1;

	if (p) {
		for (const char *q = order; q <= p; q++)
			mult *= base;
		sfx++;
	}
	if (*sfx && strcasecmp(sfx, unit) != 0)
		return 0;
	return mult;
}

int bandwidth_parse_rate(const char *s, uint64_t *ret, struct berr **err)
{
	uint64_t num, den, mult, v;
	const char *end;

	if (parse_decimal(s, &num, &den, &end) < 0 || !(mult = suffix_mult(end, 1000, "bit")))
		return berr_set(err, EINVAL,
				"invalid rate '%s': bits per second, a number with an optional "
				"k, m, g or t (1k = 1000)",
				s);
	if (scale(num, den, mult, BANDWIDTH_RATE_MAX, &v) < 0 || (v && v < BANDWIDTH_RATE_MIN))
		return berr_set(err, EINVAL, "invalid rate '%s': 0 (no limit) or from 1k to 1000t",
				s);
	*ret = v;
	return 0;
}

int bandwidth_parse_burst(const char *s, uint64_t *ret, struct berr **err)
{
	uint64_t num, den, mult, v;
	const char *end;

	if (parse_decimal(s, &num, &den, &end) < 0 || !(mult = suffix_mult(end, 1024, "b")))
		return berr_set(err, EINVAL,
				"invalid burst '%s': bytes, a number with an optional k, m or g "
				"(1k = 1024)",
				s);
	if (scale(num, den, mult, BANDWIDTH_BURST_MAX, &v) < 0 || (v && v < BANDWIDTH_BURST_MIN))
		return berr_set(err, EINVAL,
				"invalid burst '%s': 0 (the default) or from 16k to 1g", s);
	*ret = v;
	return 0;
}

uint32_t bandwidth_burst(const struct bandwidth *b)
{
	uint64_t v = b->burst ? b->burst : b->rate / 8 / 100;

	if (!b->burst && v < BANDWIDTH_BURST_DEFAULT_MIN)
		v = BANDWIDTH_BURST_DEFAULT_MIN;
	return (uint32_t) (v > BANDWIDTH_BURST_MAX ? BANDWIDTH_BURST_MAX : v);
}

uint32_t bandwidth_limit(const struct bandwidth *b)
{
	uint64_t v = b->rate / 8 * BANDWIDTH_LATENCY_MS / 1000 + bandwidth_burst(b);

	return (uint32_t) (v > UINT32_MAX ? UINT32_MAX : v);
}

static void tcmsg_init(struct rtnl_msg *m, uint16_t type, uint16_t flags, int ifindex,
		       uint32_t handle, uint32_t parent)
{
	struct tcmsg t = {.tcm_family = AF_UNSPEC,
			  .tcm_ifindex = ifindex,
			  .tcm_handle = handle,
			  .tcm_parent = parent};

	rtnl_msg_init(m, type, flags, &t, sizeof(t));
}

void bandwidth_tbf_msg(struct rtnl_msg *m, int ifindex, const struct bandwidth *b)
{
	uint64_t bytes = b->rate / 8, ns;
	uint32_t burst = bandwidth_burst(b);
	struct tc_tbf_qopt q = {.rate = {.linklayer = TC_LINKLAYER_ETHERNET},
				.limit = bandwidth_limit(b)};
	struct rtattr *opts;

	/* the kernel computes the bucket from TCA_TBF_BURST; buffer says the same in ticks */
	q.rate.rate = bytes >= UINT32_MAX ? UINT32_MAX : (uint32_t) bytes;
	ns = bytes ? (uint64_t) burst * NSEC_PER_SEC / bytes : 0;
	q.buffer = (ns >> PSCHED_SHIFT) > UINT32_MAX ? UINT32_MAX : (uint32_t) (ns >> PSCHED_SHIFT);
	tcmsg_init(m, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, ifindex, TBF_HANDLE, TC_H_ROOT);
	rtnl_attr_str(m, TCA_KIND, "tbf");
	opts = rtnl_nest_begin(m, TCA_OPTIONS);
	rtnl_attr(m, TCA_TBF_PARMS, &q, sizeof(q));
	if (bytes >= UINT32_MAX)
		rtnl_attr(m, TCA_TBF_RATE64, &bytes, sizeof(bytes));
	rtnl_attr_u32(m, TCA_TBF_BURST, burst);
	rtnl_nest_end(m, opts);
}

void bandwidth_ingress_msg(struct rtnl_msg *m, int ifindex)
{
	tcmsg_init(m, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, ifindex, INGRESS_HANDLE,
		   TC_H_INGRESS);
	rtnl_attr_str(m, TCA_KIND, "ingress");
}

void bandwidth_qdisc_del_msg(struct rtnl_msg *m, int ifindex, bool ingress)
{
	tcmsg_init(m, RTM_DELQDISC, 0, ifindex, ingress ? INGRESS_HANDLE : 0,
		   ingress ? TC_H_INGRESS : TC_H_ROOT);
}

void bandwidth_redirect_msg(struct rtnl_msg *m, int ifindex, int ifb_index)
{
	struct tc_u32_sel_all {
		struct tc_u32_sel sel;
		struct tc_u32_key key;
	} sel = {.sel = {.flags = TC_U32_TERMINAL, .nkeys = 1}}; /* match u32 0 0 at 0 */
	struct tc_mirred mirred = {.action = TC_ACT_STOLEN,
				   .eaction = TCA_EGRESS_REDIR,
				   .ifindex = (uint32_t) ifb_index};
	struct rtattr *opts, *acts, *act, *aopts;

	tcmsg_init(m, RTM_NEWTFILTER, NLM_F_CREATE, ifindex, U32_HANDLE, INGRESS_HANDLE);
	((struct tcmsg *) NLMSG_DATA(&m->nh))->tcm_info = TC_H_MAKE(1U << 16, htons(ETH_P_ALL));
	rtnl_attr_str(m, TCA_KIND, "u32");
	opts = rtnl_nest_begin(m, TCA_OPTIONS);
	rtnl_attr(m, TCA_U32_SEL, &sel, sizeof(sel));
	acts = rtnl_nest_begin(m, TCA_U32_ACT);
	act = rtnl_nest_begin(m, 1);
	rtnl_attr_str(m, TCA_ACT_KIND, "mirred");
	aopts = rtnl_nest_begin(m, TCA_ACT_OPTIONS);
	rtnl_attr(m, TCA_MIRRED_PARMS, &mirred, sizeof(mirred));
	rtnl_nest_end(m, aopts);
	rtnl_nest_end(m, act);
	rtnl_nest_end(m, acts);
	rtnl_nest_end(m, opts);
}
