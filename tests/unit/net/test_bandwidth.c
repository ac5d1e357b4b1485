/* SPDX-License-Identifier: Apache-2.0 */
/* src/net/bandwidth.c: the flags' values, the bucket's defaults, the tc requests. Pure. */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/tc_act/tc_mirred.h>
#include <string.h>

#include "lib/test.h"
#include "net/bandwidth.h"

static uint64_t rate(const char *s)
{
	uint64_t v = 12345;

	ASSERT_OK(bandwidth_parse_rate(s, &v, NULL));
	return v;
}

static void test_rates(void)
{
	ASSERT_EQ_U64(rate("20m"), 20000000);
	ASSERT_EQ_U64(rate("20M"), 20000000);
	ASSERT_EQ_U64(rate("20mbit"), 20000000);
	ASSERT_EQ_U64(rate("1.5g"), 1500000000);
	ASSERT_EQ_U64(rate("500k"), 500000);
	ASSERT_EQ_U64(rate("1000"), 1000);
	ASSERT_EQ_U64(rate("2t"), 2000000000000ULL);
	ASSERT_EQ_U64(rate("0"), 0);
}

static void test_bad_rates(void)
{
	const char *bad[] = {"",    "m",     "-1",  "20mb",  "20 m",
			     "20x", "1.2.3", "999", "1001t", "99999999999999999999999"};
	uint64_t v = 7;

	for (size_t k = 0; k < sizeof(bad) / sizeof(*bad); k++) {
		struct berr *err = NULL;

		ASSERT_EQ(bandwidth_parse_rate(bad[k], &v, &err), -EINVAL);
		ASSERT_CONTAINS(err->msg, "invalid rate");
		berr_free(err);
	}
	ASSERT_EQ_U64(v, 7);
}

static void test_bursts(void)
{
	uint64_t v = 0;
	struct berr *err = NULL;

	ASSERT_OK(bandwidth_parse_burst("64k", &v, NULL));
	ASSERT_EQ_U64(v, 65536);
	ASSERT_OK(bandwidth_parse_burst("1mb", &v, NULL));
	ASSERT_EQ_U64(v, 1048576);
	ASSERT_OK(bandwidth_parse_burst("0", &v, NULL));
	ASSERT_EQ_U64(v, 0);
	ASSERT_EQ(bandwidth_parse_burst("1k", &v, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "from 16k to 1g");
	err = berr_free(err);
	ASSERT_EQ(bandwidth_parse_burst("2g", &v, NULL), -EINVAL);
	ASSERT_EQ(bandwidth_parse_burst("64kbit", &v, NULL), -EINVAL);
}

static void test_defaults(void)
{
	/* 10 ms at the rate, at least 32 KiB; a burst given is kept */
	ASSERT_EQ(bandwidth_burst(&(struct bandwidth){20000000, 0}), 32768);
	ASSERT_EQ(bandwidth_burst(&(struct bandwidth){1000000000, 0}), 1250000);
	ASSERT_EQ(bandwidth_burst(&(struct bandwidth){20000000, 100000}), 100000);
	ASSERT_EQ(bandwidth_burst(&(struct bandwidth){BANDWIDTH_RATE_MAX, 0}), BANDWIDTH_BURST_MAX);
	/* 25 ms at 20 Mbit/s (62 500 bytes) plus the bucket */
	ASSERT_EQ(bandwidth_limit(&(struct bandwidth){20000000, 0}), 62500 + 32768);
	ASSERT_EQ(bandwidth_limit(&(struct bandwidth){BANDWIDTH_RATE_MAX, 0}), UINT32_MAX);
}

/* The attribute type in the list [a, a+len), NULL if absent. */
static struct rtattr *find(struct rtattr *a, size_t len, unsigned short type)
{
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == type)
			return a;
	return NULL;
}

static struct rtattr *msg_attrs(struct rtnl_msg *m, size_t *len)
{
	*len = m->nh.nlmsg_len - NLMSG_LENGTH(sizeof(struct tcmsg));
	return (struct rtattr *) ((char *) NLMSG_DATA(&m->nh) + NLMSG_ALIGN(sizeof(struct tcmsg)));
}

static struct rtattr *in(struct rtattr *nest, unsigned short type)
{
	ASSERT_NOT_NULL(nest);
	return find(RTA_DATA(nest), RTA_PAYLOAD(nest), type);
}

static const char *str(struct rtattr *a)
{
	static char buf[32];

	ASSERT_NOT_NULL(a);
	snprintf(buf, sizeof(buf), "%.*s", (int) RTA_PAYLOAD(a), (char *) RTA_DATA(a));
	return buf;
}

