/* SPDX-License-Identifier: Apache-2.0 */
/* `berth network create|ls|inspect|rm|prune`: options and output; the work is in src/net. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/berth_cmds.h"
#include "cli/container_json.h"
#include "cli/format.h"
#include "engine/container_network.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/strv.h"

#define ENGINE_OR_RETURN(e, ctx)                                                                   \
	struct engine *e = berth_engine(ctx);                                                      \
	if (!e)                                                                                    \
	return 1

static const char *const network_headers[] = {
	"ID",	  "NETWORK ID", "Name",	     "NAME",	   "Driver",   "DRIVER",
	"Scope",  "SCOPE",	"IPv6",	     "IPV6",	   "Internal", "INTERNAL",
	"Labels", "LABELS",	"CreatedAt", "CREATED AT", NULL,
};

static int cmd_create(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL, **labels = NULL, **opts = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_(network_done) struct network n = {0};
	struct network_create_opts o = {.driver = "bridge"};
	const struct opt_def defs[] = {
		{"driver", 'd', OPT_STRING, &o.driver, "NAME", "network driver (only bridge)"},
		{"subnet", 0, OPT_STRING, &o.subnet, "CIDR",
		 "IPv4 subnet (default: a free one from 172.17.0.0/16.., 192.168.0.0/20..)"},
		{"gateway", 0, OPT_STRING, &o.gateway, "IP",
		 "the bridge's address (default: the first)"},
		{"ip-range", 0, OPT_STRING, &o.ip_range, "CIDR",
		 "give containers addresses from this part of the subnet"},
		{"internal", 0, OPT_BOOL, &o.internal, NULL, "no default route out of the network"},
		{"label", 0, OPT_LIST, &labels, "K=V", "set metadata on the network"},
		{"opt", 'o', OPT_LIST, &opts, "K=V",
		 "com.docker.network.bridge.name=NAME, com.docker.network.driver.mtu=N"},
		END_OPTS,
	};
	int r;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs,
					  "[--subnet CIDR] [--gateway IP] [--ip-range CIDR] "
					  "[--internal] [--label K=V]... [-o K=V]... NETWORK",
					  1, 1, &pos));
	ENGINE_OR_RETURN(e, ctx);
	o.name = pos[0];
	o.labels = labels;
	o.options = opts;
	{
		struct net_root nr = engine_net_root(e);

		r = network_create(&nr, &o, &n, &err);
	}
	if (r < 0)
		return berth_report(r, &err);
	printf("%s\n", n.id);
	return 0;
}

static void put_kv(struct jwriter *o, const char *key, char *const *kv)
{
	struct jwriter *m = jw_object();

	STRV_FOREACH (p, kv) {
		_cleanup_free_ char *k = strndup(*p, strcspn(*p, "="));
		const char *eq = strchr(*p, '=');

		if (k)
			jw_str(m, k, eq ? eq + 1 : "");
	}
	jw_put(o, key, m);
}

static struct jwriter *ipam_json(const struct network *n)
{
	struct jwriter *ipam = jw_object(), *cfg = jw_array(), *c;
	char buf[CIDR_STR_MAX];

	jw_str(ipam, "Driver", "default");
	jw_put(ipam, "Options", jw_object());
	if (n->has_subnet) {
		c = jw_object();
		jw_str(c, "Subnet", cidr_format(&n->subnet, buf));
		if (n->has_range)
			jw_str(c, "IPRange", cidr_format(&n->range, buf));
		jw_str(c, "Gateway", ip_format(n->gateway, buf));
		jw_put(cfg, NULL, c);
	}
	jw_put(ipam, "Config", cfg);
	return ipam;
}

/* docker's Containers: each container with an address on n, by id. */
static struct jwriter *containers_json(struct engine *e, const struct network *n)
{
	struct net_root nr = engine_net_root(e);
	_cleanup_(ipam_done) struct ipam a = {0};
	struct jwriter *o = jw_object();

	if (!n->has_subnet || network_allocations(&nr, n->name, &a, NULL) < 0)
		return o;
	for (size_t i = 0; i < a.n; i++) {
		_cleanup_(container_freep) struct container *c = NULL;
		struct jwriter *ep = jw_object();
		char ip[IP_STR_MAX], cidr[CIDR_STR_MAX + 4], mac[MAC_STR_MAX];
		unsigned char m[MAC_LEN];

		if (container_load(e, a.v[i].id, false, &c, NULL) >= 0)
			jw_str(ep, "Name", c->cfg->name);
		ipam_entry_mac(&a.v[i], m);
		mac_format(m, mac);
		snprintf(cidr, sizeof(cidr), "%s/%u", ip_format(a.v[i].ip, ip), n->subnet.len);
		jw_str(ep, "MacAddress", mac);
		jw_str(ep, "IPv4Address", cidr);
		jw_str(ep, "IPv6Address", "");
		jw_put(o, a.v[i].id, ep);
	}
	return o;
}

