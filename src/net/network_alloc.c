/* SPDX-License-Identifier: Apache-2.0 */
/* Addresses of containers on a network: networks/<name>.ipam under the lock (network.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "net/network_internal.h"

#define IPAM_FILE_MAX (IPAM_MAX * (IP_STR_MAX + IPAM_ID_LEN + MAC_STR_MAX + 3))

/* The container's directory is gone: its allocation is left from a killed berth. */
static bool stale(int rootfd, const char *id)
{
	char path[32 + IPAM_ID_LEN];
	struct stat st;

	snprintf(path, sizeof(path), "containers/%s", id);
	return fstatat(rootfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT;
}

int network_ipam_read(int dirfd, const char *name, int rootfd, struct ipam *ret, struct berr **err)
{
	_cleanup_free_ char *file = NULL, *text = NULL;
	struct ipam a = {0};
	size_t len;
	int r;

	if (asprintf(&file, "%s.ipam", name) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	r = read_file_at(dirfd, file, IPAM_FILE_MAX, &text, &len);
	if (r == -ENOENT) {
		*ret = a;
		return 0;
	}
	if (r < 0)
		return berr_sys(err, -r, "cannot read the network's allocations '%s'", file);
	if ((r = ipam_parse(text, len, &a, err)) < 0)
		return berr_wrap(err, "%s", file);
	for (size_t i = 0; rootfd >= 0 && i < a.n;)
		if (stale(rootfd, a.v[i].id))
			a.v[i] = a.v[--a.n];
		else
			i++;
	*ret = a;
	return 0;
}

static int ipam_write(int dirfd, const char *name, const struct ipam *a, struct berr **err)
{
	_cleanup_free_ char *file = NULL, *text = ipam_format(a);
	int r;

	if (!text || asprintf(&file, "%s.ipam", name) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	r = write_file_atomic_at(dirfd, file, text, strlen(text), 0600, false);
	return r < 0 ? berr_sys(err, -r, "cannot write the network's allocations '%s'", file) : 0;
}

int network_allocations(const struct net_root *nr, const char *name, struct ipam *ret,
			struct berr **err)
{
	_cleanup_close_ int dirfd = network_dir(nr, err);

	if (dirfd < 0)
		return dirfd;
	return network_ipam_read(dirfd, name, nr->rootfd, ret, err);
}

/* No other container on n has the MAC ip and mac give (two would break the bridge). */
static int check_mac(const struct network *n, const struct ipam *a, const char *id, uint32_t ip,
		     const unsigned char *mac, struct berr **err)
{
	unsigned char m[MAC_LEN];
	char buf[MAC_STR_MAX];

	if (mac)
		memcpy(m, mac, MAC_LEN);
	else
		mac_from_ip(ip, m);
	if (ipam_find_mac(a, m, id))
		return berr_set(err, EADDRINUSE, "MAC address %s is already in use on network %s",
				mac_format(m, buf), n->name);
	return 0;
}

int network_allocate(const struct net_root *nr, const char *name, const char *id, uint32_t want,
		     const unsigned char *mac, uint32_t *ret_ip, struct berr **err)
{
	_cleanup_close_ int lock = -1, dirfd = -1;
	_cleanup_(network_done) struct network n = {0};
	_cleanup_(ipam_done) struct ipam a = {0};
	uint32_t ip;
	int r;

	if ((lock = network_lock(nr, err)) < 0)
		return lock;
	if ((dirfd = network_dir(nr, err)) < 0)
		return dirfd;
	if ((r = network_find(dirfd, name, &n, err)) < 0)
		return r;
	if (!n.has_subnet)
		return berr_set(err, EINVAL, "network %s has no addresses to give", name);
	if ((r = network_ipam_read(dirfd, n.name, nr->rootfd, &a, err)) < 0)
		return r;
	ipam_remove(&a, id);
	if ((r = ipam_pick(&n.subnet, &n.range, n.gateway, &a, want, &ip, err)) < 0 ||
	    (r = check_mac(&n, &a, id, ip, mac, err)) < 0)
		return r;
	if (ipam_add_mac(&a, ip, id, mac) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	if ((r = ipam_write(dirfd, n.name, &a, err)) < 0)
		return r;
	*ret_ip = ip;
	return 0;
}

int network_release(const struct net_root *nr, const char *name, const char *id, struct berr **err)
{
	_cleanup_close_ int lock = -1, dirfd = -1;
	_cleanup_(ipam_done) struct ipam a = {0};
	int r;

	if ((lock = network_lock(nr, err)) < 0)
		return lock;
	if ((dirfd = network_dir(nr, err)) < 0)
		return dirfd;
	if ((r = network_ipam_read(dirfd, name, -1, &a, err)) < 0)
		return r;
	if (!ipam_remove(&a, id))
		return 0;
	return ipam_write(dirfd, name, &a, err);
}

int network_endpoint(const struct net_root *nr, const char *name, const char *id,
		     struct ipam_entry *ret)
{
	_cleanup_close_ int dirfd = network_dir(nr, NULL);
	_cleanup_(ipam_done) struct ipam a = {0};
	const struct ipam_entry *e;

	if (dirfd < 0 || network_ipam_read(dirfd, name, -1, &a, NULL) < 0)
		return -ENOENT;
	if (!(e = ipam_find(&a, id)))
		return -ENOENT;
	*ret = *e;
	return 0;
}

int network_address(const struct net_root *nr, const char *name, const char *id, uint32_t *ret_ip)
{
	struct ipam_entry e;
	int r = network_endpoint(nr, name, id, &e);

	if (r < 0)
		return r;
	*ret_ip = e.ip;
	return 0;
}
