/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/container_create.h"
#include "engine/container_network.h"
#include "engine/container_ports.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/events.h"
#include "engine/dns_opts.h"
#include "engine/etc_files.h"
#include "engine/health.h"
#include "engine/ns_modes.h"
#include "engine/runtime_client.h"
#include "engine/seccomp_profile.h"
#include "lib/timefmt.h"
#include "engine/rootless.h"
#include "engine/userns.h"
#include "engine/container_volumes_from.h"
#include "engine/volume.h"
#include "image/snapshot.h"
#include "lib/cleanup.h"
#include "lib/crashpoint.h"
#include "lib/fd.h"
#include "lib/private_dir.h"
#include "lib/rmtree.h"
#include "lib/strv.h"

char *engine_volume_path(const struct engine *e, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/volumes/%s/_data", e->root, name) < 0)
		return NULL;
	return p;
}

/* The image's Env first, then the user's (which replaces a variable of the same name). */
static int merge_env(struct container_config *cfg, const struct image_config *ic)
{
	_cleanup_strv_ char **env = strv_copy(ic->env);

	if (!env && !(env = calloc(1, sizeof(char *))))
		return -ENOMEM;
	STRV_FOREACH (e, cfg->env)
		if (strv_env_set(&env, *e) < 0)
			return -ENOMEM;
	strv_free(cfg->env);
	cfg->env = TAKE_PTR(env);
	return 0;
}

static int add_exposed(const struct jnode *child, void *userdata, struct berr **err)
{
	char *v[] = {(char *) child->key, NULL};

	(void) err;
	return container_ports_merge_image(userdata, v);
}

/* The image's ExposedPorts ({"80/tcp": {}}) into cfg->exposed (-P publishes them). */
static int merge_exposed(struct container_config *cfg, const struct jnode *run)
{
	struct jnode ports;

	jnode_member(run, "ExposedPorts", &ports);
	if (!jnode_is_object(&ports))
		return 0;
	return jnode_foreach_member(&ports, add_exposed, cfg, NULL);
}

/*
 * docker's rules: --entrypoint replaces the image's entrypoint and drops its Cmd; a
 * command given replaces the image's Cmd. Args = entrypoint + cmd.
 */
static int merge_image(struct container_config *cfg, const struct image *img, struct berr **err)
{
	const struct image_config *ic = img->config;
	bool ep_given = cfg->entrypoint != NULL;
	struct jnode run, hc;
	int r;

	if (!ep_given && ic->entrypoint && !(cfg->entrypoint = strv_copy(ic->entrypoint)))
		return -ENOMEM;
	if (!cfg->cmd && !ep_given && ic->cmd && !(cfg->cmd = strv_copy(ic->cmd)))
		return -ENOMEM;
	strv_free(cfg->args);
	cfg->args = NULL;
	STRV_FOREACH (a, cfg->entrypoint)
		if (strv_push_dup(&cfg->args, *a) < 0)
			return -ENOMEM;
	STRV_FOREACH (a, cfg->cmd)
		if (strv_push_dup(&cfg->args, *a) < 0)
			return -ENOMEM;
	if (!cfg->args || !cfg->args[0] || !*cfg->args[0])
		return berr_set(err, EINVAL, "no command specified");
	if (merge_env(cfg, ic) < 0)
		return -ENOMEM;
	if (!cfg->working_dir && ic->working_dir && *ic->working_dir &&
	    !(cfg->working_dir = strdup(ic->working_dir)))
		return -ENOMEM;
	if (!cfg->user && ic->user && *ic->user && !(cfg->user = strdup(ic->user)))
		return -ENOMEM;
	if (!cfg->stop_signal && ic->stop_signal && *ic->stop_signal &&
	    !(cfg->stop_signal = strdup(ic->stop_signal)))
		return -ENOMEM;
	image_config_run_node(ic, &run);
	if (merge_exposed(cfg, &run) < 0)
		return -ENOMEM;
	jnode_member(&run, "Healthcheck", &hc);
	if ((r = health_merge_json(cfg, &hc, "the image's Healthcheck", err)) < 0)
		return r;
	free(cfg->image_id);
	return (cfg->image_id = strdup(img->id)) ? 0 : -ENOMEM;
}

static int find_image(struct image_store *s, const char *ref, struct image **ret, struct berr **err)
{
	_cleanup_image_list_ struct image_list *l = NULL;
	int i, r;

	r = image_list_load(s, &l, err);
	if (r < 0)
		return r;
	i = image_list_find(l, ref, err);
	if (i < 0) {
		if (i == -ENOENT) {
			berr_clear(err);
			return berr_set(err, ENOENT, "Unable to find image '%s' locally", ref);
		}
		return i;
	}
	return image_load(s, &l->v[i], ret, err);
}

