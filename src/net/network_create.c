/* SPDX-License-Identifier: Apache-2.0 */
/* network create and rm: checking what the user asked for, the subnet, the files. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/crashpoint.h"
#include "lib/strv.h"
#include "net/bridge.h"
#include "net/network_internal.h"
#include "net/routes.h"

#define OPT_BRIDGE_NAME "com.docker.network.bridge.name"
#define OPT_MTU "com.docker.network.driver.mtu"
#define OPT_DEFAULT_BRIDGE "com.docker.network.bridge.default_bridge"

bool network_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > NETWORK_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool alnum =
			(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
			return false;
	}
	return true;
}

static int random_id(char **ret, struct berr **err)
{
	unsigned char b[NETWORK_ID_LEN / 2];
	char *s = malloc(NETWORK_ID_LEN + 1);

	if (!s)
		return berr_set(err, ENOMEM, "out of memory");
	if (getrandom(b, sizeof(b), 0) != (ssize_t) sizeof(b)) {
		free(s);
		return berr_sys(err, errno, "cannot make a network id");
	}
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(s + 2 * i, 3, "%02x", b[i]);
	*ret = s;
	return 0;
}

static char *now_rfc3339(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[64], *s = NULL;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	return asprintf(&s, "%s.%09ldZ", buf, ts.tv_nsec) < 0 ? NULL : s;
}

/* A network's identity and the fields every network has. */
static int network_base(const char *name, const char *driver, struct network *n, struct berr **err)
{
	int r;

	if ((r = random_id(&n->id, err)) < 0)
		return r;
	n->name = strdup(name);
	n->driver = strdup(driver);
	n->created = now_rfc3339();
	if (!n->name || !n->driver || !n->created)
		return berr_set(err, ENOMEM, "out of memory");
	return 0;
}

/* -o com.docker.network.bridge.name= and com.docker.network.driver.mtu=; others kept. */
static int apply_options(struct network *n, char *const *options, struct berr **err)
{
	const char *br = strv_env_get(options, OPT_BRIDGE_NAME);
	const char *mtu = strv_env_get(options, OPT_MTU);

	n->mtu = NETWORK_MTU_DEFAULT;
	if (mtu) {
		char *end;
		unsigned long v = strtoul(mtu, &end, 10);

		if (!*mtu || *end || v < 68 || v > 65535)
			return berr_set(err, EINVAL, "invalid MTU number: %s", mtu);
		n->mtu = (uint32_t) v;
	}
	if (br && !bridge_name_valid(br))
		return berr_set(err, EINVAL, "invalid bridge name '%s'", br);
	if (br)
		n->bridge = strdup(br);
	else if (asprintf(&n->bridge, "br-%.12s", n->id) < 0)
		n->bridge = NULL;
	STRV_FOREACH (o, options)
		if (strv_push_dup(&n->options, *o) < 0)
			return berr_set(err, ENOMEM, "out of memory");
	if (!n->bridge)
		return berr_set(err, ENOMEM, "out of memory");
	return 0;
}

/* The subnets of the other networks (and the routes when with_routes), in *ret. */
static int taken_subnets(int dirfd, bool with_routes, struct cidr **ret, size_t *ret_n,
			 struct berr **err)
{
	struct network *v = NULL;
	struct cidr *c = NULL;
	size_t n = 0, k = 0;
	int r;

	if ((r = network_list_at(dirfd, &v, &n, err)) < 0)
		return r;
	if (with_routes && (r = routes_ipv4(&c, &k, err)) < 0) {
		network_list_free(v, n);
		return r;
	}
	for (size_t i = 0; i < n; i++) {
		struct cidr *nc;

		if (!v[i].has_subnet)
			continue;
		if (!(nc = realloc(c, (k + 1) * sizeof(*c)))) {
			network_list_free(v, n);
			free(c);
			return berr_set(err, ENOMEM, "out of memory");
		}
		c = nc;
		c[k++] = v[i].subnet;
	}
	network_list_free(v, n);
	*ret = c;
	*ret_n = k;
	return 0;
}

