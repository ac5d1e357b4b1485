/* SPDX-License-Identifier: Apache-2.0 */
/* The network store: networks/<name>.json and .ipam, networks.lock (network.h). */
#include "net/network.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "net/nat.h"
#include "net/ports.h"
#include "net/network_internal.h"

#define META_MAX (1 << 20)

void network_done(struct network *n)
{
	free(n->name);
	free(n->id);
	free(n->created);
	free(n->driver);
	free(n->bridge);
	strv_free(n->labels);
	strv_free(n->options);
	memset(n, 0, sizeof(*n));
}

int network_lock(const struct net_root *nr, struct berr **err)
{
	_cleanup_close_ int fd = openat(nr->rootfd, "networks.lock",
					O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return berr_sys(err, errno, "cannot open '%s/networks.lock'", nr->root);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return berr_sys(err, errno, "cannot lock '%s/networks.lock'", nr->root);
	return TAKE_FD(fd);
}

int network_dir(const struct net_root *nr, struct berr **err)
{
	int fd;

	if (mkdirat(nr->rootfd, "networks", 0700) < 0 && errno != EEXIST)
		return berr_sys(err, errno, "cannot create '%s/networks'", nr->root);
	fd = openat(nr->rootfd, "networks", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? berr_sys(err, errno, "cannot open '%s/networks'", nr->root) : fd;
}

int network_save(int dirfd, const struct network *n, struct berr **err)
{
	_cleanup_jw_ struct jwriter *w = jw_object();
	_cleanup_free_ char *text = NULL, *file = NULL;
	char buf[CIDR_STR_MAX];
	int r;

	jw_str(w, "Name", n->name);
	jw_str(w, "Id", n->id);
	jw_str(w, "Created", n->created);
	jw_str(w, "Driver", n->driver);
	if (n->has_subnet) {
		jw_str(w, "Subnet", cidr_format(&n->subnet, buf));
		jw_str(w, "Gateway", ip_format(n->gateway, buf));
	}
	if (n->has_range)
		jw_str(w, "IPRange", cidr_format(&n->range, buf));
	jw_bool(w, "Internal", n->internal);
	jw_put(w, "Labels", jw_kv_object(n->labels));
	jw_put(w, "Options", jw_kv_object(n->options));
	jw_str(w, "BridgeName", n->bridge);
	jw_uint(w, "MTU", n->mtu);
	text = jw_to_string(w, true);
	if (!text || asprintf(&file, "%s.json", n->name) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	r = write_file_atomic_at(dirfd, file, text, strlen(text), 0600, true);
	return r < 0 ? berr_sys(err, -r, "cannot write the network '%s'", n->name) : 0;
}

static int add_kv(const struct jnode *child, void *userdata, struct berr **err)
{
	_cleanup_free_ char *v = NULL, *kv = NULL;
	int r;

	if ((r = jnode_string(child, &v, err)) < 0)
		return r;
	if (asprintf(&kv, "%s=%s", child->key, v ? v : "") < 0 ||
	    strv_consume(userdata, TAKE_PTR(kv)) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	return 0;
}

static int read_cidr(const struct jnode *root, const char *key, struct cidr *ret, bool *has,
		     struct berr **err)
{
	_cleanup_free_ char *s = NULL;
	int r;

	if ((r = jnode_get_string(root, key, &s, err)) < 0)
		return r;
	*has = s != NULL;
	return s ? cidr_parse(s, false, ret, err) : 0;
}

static int read_fields(const struct jnode *root, struct network *n, struct berr **err)
{
	_cleanup_free_ char *gw = NULL;
	struct jnode labels, options;
	int r;

	if ((r = jnode_get_string(root, "Name", &n->name, err)) < 0 ||
	    (r = jnode_get_string(root, "Id", &n->id, err)) < 0 ||
	    (r = jnode_get_string(root, "Created", &n->created, err)) < 0 ||
	    (r = jnode_get_string(root, "Driver", &n->driver, err)) < 0 ||
	    (r = jnode_get_string(root, "Gateway", &gw, err)) < 0 ||
	    (r = jnode_get_bool(root, "Internal", &n->internal, err)) < 0 ||
	    (r = jnode_get_string(root, "BridgeName", &n->bridge, err)) < 0 ||
	    (r = jnode_get_uint32(root, "MTU", &n->mtu, err)) < 0 ||
	    (r = read_cidr(root, "Subnet", &n->subnet, &n->has_subnet, err)) < 0 ||
	    (r = read_cidr(root, "IPRange", &n->range, &n->has_range, err)) < 0)
		return r;
	if (!n->name || !n->id || !n->driver)
		return berr_set(err, EINVAL, "Name, Id and Driver are required");
	if (!n->has_range)
		n->range = n->subnet;
	if (gw && ip_parse(gw, &n->gateway) < 0)
		return berr_set(err, EINVAL, "Gateway: bad address '%s'", gw);
	jnode_member(root, "Labels", &labels);
	jnode_member(root, "Options", &options);
	if ((jnode_present(&labels) &&
	     (r = jnode_foreach_member(&labels, add_kv, &n->labels, err)) < 0) ||
	    (jnode_present(&options) &&
	     (r = jnode_foreach_member(&options, add_kv, &n->options, err)) < 0))
		return r;
	return 0;
}

int network_read(int dirfd, const char *file, struct network *ret, struct berr **err)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	struct network n = {0};
	struct jnode root;
	size_t len;
	int r;

	if ((r = read_file_at(dirfd, file, META_MAX, &text, &len)) < 0)
		return r == -ENOENT ? r : berr_sys(err, -r, "cannot read '%s'", file);
	if ((r = jdoc_parse(text, len, file, &doc, err)) < 0)
		return r;
	jdoc_root(doc, &root);
	if ((r = read_fields(&root, &n, err)) < 0) {
		network_done(&n);
		return berr_wrap(err, "%s", file);
	}
	*ret = n;
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct network *) a)->name, ((const struct network *) b)->name);
}