struct jwriter *berth_network_json(struct engine *e, const struct network *n)
{
	struct jwriter *o = jw_object(), *from = jw_object();

	jw_str(o, "Name", n->name);
	jw_str(o, "Id", n->id);
	jw_str(o, "Created", n->created);
	jw_str(o, "Scope", "local");
	jw_str(o, "Driver", n->driver);
	jw_bool(o, "EnableIPv6", false);
	jw_put(o, "IPAM", ipam_json(n));
	jw_bool(o, "Internal", n->internal);
	jw_bool(o, "Attachable", false);
	jw_bool(o, "Ingress", false);
	jw_str(from, "Network", "");
	jw_put(o, "ConfigFrom", from);
	jw_bool(o, "ConfigOnly", false);
	jw_put(o, "Containers", containers_json(e, n));
	put_kv(o, "Options", n->options);
	put_kv(o, "Labels", n->labels);
	return o;
}

struct jwriter *berth_network_inspect_json(struct berth_ctx *ctx, const char *ref)
{
	struct engine *e = berth_engine(ctx);
	_cleanup_(network_done) struct network n = {0};
	struct net_root nr;

	if (!e)
		return NULL;
	nr = engine_net_root(e);
	if (network_load(&nr, ref, &n, NULL) < 0)
		return NULL;
	return berth_network_json(e, &n);
}

static int cmd_inspect(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	_cleanup_jw_ struct jwriter *all = jw_array();
	_cleanup_free_ char *text = NULL;
	const char *format = NULL;
	const struct opt_def defs[] = {
		{"format", 'f', OPT_STRING, &format, "TEMPLATE", "Go-template-like format"},
		END_OPTS,
	};
	int code = 0, n = 0;

	BERTH_PARSE_OR_RETURN(
		berth_parse(argc, argv, defs, "[-f TEMPLATE] NETWORK...", 1, SIZE_MAX, &pos));
	ENGINE_OR_RETURN(e, ctx);
	STRV_FOREACH (p, pos) {
		_cleanup_berr_ struct berr *err = NULL;
		_cleanup_(network_done) struct network net = {0};
		struct net_root nr = engine_net_root(e);
		struct jwriter *doc;
		int r = network_load(&nr, *p, &net, &err);

		if (r < 0) {
			code = berth_report(r, &err);
			continue;
		}
		doc = berth_network_json(e, &net);
		if (format) {
			if (inspect_render(doc, format, stdout) < 0)
				code = 1;
			jw_free(doc);
		} else {
			jw_put(all, NULL, doc);
			n++;
		}
	}
	if (!format) {
		text = n > 0 ? jw_to_string(all, true) : NULL;
		printf("%s\n", text ? text : "[]");
	}
	return code;
}

static int add_row(struct table *t, const struct network *n, bool no_trunc, struct berr **err)
{
	_cleanup_jw_ struct jwriter *o = jw_object();
	_cleanup_free_ char *labels = strv_join(n->labels ? n->labels : (char *const[]){NULL}, ",");
	_cleanup_free_ char *id = strndup(n->id, no_trunc ? NETWORK_ID_LEN : 12), *text = NULL;
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	struct jnode root;
	int r;

	jw_str(o, "ID", id);
	jw_str(o, "Name", n->name);
	jw_str(o, "Driver", n->driver);
	jw_str(o, "Scope", "local");
	jw_str(o, "IPv6", "false");
	jw_str(o, "Internal", n->internal ? "true" : "false");
	jw_str(o, "Labels", labels ? labels : "");
	jw_str(o, "CreatedAt", n->created);
	if (!(text = jw_to_string(o, false)) || !id)
		return berr_set(err, ENOMEM, "out of memory");
	if ((r = jdoc_parse(text, strlen(text), "row", &doc, err)) < 0)
		return r;
	jdoc_root(doc, &root);
	return table_add(t, &root, err);
}

static int ls_print(struct engine *e, const char *tmpl, bool no_trunc, char *const *filters,
		    struct berr **err)
{
	struct net_root nr = engine_net_root(e);
	struct network *v = NULL;
	struct table *t = NULL;
	size_t n = 0;
	int r;

