/* SPDX-License-Identifier: Apache-2.0 */
#include "net/ports.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "net/nat.h"
#include "net/network_internal.h"

#define PORTS_DIR "ports"
#define PORTS_MAX 4096

void ports_held_done(struct ports_held *h)
{
	for (size_t i = 0; i < h->n_fds; i++)
		if (h->fds[i] >= 0)
			close(h->fds[i]);
	free(h->fds);
	free(h->maps);
	*h = (struct ports_held){0};
}

/* A socket bound to ip:port (0: the kernel picks); the port it got in *ret_port. */
static int bind_one(enum port_proto proto, uint32_t ip, uint16_t port, uint16_t *ret_port)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET, .sin_addr.s_addr = htonl(ip), .sin_port = htons(port)};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, (proto == PORT_UDP ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *) &sa, &len) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	*ret_port = ntohs(sa.sin_port);
	return fd;
}

static int bind_req(const struct port_req *q, uint16_t *ret_port, struct berr **err)
{
	char ip[IP_STR_MAX];
	int fd = -EADDRINUSE;

	for (uint32_t p = q->host_lo; p <= q->host_hi; p++) {
		if ((fd = bind_one(q->proto, q->host_ip, (uint16_t) p, ret_port)) >= 0 ||
		    fd != -EADDRINUSE)
			break;
	}
	if (fd >= 0)
		return fd;
	ip_format(q->host_ip, ip);
	if (fd != -EADDRINUSE)
		return berr_sys(err, -fd, "cannot bind %s:%u/%s", ip, q->host_lo,
				port_proto_name(q->proto));
	if (q->host_lo != q->host_hi)
		return berr_set(err, EADDRINUSE,
				"Bind for %s:%u-%u failed: port is already allocated", ip,
				q->host_lo, q->host_hi);
	return berr_set(err, EADDRINUSE, "Bind for %s:%u failed: port is already allocated", ip,
			q->host_lo);
}

int ports_bind(const struct port_req *reqs, size_t n, uint32_t ctr_ip, struct ports_held *ret,
	       struct berr **err)
{
	struct ports_held h = {0};
	int fd;

