/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /containers/create: what docker-compose (docker-py) sends beyond the basic
 * ContainerConfig and HostConfig, turned into the same flags the CLI's -p, --expose,
 * --network-alias, --ip and -v /path fill: HostConfig.PortBindings, ExposedPorts,
 * NetworkingConfig.EndpointsConfig, and Config.Volumes (anonymous volumes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "engine/container_opts.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

void api_create_extra_done(struct api_create_extra *x)
{
	strv_free(x->publish);
	strv_free(x->expose);
	strv_free(x->aliases);
	strv_free(x->volumes);
	free(x->ip);
	*x = (struct api_create_extra){0};
}

/* One PortBindings entry {"HostIp": "", "HostPort": "8080"} of port ("80/tcp") as -p's text */
static int binding_spec(const char *port, const struct jnode *b, char ***publish, struct berr **err)
{
	_cleanup_free_ char *ip = NULL, *hport = NULL, *spec = NULL;
	int r;

	if ((r = jnode_expect_object(b, err)) < 0 ||
	    (r = jnode_get_string(b, "HostIp", &ip, err)) < 0 ||
	    (r = jnode_get_string(b, "HostPort", &hport, err)) < 0)
		return r;
	if (ip && *ip)
		r = asprintf(&spec, "%s:%s:%s", ip, hport ? hport : "", port);
	else if (hport && *hport)
		r = asprintf(&spec, "%s:%s", hport, port);
	else
		r = asprintf(&spec, "%s", port);
	if (r < 0)
		return -ENOMEM;
	return strv_consume(publish, TAKE_PTR(spec));
}

static int port_bindings(const struct jnode *port, void *userdata, struct berr **err)
{
	char ***publish = userdata;
	int r;

	if (jnode_type(port) == JNODE_NULL)
		return 0; /* "80/tcp": null publishes nothing, as dockerd reads it */
	if ((r = jnode_expect_array(port, err)) < 0)
		return r;
	for (size_t i = 0; i < jnode_array_len(port); i++) {
		struct jnode b;

		jnode_array_at(port, i, &b);
		if ((r = binding_spec(port->key, &b, publish, err)) < 0)
			return r;
	}
	return 0;
}

static int push_key(const struct jnode *child, void *userdata, struct berr **err)
{
	(void) err;
	return strv_push_dup(userdata, child->key);
}

/* {"80/tcp": {}, ...} (ExposedPorts, Volumes): the keys into *ret */
static int object_keys(const struct jnode *obj, const char *key, char ***ret, struct berr **err)
{
	struct jnode n;
	int r;

	jnode_member(obj, key, &n);
	if (jnode_type(&n) == JNODE_NULL)
		return 0;
	if ((r = jnode_expect_object(&n, err)) < 0)
		return r;
	return jnode_foreach_member(&n, push_key, ret, err);
}

int api_create_ports(const struct jnode *root, const struct jnode *hc, struct api_create_extra *x,
		     struct berr **err)
{
	struct jnode pb;
	int r;

	if ((r = object_keys(root, "ExposedPorts", &x->expose, err)) < 0)
		return berr_wrap(err, "ExposedPorts");
	jnode_member(hc, "PortBindings", &pb);
	if (jnode_type(&pb) == JNODE_NULL)
		return 0;
	if ((r = jnode_expect_object(&pb, err)) < 0 ||
	    (r = jnode_foreach_member(&pb, port_bindings, &x->publish, err)) < 0)
		return berr_wrap(err, "HostConfig.PortBindings");
	return 0;
}

/*
 * The endpoint of network (the container's NetworkMode) in
 * NetworkingConfig.EndpointsConfig: its Aliases and IPAMConfig.IPv4Address. dockerd (API
 * 1.41) takes one endpoint at create; more is its error.
 */
int api_create_endpoint(const struct jnode *root, const char *network, struct api_create_extra *x,
			struct berr **err)
{
	struct jnode nc, eps, ep, ipam;
	int r;

	jnode_member(root, "NetworkingConfig", &nc);
	jnode_member(&nc, "EndpointsConfig", &eps);
	if (!jnode_is_object(&eps) || jnode_object_len(&eps) == 0)
		return 0;
	if (jnode_object_len(&eps) > 1)
		return berr_set(err, EINVAL,
				"Container cannot be connected to network endpoints: more than one "
				"network at create (berth cannot connect networks later)");
	if (!network || !*network)
		network = "default";
	jnode_member(&eps, network, &ep);
	if (!jnode_present(&ep))
		return berr_set(err, EINVAL,
				"NetworkingConfig.EndpointsConfig names a network other than "
				"HostConfig.NetworkMode '%s'",
				network);
	if (jnode_type(&ep) == JNODE_NULL)
		return 0;
	if ((r = jnode_expect_object(&ep, err)) < 0 ||
	    (r = jnode_get_strv(&ep, "Aliases", &x->aliases, err)) < 0)
		return berr_wrap(err, "NetworkingConfig.EndpointsConfig.%s", network);
	jnode_member(&ep, "IPAMConfig", &ipam);
	if (jnode_is_object(&ipam) && (r = jnode_get_string(&ipam, "IPv4Address", &x->ip, err)) < 0)
		return berr_wrap(err, "NetworkingConfig.EndpointsConfig.%s.IPAMConfig", network);
	if (x->ip && !*x->ip)
		x->ip = (free(x->ip), NULL);
	return 0;
}

static bool has_target(char *const *binds, const char *target)
{
	STRV_FOREACH (b, binds) {
		struct ctr_mount m = {0};
		bool same = container_parse_volume(*b, &m, NULL) >= 0 && m.target &&
			    strcmp(m.target, target) == 0;

		ctr_mount_done(&m);
		if (same)
			return true;
	}
	return false;
}

int api_create_volumes(const struct jnode *root, char *const *binds, struct api_create_extra *x,
		       struct berr **err)
{
	_cleanup_strv_ char **paths = NULL;
	int r;

	if ((r = object_keys(root, "Volumes", &paths, err)) < 0)
		return berr_wrap(err, "Volumes");
	/* dockerd: a path of Volumes that a bind does not cover gets an anonymous volume */
	STRV_FOREACH (p, paths)
		if (!has_target(binds, *p) && (r = strv_push_dup(&x->volumes, *p)) < 0)
			return r;
	return 0;
}