static int choose_subnet(int dirfd, const char *subnet, struct network *n, struct berr **err)
{
	_cleanup_free_ struct cidr *taken = NULL;
	size_t k = 0;
	int r;

	if (subnet && (r = cidr_parse(subnet, true, &n->subnet, err)) < 0)
		return r;
	if ((r = taken_subnets(dirfd, !subnet, &taken, &k, err)) < 0)
		return r;
	n->has_subnet = true;
	if (!subnet)
		return ipam_pool_pick(taken, k, &n->subnet, err);
	if (n->subnet.len > 30)
		return berr_set(err, EINVAL,
				"invalid subnet %s: no room for a gateway and a container", subnet);
	for (size_t i = 0; i < k; i++)
		if (cidr_overlaps(&n->subnet, &taken[i]))
			return berr_set(err, EEXIST,
					"Pool overlaps with other one on this address space");
	return 0;
}

static int choose_addresses(const struct network_create_opts *o, struct network *n,
			    struct berr **err)
{
	int r;

	if (o->ip_range) {
		if ((r = cidr_parse(o->ip_range, false, &n->range, err)) < 0)
			return r;
		if (!cidr_within(&n->subnet, &n->range))
			return berr_set(err, EINVAL, "no matching subnet for range %s",
					o->ip_range);
		n->has_range = true;
	} else {
		n->range = n->subnet;
	}
	n->gateway = n->subnet.addr + 1;
	if (o->gateway) {
		if (ip_parse(o->gateway, &n->gateway) < 0)
			return berr_set(err, EINVAL, "invalid gateway address %s", o->gateway);
		if (!cidr_contains(&n->subnet, n->gateway) || n->gateway == n->subnet.addr ||
		    n->gateway == (n->subnet.addr | ~cidr_mask(n->subnet.len)))
			return berr_set(err, EINVAL, "no matching subnet for gateway %s",
					o->gateway);
	}
	return 0;
}