	if ((r = network_list(&nr, &v, &n, err)) < 0)
		return r;
	if ((r = table_new(tmpl, network_headers, &t, err)) < 0) {
		network_list_free(v, n);
		return r;
	}
	for (size_t i = 0; r >= 0 && i < n; i++)
		if (network_filter_match(&v[i], filters))
			r = add_row(t, &v[i], no_trunc, err);
	network_list_free(v, n);
	if (r < 0) {
		table_free(t);
		return r;
	}
	table_print(t, stdout);
	return 0;
}

static int cmd_ls(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL, **filters = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	const char *format = NULL;
	bool quiet = false, no_trunc = false;
	const struct opt_def defs[] = {
		{"quiet", 'q', OPT_BOOL, &quiet, NULL, "only the network ids"},
		{"no-trunc", 0, OPT_BOOL, &no_trunc, NULL, "full network ids"},
		{"format", 0, OPT_STRING, &format, "TEMPLATE", "Go-template-like format"},
		{"filter", 'f', OPT_LIST, &filters, "K=V",
		 "driver=, id=, label=, name=, scope=, type=custom|builtin"},
		END_OPTS,
	};

	BERTH_PARSE_OR_RETURN(berth_parse(
		argc, argv, defs, "[-q] [--no-trunc] [--format T] [--filter K=V]...", 0, 0, &pos));
	if (network_filter_check(filters, &err) < 0) {
		berth_report(-EINVAL, &err);
		return 1;
	}
	ENGINE_OR_RETURN(e, ctx);
	if (quiet)
		format = "{{.ID}}";
	else if (!format)
		format = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}";
	return berth_report(ls_print(e, format, no_trunc, filters, &err), &err);
}

static int cmd_rm(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	bool force = false;
	const struct opt_def defs[] = {
		{"force", 'f', OPT_BOOL, &force, NULL,
		 "no error for a network that does not exist"},
		END_OPTS,
	};
	int code = 0;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "[-f] NETWORK...", 1, SIZE_MAX, &pos));
	ENGINE_OR_RETURN(e, ctx);
	STRV_FOREACH (p, pos) {
		_cleanup_berr_ struct berr *err = NULL;
		struct net_root nr = engine_net_root(e);
		int r = network_remove(&nr, *p, &err);

		if (r == -ENOENT && force)
			continue;
		if (r < 0)
			code = berth_report(r, &err);
		else
			printf("%s\n", *p);
	}
	return code;
}

int berth_prune_networks(struct berth_ctx *ctx, char ***ret_names)
{
	_cleanup_berr_ struct berr *err = NULL;
	struct engine *e = berth_engine(ctx);
	struct net_root nr;
	int r;

	if (!e)
		return 1;
	nr = engine_net_root(e);
	if ((r = network_prune(&nr, /* filters = */ NULL, ret_names, &err)) < 0)
		return berth_report(r, &err);
	return 0;
}

static int cmd_prune(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL, **names = NULL;
	bool force = false;
	const struct opt_def defs[] = {
		{"force", 'f', OPT_BOOL, &force, NULL, "do not prompt for confirmation"},
		END_OPTS,
	};
	int code;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "[-f]", 0, 0, &pos));
	if (!berth_engine(ctx))
		return 1;
	if (!force &&
	    !berth_confirm(
		    "This will remove all custom networks not used by at least one container."))
		return 0;
	code = berth_prune_networks(ctx, &names);
	if (names) {
		printf("Deleted Networks:\n");
		STRV_FOREACH (p, names)
			printf("%s\n", *p);
	}
	return code;
}

static const struct berth_cmd network_subcmds[] = {
	{"create", "create a network", cmd_create},
	{"ls", "list networks", cmd_ls},
	{"list", NULL, cmd_ls},
	{"inspect", "show networks as JSON", cmd_inspect},
	{"rm", "remove networks", cmd_rm},
	{"remove", NULL, cmd_rm},
	{"prune", "remove the networks no container uses", cmd_prune},
	{NULL, NULL, NULL},
};

static int cmd_network(struct berth_ctx *ctx, int argc, char **argv)
{
	return berth_run_group(ctx, "network", network_subcmds, 15, argc, argv);
}

const struct berth_cmd berth_network_cmds[] = {
	{"network", "manage networks (berth network --help)", cmd_network},
	{NULL, NULL, NULL},
};
