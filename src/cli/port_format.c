/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/port_format.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/berth_container.h"
#include "engine/container_ports.h"
#include "engine/container_runtime.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "net/cidr.h"

static int by_port(const void *a, const void *b)
{
	const struct port_map *x = a, *y = b;

	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->ctr_port != y->ctr_port)
		return x->ctr_port < y->ctr_port ? -1 : 1;
	if (x->host_ip != y->host_ip)
		return x->host_ip < y->host_ip ? -1 : 1;
	return x->host_port < y->host_port ? -1 : x->host_port > y->host_port;
}

static bool published(const struct port_map *v, size_t n, uint16_t port, enum port_proto proto)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].ctr_port == port && v[i].proto == proto)
			return true;
	return false;
}

/* "0.0.0.0:8000-8001->80-81/tcp": runs of consecutive ports on both sides, as docker. */
static int add_published(char ***out, const struct port_map *v, size_t n, size_t *i)
{
	char ip[IP_STR_MAX], buf[96];
	size_t j = *i;

	while (j + 1 < n && v[j + 1].proto == v[j].proto && v[j + 1].host_ip == v[j].host_ip &&
	       v[j + 1].ctr_port == v[j].ctr_port + 1 && v[j + 1].host_port == v[j].host_port + 1)
		j++;
	ip_format(v[*i].host_ip, ip);
	if (j == *i)
		snprintf(buf, sizeof(buf), "%s:%u->%u/%s", ip, v[j].host_port, v[j].ctr_port,
			 port_proto_name(v[j].proto));
	else
		snprintf(buf, sizeof(buf), "%s:%u-%u->%u-%u/%s", ip, v[*i].host_port,
			 v[j].host_port, v[*i].ctr_port, v[j].ctr_port,
			 port_proto_name(v[j].proto));
	*i = j;
	return strv_push_dup(out, buf);
}

char *ports_ps_text(struct port_map *v, size_t n, char *const *exposed)
{
	_cleanup_strv_ char **out = NULL;

	if (n)
		qsort(v, n, sizeof(*v), by_port);
	for (size_t i = 0; i < n; i++)
		if (add_published(&out, v, n, &i) < 0)
			return NULL;
	STRV_FOREACH (x, exposed) {
		enum port_proto proto;
		uint16_t lo, hi;

		if (portspec_parse_expose(*x, &lo, &hi, &proto, NULL) < 0 ||
		    published(v, n, lo, proto))
			continue;
		if (strv_push_dup(&out, *x) < 0)
			return NULL;
	}
	return out ? strv_join(out, ", ") : strdup("");
}

static void port_key(uint16_t port, enum port_proto proto, char *buf, size_t size)
{
	snprintf(buf, size, "%u/%s", port, port_proto_name(proto));
}

struct jwriter *ports_settings_json(const struct port_map *v, size_t n, char *const *exposed)
{
	struct jwriter *o = jw_object();

	STRV_FOREACH (x, exposed) {
		struct jwriter *a = NULL;
		enum port_proto proto;
		uint16_t lo, hi;

		if (portspec_parse_expose(*x, &lo, &hi, &proto, NULL) < 0)
			continue;
		for (size_t i = 0; i < n; i++) {
			struct jwriter *b;
			char ip[IP_STR_MAX], port[8];

			if (v[i].ctr_port != lo || v[i].proto != proto)
				continue;
			if (!a)
				a = jw_array();
			b = jw_object();
			snprintf(port, sizeof(port), "%u", v[i].host_port);
			jw_str(b, "HostIp", ip_format(v[i].host_ip, ip));
			jw_str(b, "HostPort", port);
			jw_put(a, NULL, b);
		}
		if (a)
			jw_put(o, *x, a);
		else
			jw_null(o, *x);
	}
	return o;
}

static bool port_active(const struct container *c)
{
	enum container_status s = c->st.status;

	return s == STATUS_RUNNING || s == STATUS_PAUSED || s == STATUS_RESTARTING;
}

struct jwriter *ports_inspect_json(struct engine *e, const struct container *c)
{
	_cleanup_free_ struct port_map *v = NULL;
	size_t n = 0;