void network_list_free(struct network *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		network_done(&v[i]);
	free(v);
}

static bool json_name(const char *f)
{
	size_t n = strlen(f);

	return f[0] != '.' && n > 5 && strcmp(f + n - 5, ".json") == 0;
}

/* Every network in dirfd (with the lock held or not: the files are replaced atomically). */
int network_list_at(int dirfd, struct network **ret, size_t *ret_n, struct berr **err)
{
	int dup = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	_cleanup_closedir_ DIR *d = dup >= 0 ? fdopendir(dup) : NULL;
	struct network *v = NULL;
	struct dirent *de;
	size_t n = 0;
	int r = 0;

	if (!d) {
		if (dup >= 0)
			close(dup);
		return berr_sys(err, errno, "cannot read the networks");
	}
	/* the dup shares dirfd's offset: an earlier listing left it at the end */
	rewinddir(d);
	while (r >= 0 && (de = readdir(d))) {
		struct network *nv;

		if (!json_name(de->d_name))
			continue;
		if (!(nv = realloc(v, (n + 1) * sizeof(*v)))) {
			r = berr_set(err, ENOMEM, "out of memory");
			break;
		}
		v = nv;
		r = network_read(dirfd, de->d_name, &v[n], err);
		if (r == -ENOENT) /* removed meanwhile */
			r = 0;
		else if (r >= 0)
			n++;
	}
	if (r < 0) {
		network_list_free(v, n);
		return r;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_name);
	*ret = v;
	*ret_n = n;
	return 0;
}

int network_list(const struct net_root *nr, struct network **ret, size_t *ret_n, struct berr **err)
{
	_cleanup_close_ int lock = -1, dirfd = -1;
	int r;

	if ((lock = network_lock(nr, err)) < 0)
		return lock;
	if ((dirfd = network_dir(nr, err)) < 0)
		return dirfd;
	if ((r = network_predefined_ensure(dirfd, err)) < 0)
		return r;
	return network_list_at(dirfd, ret, ret_n, err);
}

