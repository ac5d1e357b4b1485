/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/container_ports.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/container_network.h"
#include "lib/cleanup.h"
#include "lib/crashpoint.h"
#include "lib/fd.h"
#include "lib/strv.h"
#include "net/ports.h"

#define EXPOSED_MAX 4096

/* "80/tcp" into cfg->exposed, once. */
static int expose_one(struct container_config *cfg, uint16_t port, enum port_proto proto)
{
	char key[16];

	snprintf(key, sizeof(key), "%u/%s", port, port_proto_name(proto));
	if (strv_contains(cfg->exposed, key))
		return 0;
	if (strv_length(cfg->exposed) >= EXPOSED_MAX)
		return -E2BIG;
	return strv_push_dup(&cfg->exposed, key);
}

static int expose_range(struct container_config *cfg, uint16_t lo, uint16_t hi,
			enum port_proto proto, const char *what, struct berr **err)
{
	int r;

	for (uint32_t p = lo; p <= hi; p++)
		if ((r = expose_one(cfg, (uint16_t) p, proto)) < 0)
			return r == -E2BIG ? berr_set(err, EINVAL, "%s: more than %d ports", what,
						      EXPOSED_MAX)
					   : berr_set(err, ENOMEM, "out of memory");
	return 0;
}

int container_ports_from_flags(char *const *publish, char *const *expose, bool publish_all,
			       struct container_config *cfg, struct berr **err)
{
	struct port_spec spec;
	enum port_proto proto;
	uint16_t lo, hi;
	int r;

	STRV_FOREACH (p, publish) {
		if ((r = portspec_parse(*p, &spec, err)) < 0 ||
		    (r = expose_range(cfg, spec.ctr_lo, spec.ctr_hi, spec.proto, *p, err)) < 0)
			return r;
		if (strv_push_dup(&cfg->publish, *p) < 0)
			return -ENOMEM;
	}
	STRV_FOREACH (x, expose)
		if ((r = portspec_parse_expose(*x, &lo, &hi, &proto, err)) < 0 ||
		    (r = expose_range(cfg, lo, hi, proto, *x, err)) < 0)
			return r;
	cfg->publish_all = publish_all;
	return 0;
}

int container_ports_merge_image(struct container_config *cfg, char *const *image_exposed)
{
	enum port_proto proto;
	uint16_t lo, hi;

	STRV_FOREACH (x, image_exposed) {
		/* an image's EXPOSE that berth cannot publish (sctp) is left out */
		if (portspec_parse_expose(*x, &lo, &hi, &proto, NULL) < 0)
			continue;
		for (uint32_t p = lo; p <= hi; p++)
			if (expose_one(cfg, (uint16_t) p, proto) == -ENOMEM)
				return -ENOMEM;
	}
	return 0;
}

static bool requested(const struct port_req *v, size_t n, uint16_t port, enum port_proto proto)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].ctr_port == port && v[i].proto == proto)
			return true;
	return false;
}

/* -p's ports, then -P's: every exposed port not published yet, on a random host port. */
static int requests(const struct container_config *cfg, struct port_req **v, size_t *n,
		    struct berr **err)
{
	struct port_spec spec;
	enum port_proto proto;
	uint16_t lo, hi;
	int r;

	STRV_FOREACH (p, cfg->publish) {
		if ((r = portspec_parse(*p, &spec, err)) < 0)
			return r;
		if (portspec_expand(&spec, v, n) < 0)
			return berr_set(err, ENOMEM, "out of memory");
	}
	if (!cfg->publish_all)
		return 0;
	STRV_FOREACH (x, cfg->exposed) {
		if (portspec_parse_expose(*x, &lo, &hi, &proto, NULL) < 0 ||
		    requested(*v, *n, lo, proto))
			continue;
		spec = (struct port_spec){.ctr_lo = lo, .ctr_hi = lo, .proto = proto};
		if (portspec_expand(&spec, v, n) < 0)
			return berr_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

int container_ports_publish(struct engine *e, struct container *c, const struct network *n,
			    uint32_t ip, struct berr **err)
{
	struct net_root nr = engine_net_root(e);
	_cleanup_free_ struct port_req *v = NULL;
	struct ports_held h = {0};
	size_t count = 0;
	int r;

	if ((r = requests(c->cfg, &v, &count, err)) < 0)
		return r;
	/* docker publishes nothing on an --internal network */
	if (count == 0 || n->internal)
		return 0;
	if ((r = ports_bind(v, count, ip, &h, err)) < 0)
		return r;
	if ((r = ports_publish(&nr, n, c->cfg->id, &h, err)) < 0) {
		ports_held_done(&h);
		(void) ports_unpublish(&nr, c->cfg->id, NULL);
		return r;
	}
	free(h.maps);
	crashpoint("start-ports");
	c->held_fds = h.fds;
	c->n_held_fds = h.n_fds;
	return 0;
}

void container_ports_release(struct engine *e, struct container *c)
{
	struct net_root nr = engine_net_root(e);

	container_close_held(c);
	if (c->cfg->network == NETWORK_BRIDGE)
		(void) ports_unpublish(&nr, c->cfg->id, NULL);
}

int container_ports_list(struct engine *e, const struct container *c, struct port_map **ret,
			 size_t *ret_n)
{
	struct net_root nr = engine_net_root(e);
	enum container_status s = c->st.status;

	*ret = NULL;
	*ret_n = 0;
	if (c->cfg->network != NETWORK_BRIDGE ||
	    (s != STATUS_RUNNING && s != STATUS_PAUSED && s != STATUS_RESTARTING))
		return 0;
	return ports_read(&nr, c->cfg->id, ret, ret_n) == -ENOMEM ? -ENOMEM : 0;
}

int container_ports_hold(struct container *c, const char *list, struct berr **err)
{
	const char *p = list;

	while (p && *p) {
		char *end;
		long fd = strtol(p, &end, 10);
		int *nv;

		if (end == p || fd < 3 || fd > INT32_MAX || (*end && *end != ','))
			return berr_set(err, EINVAL, "--hold-fds: invalid list '%s'", list);
		if (fd_set_cloexec((int) fd, true) < 0)
			return berr_sys(err, errno, "--hold-fds: fd %ld", fd);
		if (!(nv = realloc(c->held_fds, (c->n_held_fds + 1) * sizeof(*nv))))
			return berr_set(err, ENOMEM, "out of memory");
		c->held_fds = nv;
		c->held_fds[c->n_held_fds++] = (int) fd;
		p = *end ? end + 1 : end;
	}
	return 0;
}

int container_ports_pass(struct container *c, char **ret)
{
	_cleanup_free_ char *s = NULL;
	size_t len = 0;

	*ret = NULL;
	if (c->n_held_fds == 0)
		return 0;
	if (!(s = calloc(c->n_held_fds, 12)))
		return -ENOMEM;
	for (size_t i = 0; i < c->n_held_fds; i++) {
		int fd = fcntl(c->held_fds[i], F_DUPFD, 10);

		if (fd < 0)
			return -errno;
		len += (size_t) sprintf(s + len, "%s%d", i ? "," : "", fd);
	}
	*ret = TAKE_PTR(s);
	return 0;
}