static void test_tbf_msg(void)
{
	struct rtnl_msg m;
	struct tcmsg *t = NLMSG_DATA(&m.nh);
	struct rtattr *a, *opts;
	struct tc_tbf_qopt *q;
	uint64_t rate64;
	size_t len;

	bandwidth_tbf_msg(&m, 7, &(struct bandwidth){20000000, 0});
	ASSERT_FALSE(m.overflow);
	ASSERT_EQ(m.nh.nlmsg_type, RTM_NEWQDISC);
	ASSERT_EQ(m.nh.nlmsg_flags, NLM_F_CREATE | NLM_F_REPLACE);
	ASSERT_EQ(t->tcm_ifindex, 7);
	ASSERT_EQ(t->tcm_parent, TC_H_ROOT);
	ASSERT_EQ(t->tcm_handle, 0x10000U);
	a = msg_attrs(&m, &len);
	ASSERT_STREQ(str(find(a, len, TCA_KIND)), "tbf");
	opts = find(a, len, TCA_OPTIONS);
	q = RTA_DATA(in(opts, TCA_TBF_PARMS));
	ASSERT_EQ(q->rate.rate, 2500000U);
	ASSERT_EQ(q->rate.linklayer, TC_LINKLAYER_ETHERNET);
	ASSERT_EQ(q->limit, 62500U + 32768);
	/* 32 768 bytes at 2.5 MB/s: 13 107 200 ns, in 64 ns ticks */
	ASSERT_EQ(q->buffer, 204800U);
	ASSERT_EQ(*(uint32_t *) RTA_DATA(in(opts, TCA_TBF_BURST)), 32768U);
	ASSERT_NULL(in(opts, TCA_TBF_RATE64));

	/* 40 Gbit/s does not fit the 32-bit field */
	bandwidth_tbf_msg(&m, 7, &(struct bandwidth){40000000000ULL, 0});
	a = msg_attrs(&m, &len);
	opts = find(a, len, TCA_OPTIONS);
	ASSERT_EQ(((struct tc_tbf_qopt *) RTA_DATA(in(opts, TCA_TBF_PARMS)))->rate.rate,
		  UINT32_MAX);
	/* netlink attributes are 4-byte aligned: a u64 is read with memcpy */
	memcpy(&rate64, RTA_DATA(in(opts, TCA_TBF_RATE64)), sizeof(rate64));
	ASSERT_EQ_U64(rate64, 5000000000ULL);
}

static void test_redirect_msg(void)
{
	struct rtnl_msg m;
	struct tcmsg *t = NLMSG_DATA(&m.nh);
	struct rtattr *a, *opts, *act;
	struct tc_u32_sel *sel;
	struct tc_mirred *mir;
	size_t len;

	bandwidth_redirect_msg(&m, 7, 9);
	ASSERT_FALSE(m.overflow);
	ASSERT_EQ(m.nh.nlmsg_type, RTM_NEWTFILTER);
	ASSERT_EQ(t->tcm_parent, 0xffff0000U);
	ASSERT_EQ(t->tcm_handle, 0x80000800U);
	ASSERT_EQ(t->tcm_info, TC_H_MAKE(1U << 16, htons(ETH_P_ALL)));
	a = msg_attrs(&m, &len);
	ASSERT_STREQ(str(find(a, len, TCA_KIND)), "u32");
	opts = find(a, len, TCA_OPTIONS);
	sel = RTA_DATA(in(opts, TCA_U32_SEL));
	ASSERT_EQ(sel->nkeys, 1);
	ASSERT_EQ(sel->flags, TC_U32_TERMINAL);
	ASSERT_EQ(sel->keys[0].mask, 0U);
	act = in(in(opts, TCA_U32_ACT), 1);
	ASSERT_STREQ(str(in(act, TCA_ACT_KIND)), "mirred");
	mir = RTA_DATA(in(in(act, TCA_ACT_OPTIONS), TCA_MIRRED_PARMS));
	ASSERT_EQ(mir->eaction, TCA_EGRESS_REDIR);
	ASSERT_EQ(mir->action, TC_ACT_STOLEN);
	ASSERT_EQ(mir->ifindex, 9U);
}

static void test_ingress_and_delete(void)
{
	struct rtnl_msg m;
	struct tcmsg *t = NLMSG_DATA(&m.nh);

	bandwidth_ingress_msg(&m, 3);
	ASSERT_EQ(t->tcm_parent, TC_H_INGRESS);
	ASSERT_EQ(t->tcm_handle, 0xffff0000U);
	ASSERT_EQ(m.nh.nlmsg_flags, NLM_F_CREATE | NLM_F_EXCL);
	bandwidth_qdisc_del_msg(&m, 3, false);
	ASSERT_EQ(m.nh.nlmsg_type, RTM_DELQDISC);
	ASSERT_EQ(t->tcm_parent, TC_H_ROOT);
}

static const struct test tests[] = {TEST(test_rates),
				    TEST(test_bad_rates),
				    TEST(test_bursts),
				    TEST(test_defaults),
				    TEST(test_tbf_msg),
				    TEST(test_redirect_msg),
				    TEST(test_ingress_and_delete),
				    {}};

int main(void)
{
	return test_main(tests);
}