int network_find(int dirfd, const char *ref, struct network *ret, struct berr **err)
{
	_cleanup_free_ char *file = NULL;
	struct network *v = NULL;
	size_t n = 0, hit = SIZE_MAX, hits = 0;
	int r;

	if (network_name_valid(ref)) {
		if (asprintf(&file, "%s.json", ref) < 0)
			return berr_set(err, ENOMEM, "out of memory");
		r = network_read(dirfd, file, ret, err);
		if (r != -ENOENT)
			return r;
	}
	if ((r = network_list_at(dirfd, &v, &n, err)) < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].id, ref) == 0 || strncmp(v[i].id, ref, strlen(ref)) == 0) {
			hits += strcmp(v[i].id, ref) == 0 ? 1000 : 1;
			hit = i;
		}
	if (*ref && (hits == 1 || hits >= 1000)) {
		*ret = v[hit];
		memset(&v[hit], 0, sizeof(v[hit]));
		network_list_free(v, n);
		return 0;
	}
	network_list_free(v, n);
	if (hits > 1)
		return berr_set(err, EINVAL,
				"network %s is ambiguous (%zu matches found based on ID prefix)",
				ref, hits);
	return berr_set(err, ENOENT, "network %s not found", ref);
}

int network_load(const struct net_root *nr, const char *ref, struct network *ret, struct berr **err)
{
	_cleanup_close_ int lock = -1, dirfd = -1;
	int r;

	if ((lock = network_lock(nr, err)) < 0)
		return lock;
	if ((dirfd = network_dir(nr, err)) < 0)
		return dirfd;
	if ((r = network_predefined_ensure(dirfd, err)) < 0)
		return r;
	return network_find(dirfd, ref, ret, err);
}

/* The allocations of every bridge network, one list (nat.h's endpoints). */
static int endpoints_read(int dirfd, const struct network *v, size_t n, struct ipam *ret,
			  struct berr **err)
{
	for (size_t i = 0; i < n; i++) {
		struct ipam a = {0};
		int r;

		if (!v[i].has_subnet || !v[i].bridge || strcmp(v[i].driver, "bridge") != 0)
			continue;
		if ((r = network_ipam_read(dirfd, v[i].name, -1, &a, err)) < 0)
			return r;
		for (size_t j = 0; r >= 0 && j < a.n; j++)
			r = ipam_add_mac(ret, a.v[j].ip, a.v[j].id,
					 a.v[j].has_mac ? a.v[j].mac : NULL);
		ipam_done(&a);
		if (r < 0)
			return berr_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

int network_firewall_sync_at(int dirfd, struct berr **err)
{
	struct network *v = NULL;
	struct nat_ports p = {0};
	struct port_map *maps = NULL;
	struct ipam eps = {0};
	size_t n = 0;
	int r;

	if ((r = ports_live_at(dirfd, &maps, &p.n)) < 0)
		return berr_sys(err, -r, "cannot read the published ports");
	p.v = maps;
	if ((r = network_list_at(dirfd, &v, &n, err)) >= 0 &&
	    (r = endpoints_read(dirfd, v, n, &eps, err)) >= 0)
		r = nat_apply(v, n, &p, &eps, err);
	ipam_done(&eps);
	network_list_free(v, n);
	free(maps);
	return r;
}

int network_firewall_sync(const struct net_root *nr, const struct network *n, struct berr **err)
{
	_cleanup_close_ int lock = -1, dirfd = -1;
	int r;

	if ((lock = network_lock(nr, err)) < 0)
		return lock;
	if ((dirfd = network_dir(nr, err)) < 0)
		return dirfd;
	if ((r = network_firewall_sync_at(dirfd, err)) < 0)
		return r;
	return n && !n->internal ? nat_enable_forwarding(err) : 0;
}

bool network_predefined(const struct network *n)
{
	return strcmp(n->name, "none") == 0 || strcmp(n->name, "host") == 0 ||
	       strcmp(n->name, NETWORK_DEFAULT) == 0;
}