static int check_request(int dirfd, const struct network_create_opts *o, struct berr **err)
{
	_cleanup_(network_done) struct network old = {0};
	_cleanup_free_ char *file = NULL;
	const char *driver = o->driver ? o->driver : "bridge";
	int r;

	if (!network_name_valid(o->name))
		return berr_set(err, EINVAL,
				"invalid network name '%s': only [a-zA-Z0-9][a-zA-Z0-9_.-] are "
				"allowed",
				o->name);
	if (strcmp(o->name, "bridge") == 0 || strcmp(o->name, "default") == 0)
		return berr_set(err, EPERM, "%s is a pre-defined network and cannot be created",
				o->name);
	if (asprintf(&file, "%s.json", o->name) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	if ((r = network_read(dirfd, file, &old, NULL)) != -ENOENT)
		return berr_set(err, EEXIST, "network with name %s already exists", o->name);
	if (strcmp(driver, "bridge") != 0)
		return berr_set(err, ENOENT,
				"plugin \"%s\" not found (berth has the bridge driver)", driver);
	if ((o->gateway || o->ip_range) && !o->subnet)
		return berr_set(err, EINVAL,
				"every ip-range or gateway must have a corresponding subnet");
	return 0;
}

/* No other network's bridge has this name. */
static int check_bridge_free(int dirfd, const struct network *n, struct berr **err)
{
	struct network *v = NULL;
	size_t k = 0;
	int r;

	if ((r = network_list_at(dirfd, &v, &k, err)) < 0)
		return r;
	for (size_t i = 0; r >= 0 && i < k; i++)
		if (v[i].bridge && strcmp(v[i].bridge, n->bridge) == 0)
			r = berr_set(err, EEXIST, "bridge name %s is used by network %s", n->bridge,
				     v[i].name);
	network_list_free(v, k);
	return r;
}

/* A bridge network as o asks (checked), saved in dirfd; *n gets it. */
static int make_bridge(int dirfd, const struct network_create_opts *o, struct network *n,
		       struct berr **err)
{
	int r;

	if ((r = network_base(o->name, "bridge", n, err)) < 0 ||
	    (r = apply_options(n, o->options, err)) < 0 ||
	    (r = check_bridge_free(dirfd, n, err)) < 0 ||
	    (r = choose_subnet(dirfd, o->subnet, n, err)) < 0 ||
	    (r = choose_addresses(o, n, err)) < 0)
		return r;
	n->internal = o->internal;
	STRV_FOREACH (l, o->labels)
		if (strv_push_dup(&n->labels, *l) < 0)
			return berr_set(err, ENOMEM, "out of memory");
	return network_save(dirfd, n, err);
}

int network_predefined_ensure(int dirfd, struct berr **err)
{
	static const char *const predefined[][2] = {{"none", "null"}, {"host", "host"}};
	static char *const bridge_options[] = {OPT_DEFAULT_BRIDGE "=true",
					       OPT_BRIDGE_NAME "=" NETWORK_DEFAULT_BRIDGE, NULL};
	const struct network_create_opts bridge = {.name = NETWORK_DEFAULT,
						   .options = bridge_options};
	_cleanup_(network_done) struct network b = {0};
	int r;

	for (size_t i = 0; i < 2; i++) {
		_cleanup_(network_done) struct network n = {0};
		char file[16];

		snprintf(file, sizeof(file), "%s.json", predefined[i][0]);
		if (faccessat(dirfd, file, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		if ((r = network_base(predefined[i][0], predefined[i][1], &n, err)) < 0 ||
		    (r = network_save(dirfd, &n, err)) < 0)
			return r;
	}
	/* docker's default network: its subnet the first of the pool free here and now */
	if (faccessat(dirfd, NETWORK_DEFAULT ".json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if ((r = make_bridge(dirfd, &bridge, &b, err)) < 0)
		return berr_wrap(err, "the default network %s", NETWORK_DEFAULT);
	return 0;
}

int network_create(const struct net_root *nr, const struct network_create_opts *o,
		   struct network *ret, struct berr **err)
{
	_cleanup_close_ int lock = -1, dirfd = -1;
	_cleanup_(network_done) struct network n = {0};
	int r;

	if ((lock = network_lock(nr, err)) < 0)
		return lock;
	if ((dirfd = network_dir(nr, err)) < 0)
		return dirfd;
	if ((r = network_predefined_ensure(dirfd, err)) < 0 ||
	    (r = check_request(dirfd, o, err)) < 0 || (r = make_bridge(dirfd, o, &n, err)) < 0)
		return r;
	crashpoint("network-create-saved");
	if ((r = network_firewall_sync_at(dirfd, err)) < 0) {
		_cleanup_free_ char *file = NULL;

		if (asprintf(&file, "%s.json", n.name) >= 0)
			(void) unlinkat(dirfd, file, 0);
		(void) network_firewall_sync_at(dirfd, NULL);
		return r;
	}
	*ret = n;
	memset(&n, 0, sizeof(n));
	return 0;
}

int network_remove(const struct net_root *nr, const char *ref, struct berr **err)
{
	_cleanup_close_ int lock = -1, dirfd = -1;
	_cleanup_(network_done) struct network n = {0};
	_cleanup_(ipam_done) struct ipam a = {0};
	_cleanup_free_ char *json = NULL, *ipam = NULL;
	int r;

	if ((lock = network_lock(nr, err)) < 0)
		return lock;
	if ((dirfd = network_dir(nr, err)) < 0)
		return dirfd;
	if ((r = network_predefined_ensure(dirfd, err)) < 0 ||
	    (r = network_find(dirfd, ref, &n, err)) < 0)
		return r;
	if (network_predefined(&n))
		return berr_set(err, EPERM, "%s is a pre-defined network and cannot be removed",
				n.name);
	if ((r = network_ipam_read(dirfd, n.name, nr->rootfd, &a, err)) < 0)
		return r;
	if (a.n)
		return berr_set(
			err, EBUSY,
			"error while removing network: network %s id %s has active endpoints",
			n.name, n.id);
	if (n.bridge && (r = bridge_delete(n.bridge, err)) < 0)
		return r;
	crashpoint("network-rm-bridge");
	if (asprintf(&json, "%s.json", n.name) < 0 || asprintf(&ipam, "%s.ipam", n.name) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	/* the .ipam first: a kill in between leaves a network with no allocations */
	if ((unlinkat(dirfd, ipam, 0) < 0 && errno != ENOENT) ||
	    (unlinkat(dirfd, json, 0) < 0 && errno != ENOENT))
		return berr_sys(err, errno, "cannot remove the network %s", n.name);
	crashpoint("network-rm-files");
	return network_firewall_sync_at(dirfd, err);
}
