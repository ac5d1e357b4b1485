/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /networks: list, inspect, create, DELETE and prune, with the network store's calls
 * (net/network.h) and the CLI's inspect document (berth_network_json). connect and
 * disconnect are 501: the engine attaches a container to its networks at create only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "engine/container_network.h"
#include "lib/cleanup.h"
#include "lib/strv.h"
#include "net/network.h"

/* The engine of r and its network store (*ret), or NULL after replying 500. */
static struct engine *nets_of(struct api_req *r, struct net_root *ret)
{
	struct engine *e = api_engine(r);

	if (e)
		*ret = engine_net_root(e);
	return e;
}

/* ?filters= into *ret, checked as network ls checks them; -EINVAL after replying 400. */
static int read_filters(struct api_req *r, char ***ret)
{
	_cleanup_berr_ struct berr *err = NULL;
	int ret_r;

	if ((ret_r = api_filters_parse(api_query(r, "filters"), ret, &err)) < 0 ||
	    (ret_r = network_filter_check(*ret, &err)) < 0) {
		api_reply_berr(r, EINVAL, err);
		return -EINVAL;
	}
	return 0;
}

int api_networks_list(struct api_req *r)
{
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_strv_ char **filters = NULL;
	_cleanup_jw_ struct jwriter *out = jw_array();
	struct network *v = NULL;
	struct net_root nr;
	struct engine *e;
	size_t n = 0;
	int ret;

	if (read_filters(r, &filters) < 0 || !(e = nets_of(r, &nr)))
		return 0;
	if ((ret = network_list(&nr, &v, &n, &err)) < 0)
		return api_reply_berr(r, ret, err);
	for (size_t i = 0; i < n; i++)
		if (network_filter_match(&v[i], filters))
			jw_put(out, NULL, berth_network_json(e, &v[i]));
	network_list_free(v, n);
	return api_reply_json(r, 200, out);
}

int api_network_inspect(struct api_req *r)
{
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_(network_done) struct network n = {0};
	_cleanup_jw_ struct jwriter *doc = NULL;
	struct net_root nr;
	struct engine *e;
	int ret;

	if (!(e = nets_of(r, &nr)))
		return 0;
	if ((ret = network_load(&nr, r->parts[1], &n, &err)) < 0)
		return api_reply_berr(r, ret, err);
	doc = berth_network_json(e, &n);
	return api_reply_json(r, 200, doc);
}

/* NetworkCreateRequest, what berth has of it. */
struct create_req {
	struct api_create_body body; /* Name, Driver, Labels, Options */
	char *subnet, *gateway, *ip_range;
	bool internal, ipv6;
};

static void create_req_done(struct create_req *c)
{
	api_create_body_done(&c->body);
	free(c->subnet);
	free(c->gateway);
	free(c->ip_range);
}

/* IPAM: the default driver and at most one IPv4 subnet (Config[0]). */
static int read_ipam(const struct jnode *root, struct create_req *c, struct berr **err)
{
	_cleanup_free_ char *driver = NULL;
	struct jnode ipam, cfg, first;
	int r;

	jnode_member(root, "IPAM", &ipam);
	if (!jnode_present(&ipam))
		return 0;
	if ((r = jnode_get_string(&ipam, "Driver", &driver, err)) < 0)
		return r;
	if (driver && *driver && strcmp(driver, "default") != 0)
		return berr_set(err, EINVAL,
				"berth: IPAM driver '%s' is not supported (only default)", driver);
	jnode_member(&ipam, "Config", &cfg);
	if (!jnode_present(&cfg) || jnode_array_len(&cfg) == 0)
		return 0;
	if ((r = jnode_expect_array(&cfg, err)) < 0)
		return r;
	if (jnode_array_len(&cfg) > 1)
		return berr_set(err, EINVAL,
				"berth: a network has one IPv4 subnet (IPAM.Config has %zu)",
				jnode_array_len(&cfg));
	jnode_array_at(&cfg, 0, &first);
	if ((r = jnode_get_string(&first, "Subnet", &c->subnet, err)) < 0 ||
	    (r = jnode_get_string(&first, "Gateway", &c->gateway, err)) < 0 ||
	    (r = jnode_get_string(&first, "IPRange", &c->ip_range, err)) < 0)
		return r;
	return 0;
}