	/* docker: {} while it does not run */
	if (!port_active(c))
		return jw_object();
	(void) container_ports_list(e, c, &v, &n);
	return ports_settings_json(v, n, c->cfg->exposed);
}

char *ports_ps_column(struct engine *e, const struct container *c)
{
	_cleanup_free_ struct port_map *v = NULL;
	size_t n = 0;

	if (!port_active(c))
		return strdup("");
	if (container_ports_list(e, c, &v, &n) < 0)
		return NULL;
	return ports_ps_text(v, n, c->cfg->exposed);
}

struct jwriter *ports_bindings_json(char *const *publish)
{
	struct jwriter *o = jw_object();

	STRV_FOREACH (p, publish) {
		struct port_spec s;
		char key[16], ip[IP_STR_MAX], host[16];

		if (portspec_parse(*p, &s, NULL) < 0)
			continue;
		for (uint32_t c = s.ctr_lo; c <= s.ctr_hi; c++) {
			struct jwriter *a = jw_array(), *b = jw_object();
			uint32_t h = s.host_lo + (c - s.ctr_lo);

			port_key((uint16_t) c, s.proto, key, sizeof(key));
			if (s.host_lo == 0)
				host[0] = '\0';
			else if (s.ctr_lo == s.ctr_hi && s.host_lo != s.host_hi)
				snprintf(host, sizeof(host), "%u-%u", s.host_lo, s.host_hi);
			else
				snprintf(host, sizeof(host), "%u", h);
			jw_str(b, "HostIp", s.host_ip ? ip_format(s.host_ip, ip) : "");
			jw_str(b, "HostPort", host);
			jw_put(a, NULL, b);
			jw_put(o, key, a);
		}
	}
	return o;
}

struct jwriter *ports_exposed_json(char *const *exposed)
{
	struct jwriter *o = jw_object();

	STRV_FOREACH (x, exposed)
		jw_put(o, *x, jw_object());
	return o;
}

/* PRIVATE_PORT[/PROTO] */
static int print_port(const struct port_map *v, size_t n, const char *want, const char *name)
{
	enum port_proto proto;
	uint16_t lo, hi;
	char ip[IP_STR_MAX];
	bool any = false;

	if (portspec_parse_expose(want, &lo, &hi, &proto, NULL) < 0 || lo != hi) {
		log_error_report("Error: No public port '%s' published for %s", want, name);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		if (v[i].ctr_port == lo && v[i].proto == proto) {
			printf("%s:%u\n", ip_format(v[i].host_ip, ip), v[i].host_port);
			any = true;
		}
	if (!any) {
		log_error_report("Error: No public port '%u/%s' published for %s", lo,
				 port_proto_name(proto), name);
		return 1;
	}
	return 0;
}

int berth_cmd_port(struct berth_ctx *ctx, int argc, char **argv)
{
	const struct opt_def defs[] = {END_OPTS};
	_cleanup_strv_ char **pos = NULL;
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_free_ struct port_map *v = NULL;
	struct engine *e;
	char ip[IP_STR_MAX];
	size_t n = 0;
	int r;

	BERTH_PARSE_OR_RETURN(
		berth_parse(argc, argv, defs, "CONTAINER [PRIVATE_PORT[/PROTO]]", 1, 2, &pos));
	if (!(e = berth_engine(ctx)))
		return 1;
	if ((r = container_open(e, pos[0], true, &c, &err)) < 0)
		return berth_report(r, &err);
	(void) container_refresh(e, c, NULL);
	container_unlock(c);
	if (container_ports_list(e, c, &v, &n) < 0)
		return berth_report(-ENOMEM, NULL);
	if (pos[1])
		return print_port(v, n, pos[1], pos[0]);
	if (n)
		qsort(v, n, sizeof(*v), by_port);
	for (size_t i = 0; i < n; i++)
		printf("%u/%s -> %s:%u\n", v[i].ctr_port, port_proto_name(v[i].proto),
		       ip_format(v[i].host_ip, ip), v[i].host_port);
	return 0;
}