static int fill_identity(struct container_config *cfg)
{
	char id[CONTAINER_ID_LEN + 1], now[64];
	int r;

	if ((r = container_new_id(id)) < 0)
		return r;
	free(cfg->id);
	if (!(cfg->id = strdup(id)))
		return -ENOMEM;
	if (!cfg->hostname && !(cfg->hostname = strndup(id, 12)))
		return -ENOMEM;
	free(cfg->created);
	cfg->created = strdup(rfc3339_ns(now_ns(), now, sizeof(now)));
	return cfg->created ? 0 : -ENOMEM;
}

/*
 * In a user namespace a new (empty, root-owned) volume belongs to the container's root,
 * as docker's under userns-remap: the container can write it, the host's root owns nothing
 * the container made. A volume already in use keeps its owner.
 */
static int volume_own(const struct container_config *cfg, const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	uid_t uid;
	gid_t gid;

	if (!userns_enabled(cfg))
		return 0;
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	userns_root_ids(cfg, &uid, &gid);
	if (st.st_uid != 0 || st.st_gid != 0 || st.st_nlink > 2)
		return 0;
	return fchown(fd, uid, gid) < 0 ? -errno : 0;
}

/* Named volumes and -v host dirs that do not exist yet are made (docker's -v does). */
static int prepare_mounts(struct engine *e, struct container_config *cfg, struct berr **err)
{
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		struct ctr_mount *m = &cfg->mounts[i];
		_cleanup_free_ char *path = NULL;
		int r;

		if (m->kind == MOUNT_TMPFS)
			continue;
		if (m->kind == MOUNT_VOLUME && m->anonymous && !m->source) {
			char vid[CONTAINER_ID_LEN + 1];

			if ((r = container_new_id(vid)) < 0 || !(m->source = strdup(vid)))
				return berr_set(err, ENOMEM, "out of memory");
		}
		if (m->kind == MOUNT_BIND) {
			struct stat st;

			if (stat(m->source, &st) == 0)
				continue;
			if (errno != ENOENT)
				return berr_sys(err, errno, "invalid mount source '%s'", m->source);
			if ((r = dir_mkdir_p(m->source, 0755)) < 0)
				return berr_sys(err, -r, "cannot create the mount source '%s'",
						m->source);
			continue;
		}
		if ((r = volume_ensure(e, m->source, err)) < 0)
			return r;
		path = engine_volume_path(e, m->source);
		if (!path)
			return berr_set(err, ENOMEM, "out of memory");
		if ((r = volume_own(cfg, path)) < 0)
			return berr_sys(err, -r, "cannot give volume '%s' to the container's root",
					m->source);
	}
	return 0;
}

void container_remove_anonymous_volumes(struct engine *e, const struct container_config *cfg)
{
	_cleanup_close_ int fd = openat(e->rootfd, "volumes", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return;
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const struct ctr_mount *m = &cfg->mounts[i];

		if (m->kind == MOUNT_VOLUME && m->anonymous && m->source && !strchr(m->source, '/'))
			(void) rm_rf_at(fd, m->source);
	}
}

#define PROFILE_MAX (4 << 20)

/*
 * --security-opt seccomp=FILE: the profile is read and checked now, and kept in the
 * container's directory (seccomp.json) so that later starts do not depend on the file.
 */
static int read_seccomp_profile(struct container_config *cfg, char **ret, struct berr **err)
{
	_cleanup_free_ char *text = NULL;
	struct jwriter *probe = NULL;
	struct seccomp_target t;
	size_t len;
	int r;

	*ret = NULL;
	if (!cfg->seccomp || strcmp(cfg->seccomp, "unconfined") == 0 ||
	    strcmp(cfg->seccomp, "custom") == 0)
		return 0;
	r = read_file_at(AT_FDCWD, cfg->seccomp, PROFILE_MAX, &text, &len);
	if (r < 0)
		return berr_sys(err, -r, "opening seccomp profile (%s) failed", cfg->seccomp);
	seccomp_target_host(&t);
	if ((r = seccomp_profile_convert(text, len, &t, &probe, err)) < 0)
		return berr_wrap(err, "%s", cfg->seccomp);
	jw_free(probe);
	free(cfg->seccomp);
	if (!(cfg->seccomp = strdup("custom")))
		return -ENOMEM;
	*ret = TAKE_PTR(text);
	return 0;
}

static int resolve_runtime(struct container_config *cfg, struct berr **err)
{
	if (!cfg->runtime && !(cfg->runtime = strdup("berth-runtime")))
		return -ENOMEM;
	free(cfg->runtime_path);
	cfg->runtime_path = NULL;
	return runtime_resolve(cfg->runtime, &cfg->runtime_path, err);
}

static int reserve_name(struct engine *e, struct container_config *cfg, struct berr **err)
{
	if (cfg->name)
		return container_name_reserve(e, cfg->name, cfg->id, err);
	return container_name_reserve_generated(e, cfg->id, &cfg->name, err);
}

static bool wants_host_gateway(char *const *extra_hosts)
{
	STRV_FOREACH (h, extra_hosts)
		if (strstr(*h, "host-gateway"))
			return true;
	return false;
}

/*
 * /etc/hostname, hosts (with the container's address on its network and --add-host),
 * resolv.conf (the network's gateway as name server, where aardvark-dns listens; on
 * the default network "bridge", the host's resolvers but its loopback ones, as docker).
 */