static int read_create(struct api_req *r, struct create_req *c, struct berr **err)
{
	_cleanup_(jdoc_freep) struct jdoc *doc = NULL;
	struct jnode root;
	int ret;

	if ((ret = api_create_body_read(r, "Options", &c->body, &doc, &root, err)) < 0 ||
	    (ret = jnode_get_bool(&root, "Internal", &c->internal, err)) < 0 ||
	    (ret = jnode_get_bool(&root, "EnableIPv6", &c->ipv6, err)) < 0 ||
	    (ret = read_ipam(&root, c, err)) < 0)
		return -EINVAL;
	if (c->ipv6)
		return berr_set(err, EINVAL, "berth: IPv6 networks are not supported");
	return 0;
}

/* "" is absent, as in docker's requests */
static const char *given(const char *s)
{
	return s && *s ? s : NULL;
}

int api_network_create(struct api_req *r)
{
	_cleanup_(create_req_done) struct create_req c = {0};
	_cleanup_(network_done) struct network n = {0};
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_jw_ struct jwriter *out = jw_object();
	struct network_create_opts o = {0};
	struct net_root nr;
	struct engine *e;
	int ret;

	if ((ret = read_create(r, &c, &err)) < 0)
		return api_reply_berr(r, ret, err);
	if (!(e = nets_of(r, &nr)))
		return 0;
	o = (struct network_create_opts){
		.name = c.body.name ? c.body.name : "",
		.driver = given(c.body.driver) ? c.body.driver : "bridge",
		.subnet = given(c.subnet),
		.gateway = given(c.gateway),
		.ip_range = given(c.ip_range),
		.internal = c.internal,
		.labels = c.body.labels,
		.options = c.body.opts,
	};
	if ((ret = network_create(&nr, &o, &n, &err)) < 0)
		return api_reply_berr(r, ret, err);
	jw_str(out, "Id", n.id);
	jw_str(out, "Warning", "");
	return api_reply_json(r, 201, out);
}

int api_network_delete(struct api_req *r)
{
	_cleanup_berr_ struct berr *err = NULL;
	struct net_root nr;
	struct engine *e;
	int ret;

	if (!(e = nets_of(r, &nr)))
		return 0;
	/* dockerd's "has active endpoints" is a 403 (libnetwork's ActiveEndpointsError) */
	if ((ret = network_remove(&nr, r->parts[1], &err)) < 0)
		return api_reply_berr(r, ret == -EBUSY ? EPERM : ret, err);
	return api_reply_empty(r, 204);
}

int api_networks_prune(struct api_req *r)
{
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_strv_ char **filters = NULL, **names = NULL;
	_cleanup_jw_ struct jwriter *out = jw_object();
	struct jwriter *deleted;
	struct net_root nr;
	struct engine *e;
	int ret;

	if ((ret = api_filters_parse(api_query(r, "filters"), &filters, &err)) < 0)
		return api_reply_berr(r, EINVAL, err);
	STRV_FOREACH (f, filters)
		if (strncmp(*f, "label=", 6) != 0)
			return api_reply_error(
				r, 400,
				"berth: network prune filter '%.*s' is not supported (only label)",
				(int) strcspn(*f, "="), *f);
	if (!(e = nets_of(r, &nr)))
		return 0;
	if ((ret = network_prune(&nr, filters, &names, &err)) < 0)
		return api_reply_berr(r, ret, err);
	deleted = jw_array();
	STRV_FOREACH (n, names)
		jw_append_str(deleted, *n);
	jw_put(out, "NetworksDeleted", deleted);
	return api_reply_json(r, 200, out);
}

/* connect and disconnect: the engine has no way yet to change a container's networks */
int api_network_connect(struct api_req *r)
{
	return api_reply_error(r, 501, "berth: network %s is not implemented", r->parts[2]);
}