	if (n > PORTS_MAX)
		return berr_set(err, EINVAL, "too many published ports (at most %d)", PORTS_MAX);
	/* one more fd: the lock of the record */
	if (!(h.fds = calloc(n + 1, sizeof(*h.fds))) ||
	    !(h.maps = calloc(n + 1, sizeof(*h.maps)))) {
		ports_held_done(&h);
		return berr_set(err, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		struct port_map *m = &h.maps[i];

		if ((fd = bind_req(&reqs[i], &m->host_port, err)) < 0) {
			ports_held_done(&h);
			return fd;
		}
		h.fds[h.n_fds++] = fd;
		m->proto = reqs[i].proto;
		m->host_ip = reqs[i].host_ip;
		m->ctr_ip = ctr_ip;
		m->ctr_port = reqs[i].ctr_port;
		h.n_maps++;
	}
	*ret = h;
	return 0;
}

static int ports_dir(int netdirfd, struct berr **err)
{
	int fd;

	if (mkdirat(netdirfd, PORTS_DIR, 0700) < 0 && errno != EEXIST)
		return berr_sys(err, errno, "cannot create the directory networks/ports");
	fd = openat(netdirfd, PORTS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? berr_sys(err, errno, "cannot open networks/ports") : fd;
}

/* Write .id (locked) and rename it to id: the record never shows half written. */
static int record(int pdir, const char *id, struct ports_held *h, struct berr **err)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	char line[PORT_MAP_LINE_MAX];
	int fd;

	if (asprintf(&tmp, ".%s", id) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	fd = openat(pdir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return berr_sys(err, errno, "cannot create networks/ports/%s", tmp);
	if (flock(fd, LOCK_EX) < 0 || !(f = fdopen(fcntl(fd, F_DUPFD_CLOEXEC, 3), "w"))) {
		close(fd);
		return berr_sys(err, errno, "cannot write networks/ports/%s", tmp);
	}
	h->fds[h->n_fds++] = fd;
	for (size_t i = 0; i < h->n_maps; i++)
		fprintf(f, "%s\n", port_map_format(&h->maps[i], line));
	if (fflush(f) != 0 || renameat(pdir, tmp, pdir, id) < 0)
		return berr_sys(err, errno, "cannot write networks/ports/%s", id);
	return 0;
}

/* net.ipv4.conf.BRIDGE.route_localnet=1: 127.0.0.1 may be routed to the bridge (DNAT). */
static int route_localnet(const char *bridge, struct berr **err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;

	if (asprintf(&path, "/proc/sys/net/ipv4/conf/%s/route_localnet", bridge) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || write(fd, "1", 1) != 1)
		return berr_sys(err, errno, "cannot set route_localnet on '%s'", bridge);
	return 0;
}

/* Under the networks lock: the networks directory and its ports/ in it. */
static int open_locked(const struct net_root *nr, int *lock, int *dirfd, int *pdir,
		       struct berr **err)
{
	if ((*lock = network_lock(nr, err)) < 0)
		return *lock;
	if ((*dirfd = network_dir(nr, err)) < 0)
		return *dirfd;
	return (*pdir = ports_dir(*dirfd, err));
}

int ports_publish(const struct net_root *nr, const struct network *n, const char *id,
		  struct ports_held *h, struct berr **err)
{
	_cleanup_close_ int lock = -1, dirfd = -1, pdir = -1;
	int r;

	if ((r = open_locked(nr, &lock, &dirfd, &pdir, err)) < 0)
		return r;
	if ((r = record(pdir, id, h, err)) < 0)
		return r;
	if ((r = route_localnet(n->bridge, err)) < 0 ||
	    (r = network_firewall_sync_at(dirfd, err)) < 0)
		return r;
	return n->internal ? 0 : nat_enable_forwarding(err);
}

int ports_unpublish(const struct net_root *nr, const char *id, struct berr **err)
{
	_cleanup_close_ int lock = -1, dirfd = -1, pdir = -1;
	_cleanup_free_ char *tmp = NULL;
	int r;

	if ((r = open_locked(nr, &lock, &dirfd, &pdir, err)) < 0)
		return r;
	if (asprintf(&tmp, ".%s", id) >= 0)
		(void) unlinkat(pdir, tmp, 0); /* a berth killed while it wrote it */
	if (unlinkat(pdir, id, 0) < 0)
		return errno == ENOENT
			       ? 0
			       : berr_sys(err, errno, "cannot remove networks/ports/%s", id);
	return network_firewall_sync_at(dirfd, err);
}

static int read_maps(FILE *f, struct port_map **v, size_t *n)
{
	char line[PORT_MAP_LINE_MAX + 2];
	struct port_map m;

	while (fgets(line, sizeof(line), f)) {
		struct port_map *nv;

		if (port_map_parse(line, &m) < 0)
			continue;
		if (*n >= PORTS_MAX || !(nv = realloc(*v, (*n + 1) * sizeof(**v))))
			return -ENOMEM;
		*v = nv;
		(*v)[(*n)++] = m;
	}
	return 0;
}

/* Read pdir/name into *v; stale (nobody holds its lock): deleted, -ESTALE. */
static int read_record(int pdir, const char *name, bool check_live, struct port_map **v, size_t *n)
{
	_cleanup_fclose_ FILE *f = NULL;
	int fd = openat(pdir, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(f = fdopen(fd, "r"))) {
		close(fd);
		return -EINVAL;
	}
	if (check_live && flock(fileno(f), LOCK_SH | LOCK_NB) == 0) {
		(void) unlinkat(pdir, name, 0);
		return -ESTALE;
	}
	return read_maps(f, v, n);
}

int ports_read(const struct net_root *nr, const char *id, struct port_map **ret, size_t *ret_n)
{
	_cleanup_close_ int pdir = openat(nr->rootfd, "networks/" PORTS_DIR,
					  O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	struct port_map *v = NULL;
	size_t n = 0;
	int r;

	if (pdir < 0)
		return -ENOENT;
	if ((r = read_record(pdir, id, false, &v, &n)) < 0) {
		free(v);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int ports_live_at(int netdir, struct port_map **ret, size_t *ret_n)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct port_map *v = NULL;
	struct dirent *de;
	size_t n = 0;
	int pdir = openat(netdir, PORTS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

	*ret = NULL;
	*ret_n = 0;
	if (pdir < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!(d = fdopendir(pdir))) {
		close(pdir);
		return -errno;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (read_record(dirfd(d), de->d_name, true, &v, &n) == -ENOMEM) {
			free(v);
			return -ENOMEM;
		}
	}
	*ret = v;
	*ret_n = n;
	return 0;
}
