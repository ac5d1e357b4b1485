/* SPDX-License-Identifier: Apache-2.0 */
/* --pid, --ipc, --uts, --network container:NAME: the host's namespaces or another container's. */
#include "engine/ns_modes.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "engine/container_ops.h"
#include "engine/container_store.h"
#include "engine/proc.h"
#include "engine/userns.h"
#include "lib/cleanup.h"

#define TMPFS_MAGIC_ 0x01021994

/* per kind: the flag (--pid), the OCI type, the /proc/PID/ns name, docker's word for it */
static const char *const flags[_NS_SHARE_MAX] = {"pid", "ipc", "uts", "network"};
static const char *const types[_NS_SHARE_MAX] = {"pid", "ipc", "uts", "network"};
static const char *const proc_names[_NS_SHARE_MAX] = {"pid", "ipc", "uts", "net"};
static const char *const upper[_NS_SHARE_MAX] = {"PID", "IPC", "UTS", "network"};

const char *ns_share_type(enum ns_share k)
{
	return k < _NS_SHARE_MAX ? types[k] : "";
}

/* Where cfg keeps kind k's mode (as ns_mode_of reads it); NULL: no container mode there. */
static char **mode_field(struct container_config *cfg, enum ns_share k)
{
	switch (k) {
	case NS_SHARE_PID:
		return &cfg->pid_mode;
	case NS_SHARE_IPC:
		return &cfg->ipc_mode;
	case NS_SHARE_UTS:
		return &cfg->uts_mode;
	case NS_SHARE_NET:
		return cfg->network == NETWORK_CONTAINER ? &cfg->network_name : NULL;
	case _NS_SHARE_MAX:
	default:
		return NULL;
	}
}

const char *ns_mode_of(const struct container_config *cfg, enum ns_share k)
{
	const char *m = k == NS_SHARE_PID		    ? cfg->pid_mode
			: k == NS_SHARE_IPC		    ? cfg->ipc_mode
			: k == NS_SHARE_UTS		    ? cfg->uts_mode
			: cfg->network == NETWORK_CONTAINER ? cfg->network_name
							    : NULL;

	return m ? m : "";
}

bool ns_mode_host(const char *mode)
{
	return mode && strcmp(mode, "host") == 0;
}

const char *ns_mode_container(const char *mode)
{
	return mode && strncmp(mode, "container:", 10) == 0 ? mode + 10 : NULL;
}

bool ns_mode_own(const struct container_config *cfg, enum ns_share k)
{
	const char *m = ns_mode_of(cfg, k);

	return !ns_mode_host(m) && !ns_mode_container(m);
}

bool ns_ipc_shareable(const struct container_config *cfg)
{
	return strcmp(ns_mode_of(cfg, NS_SHARE_IPC), "shareable") == 0;
}

int ns_mode_check(enum ns_share k, const char *mode, struct berr **err)
{
	const char *name = ns_mode_container(mode);
	bool ok = !*mode || ns_mode_host(mode) || (name && *name);

	if (k == NS_SHARE_NET)
		return name && *name ? 0
				     : berr_set(err, EINVAL,
						"Invalid network mode: invalid container format "
						"container:<name|id>");
	if (k == NS_SHARE_IPC)
		ok = ok || !strcmp(mode, "private") || !strcmp(mode, "shareable") ||
		     !strcmp(mode, "none");
	else if (k == NS_SHARE_PID)
		ok = ok || !strcmp(mode, "private");
	if (!ok)
		return berr_set(err, EINVAL, "--%s: invalid %s mode", flags[k], upper[k]);
	return 0;
}

/* The donor of a container:NAME mode, loaded without its lock (never two locks held). */
static int load_donor(struct engine *e, const char *self, const char *name, enum ns_share k,
		      struct container **ret, struct berr **err)
{
	int r = container_open(e, name, false, ret, err);

	if (r < 0)
		return berr_wrap(err, "--%s container:%s", flags[k], name);
	if (self && strcmp((*ret)->cfg->id, self) == 0)
		return berr_set(err, EINVAL, "--%s container:%s: a container cannot join itself",
				flags[k], name);
	return 0;
}