static int write_etc_files(struct engine *e, int dirfd, const struct container_config *cfg,
			   struct berr **err)
{
	char ipbuf[IP_STR_MAX], gwbuf[IP_STR_MAX];
	uint32_t ip, gw;
	bool has_ip = container_network_address(e, cfg, &ip) == 0;
	bool has_gw = container_network_gateway(e, cfg, &gw) == 0;
	struct etc_opts o = {.hostname = cfg->hostname,
			     .host_network = cfg->network == NETWORK_HOST,
			     .ip = has_ip ? ip_format(ip, ipbuf) : NULL,
			     .gateway = has_gw ? ip_format(gw, gwbuf) : NULL,
			     /* the default network's containers get the host's resolvers */
			     .name_server =
				     has_gw && !container_on_default_bridge(cfg) ? gwbuf : NULL,
			     .dns = cfg->dns,
			     .dns_search = cfg->dns_search,
			     .dns_options = cfg->dns_options,
			     .extra_hosts = cfg->extra_hosts};
	int r;

	if (!has_gw && wants_host_gateway(cfg->extra_hosts)) {
		if ((r = dns_host_address(gwbuf, err)) < 0)
			return r;
		o.gateway = gwbuf;
	}
	return etc_files_write(dirfd, &o, err);
}

/*
 * The steps, in an order that any kill leaves repairable: the directory and its held
 * lock first, then the name (which is stale without the directory), config.json, the
 * snapshot and the /etc files, and state.json last. A directory without state.json
 * whose lock is free is a create that was killed: rm and prune remove it.
 */
int container_create(struct engine *e, struct image_store *s, struct container_config *cfg,
		     struct berr **err)
{
	_cleanup_image_ struct image *img = NULL;
	_cleanup_free_ char *profile = NULL;
	_cleanup_close_ int dirfd = -1, lockfd = -1, userns_lock = -1, vlock = -1;
	int r;

	if ((r = resolve_runtime(cfg, err)) < 0 ||
	    (r = read_seccomp_profile(cfg, &profile, err)) < 0 ||
	    (r = find_image(s, cfg->image, &img, err)) < 0)
		return r;
	if ((r = merge_image(cfg, img, err)) < 0 || (r = fill_identity(cfg)) < 0)
		return r == -ENOMEM ? berr_set(err, ENOMEM, "out of memory") : r;
	if ((r = rootless_check_config(cfg, err)) < 0 ||
	    (r = container_network_check(e, cfg, err)) < 0)
		return r;
	/* the range is taken from here until config.json (which records it) is written */
	if ((r = userns_allocate(e, cfg, &userns_lock, err)) < 0 ||
	    (r = ns_modes_create(e, cfg, err)) < 0)
		return r;
	/* shared until config.json names the volumes: volume rm and prune wait (volume.h) */
	if ((vlock = volume_lock(e, LOCK_SH, err)) < 0)
		return vlock;
	if ((r = container_volumes_from_apply(e, cfg, err)) < 0)
		return r;
	if ((r = prepare_mounts(e, cfg, err)) < 0)
		goto out_remove_volumes;
	if ((r = container_dir_create(e, cfg->id, &dirfd, &lockfd, err)) < 0)
		goto out_remove_volumes;
	crashpoint("create-dir");
	/* after the directory: an address whose container has none is stale (network.h) */
	if ((r = container_network_allocate(e, cfg, err)) < 0)
		goto out_remove_dir;
	crashpoint("create-address");
	if ((r = reserve_name(e, cfg, err)) < 0)
		goto out_release_address;
	crashpoint("create-name");
	if ((r = container_dir_write_config(dirfd, cfg, err)) < 0)
		goto out_release_name;
	crashpoint("create-config");
	if (userns_lock >= 0)
		(void) close(TAKE_FD(userns_lock));
	if ((r = image_snapshot_create(s, cfg->id, img, err)) < 0)
		goto out_release_name;
	crashpoint("create-snapshot");
	if ((r = write_etc_files(e, dirfd, cfg, err)) < 0)
		goto out_remove_snapshot;
	crashpoint("create-etc");
	if (profile && (r = write_file_atomic_at(dirfd, "seccomp.json", profile, strlen(profile),
						 0600, true)) < 0) {
		berr_sys(err, -r, "cannot keep the seccomp profile");
		goto out_remove_snapshot;
	}
	if ((r = container_dir_complete(dirfd, err)) < 0)
		goto out_remove_snapshot;
	crashpoint("create-done");
	(void) events_container(e->root, cfg, "create", NULL, NULL);
	return 0;
out_remove_snapshot:
	(void) image_snapshot_remove(s, cfg->id, NULL);
out_release_name:
	container_name_release(e, cfg->name, cfg->id);
out_release_address:
	container_network_release(e, cfg);
out_remove_dir:
	(void) container_dir_remove(e, cfg->id, NULL);
out_remove_volumes:
	container_remove_anonymous_volumes(e, cfg);
	return r;
}