/* Neither side of a shared namespace has a user namespace of its own. */
static int check_userns(const struct container_config *cfg, enum ns_share k, const char *mode,
			const struct container *d, struct berr **err)
{
	if (!ns_mode_own(cfg, k) && userns_enabled(cfg))
		return berr_set(err, EINVAL,
				"--%s %s: cannot share %s namespace when the container has a user "
				"namespace (--userns host does)",
				flags[k], mode, d ? "another container's" : "the host's");
	if (d && userns_enabled(d->cfg))
		return berr_set(err, EINVAL,
				"--%s %s: that container has a user namespace of its own", flags[k],
				mode);
	return 0;
}

static int set_str(char **dst, const char *v)
{
	char *n = v ? strdup(v) : NULL;

	if (v && !n)
		return -ENOMEM;
	free(*dst);
	*dst = n;
	return 0;
}

/*
 * docker's names: --uts host the host's, --uts container:NAME the donor's; --network
 * container:NAME the donor's name and domain (initializeNetworking), unless a --uts mode
 * gave one already.
 */
static int take_hostname(struct container_config *cfg, enum ns_share k, const char *mode,
			 const struct container *d, struct berr **err)
{
	char host[256] = "";

	if (k == NS_SHARE_NET && d && ns_mode_own(cfg, NS_SHARE_UTS)) {
		if (set_str(&cfg->hostname, d->cfg->hostname ? d->cfg->hostname : "") < 0 ||
		    set_str(&cfg->domainname, d->cfg->domainname) < 0)
			return berr_set(err, ENOMEM, "out of memory");
		return 0;
	}
	if (k != NS_SHARE_UTS || (!d && !ns_mode_host(mode)))
		return 0;
	if (!d && gethostname(host, sizeof(host) - 1) < 0)
		return berr_sys(err, errno, "cannot read the host's name");
	if (set_str(&cfg->hostname, d ? (d->cfg->hostname ? d->cfg->hostname : "") : host) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	return 0;
}

/* From now on kind k names its donor by id (dockerd's adaptSharedNamespaceContainer). */
static int name_by_id(struct container_config *cfg, enum ns_share k, const struct container *d,
		      struct berr **err)
{
	char **m = mode_field(cfg, k), *v;

	if (!m)
		return 0;
	if (asprintf(&v, "container:%s", d->cfg->id) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	free(*m);
	*m = v;
	return 0;
}

int ns_modes_create(struct engine *e, struct container_config *cfg, struct berr **err)
{
	for (int k = 0; k < _NS_SHARE_MAX; k++) {
		const char *mode = ns_mode_of(cfg, (enum ns_share) k);
		const char *name = ns_mode_container(mode);
		_cleanup_container_ struct container *d = NULL;
		int r;

		if (name && (r = load_donor(e, cfg->id, name, (enum ns_share) k, &d, err)) < 0)
			return r;
		if ((r = check_userns(cfg, (enum ns_share) k, mode, d, err)) < 0 ||
		    (r = take_hostname(cfg, (enum ns_share) k, mode, d, err)) < 0)
			return r;
		/* last: it frees mode, which name points into */
		if (d && (r = name_by_id(cfg, (enum ns_share) k, d, err)) < 0)
			return r;
	}
	return 0;
}

/*
 * dirfd/name is a mount point (a tmpfs of ours), not a plain directory on a tmpfs the
 * engine root may itself be on.
 */
static bool mounted_tmpfs(int dirfd, const char *name)
{
	struct statx stx;
	struct statfs sf;
	_cleanup_close_ int fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 || fstatfs(fd, &sf) < 0 || sf.f_type != TMPFS_MAGIC_)
		return false;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) < 0 ||
	    !(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return false;
	return stx.stx_attributes & STATX_ATTR_MOUNT_ROOT;
}

/* d's /dev/shm on the host (it must be shareable): <dir>/shm, a tmpfs. */
static int donor_shm(struct container *d, const char *name, char **ret, struct berr **err)
{
	_cleanup_free_ char *path = container_path(d, "shm");

	if (!path)
		return berr_set(err, ENOMEM, "out of memory");
	if (!ns_ipc_shareable(d->cfg) || !mounted_tmpfs(d->dirfd, "shm"))
		return berr_set(err, EINVAL,
				"can't join IPC of container %s: non-shareable IPC (hint: use "
				"IpcMode:shareable for the donor container)",
				name);
	*ret = TAKE_PTR(path);
	return 0;
}

/* Mount c's own shareable /dev/shm on <dir>/shm (sized as --shm-size, 64 MiB default). */
static int mount_own_shm(struct container *c, struct ns_joins *j, struct berr **err)
{
	_cleanup_free_ char *path = container_path(c, "shm");
	char opts[64];

	if (!path)
		return berr_set(err, ENOMEM, "out of memory");
	if (mkdirat(c->dirfd, "shm", 0700) < 0 && errno != EEXIST)
		return berr_sys(err, errno, "cannot create '%s'", path);
	/* a start after a crash may find it mounted already */
	if (!mounted_tmpfs(c->dirfd, "shm")) {
		snprintf(opts, sizeof(opts), "mode=1777,size=%lldk",
			 (long long) (c->cfg->shm_size > 0 ? c->cfg->shm_size / 1024 : 65536));
		if (mount("shm", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
			return berr_sys(err, errno, "cannot mount the shareable /dev/shm on '%s'",
					path);
	}
	j->shm_source = TAKE_PTR(path);
	return 0;
}

static int join_one(struct engine *e, struct container *c, enum ns_share k, struct ns_joins *j,
		    struct berr **err)
{
	const char *name = ns_mode_container(ns_mode_of(c->cfg, k));
	_cleanup_container_ struct container *d = NULL;
	_cleanup_close_ int pidfd = -1;
	int r;

	if ((r = load_donor(e, c->cfg->id, name, k, &d, err)) < 0)
		return r;
	if (d->st.status != STATUS_RUNNING && d->st.status != STATUS_PAUSED)
		return k == NS_SHARE_IPC
			       ? berr_set(err, EINVAL,
					  "can't join IPC of container %s: Container %s is not "
					  "running",
					  name, d->cfg->id)
			       : berr_set(err, EINVAL,
					  "cannot join %s of a non running container: %s", upper[k],
					  name);
	/* the pidfd pins the init we checked while its namespace path is written */
	pidfd = proc_pidfd(d->st.pid, d->st.pid_start);
	if (pidfd < 0)
		return berr_set(err, ESRCH, "cannot join %s of a non running container: %s",
				upper[k], name);
	if (asprintf(&j->path[k], "/proc/%d/ns/%s", (int) d->st.pid, proc_names[k]) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	if (k == NS_SHARE_IPC)
		return donor_shm(d, name, &j->shm_source, err);
	if (k == NS_SHARE_NET && !(j->etc_dir = strdup(d->dir)))
		return berr_set(err, ENOMEM, "out of memory");
	return 0;
}

int ns_modes_resolve(struct engine *e, struct container *c, struct ns_joins *j, struct berr **err)
{
	int r;

	for (int k = 0; k < _NS_SHARE_MAX; k++)
		if (ns_mode_container(ns_mode_of(c->cfg, (enum ns_share) k)) &&
		    (r = join_one(e, c, (enum ns_share) k, j, err)) < 0)
			return r;
	if (ns_ipc_shareable(c->cfg))
		return mount_own_shm(c, j, err);
	if (ns_mode_host(ns_mode_of(c->cfg, NS_SHARE_IPC)) && !(j->shm_source = strdup("/dev/shm")))
		return berr_set(err, ENOMEM, "out of memory");
	return 0;
}

void ns_joins_done(struct ns_joins *j)
{
	for (int k = 0; k < _NS_SHARE_MAX; k++)
		free(j->path[k]);
	free(j->shm_source);
	free(j->etc_dir);
	*j = (struct ns_joins){0};
}
