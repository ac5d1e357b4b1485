/* SPDX-License-Identifier: Apache-2.0 */
/* The mounts of a container's config.json, in docker's order. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/oci_spec_internal.h"
#include "engine/rootless.h"
#include "engine/userns.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

#define INIT_PATH "/sbin/docker-init"

struct default_mount {
	const char *dest, *type, *source, *options;
};

/* docker's (moby oci/defaults.go); /sys/fs/cgroup and /sys become rw with --privileged */
static const struct default_mount defaults[] = {
	{"/proc", "proc", "proc", "nosuid,noexec,nodev"},
	{"/dev", "tmpfs", "tmpfs", "nosuid,strictatime,mode=755,size=65536k"},
	{"/dev/pts", "devpts", "devpts", "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5"},
	{"/sys", "sysfs", "sysfs", "nosuid,noexec,nodev,ro"},
	{"/sys/fs/cgroup", "cgroup", "cgroup", "nosuid,noexec,nodev,ro"},
	{"/dev/mqueue", "mqueue", "mqueue", "nosuid,noexec,nodev"},
	{"/dev/shm", "tmpfs", "shm", "nosuid,noexec,nodev,mode=1777"},
};

static void add_mount(struct jwriter *arr, const char *dest, const char *type, const char *source,
		      char *const *options)
{
	struct jwriter *m = jw_object(), *o = jw_array();

	jw_str(m, "destination", dest);
	jw_str(m, "type", type);
	jw_str(m, "source", source);
	STRV_FOREACH (s, options)
		jw_append_str(o, *s);
	jw_put(m, "options", o);
	jw_put(arr, NULL, m);
}

static bool user_has(const struct container_config *cfg, const char *dest)
{
	for (size_t i = 0; i < cfg->n_mounts; i++)
		if (strcmp(cfg->mounts[i].target, dest) == 0)
			return true;
	return false;
}

/* /dev/shm: --ipc none has none; shareable, host and container:NAME bind a host tmpfs. */
static bool add_shm(const struct spec_inputs *in, struct jwriter *arr)
{
	char *const bind[] = {"rbind", "nosuid", "noexec", "nodev", NULL};

	if (strcmp(ns_mode_of(in->cfg, NS_SHARE_IPC), "none") == 0)
		return true;
	if (!in->joins || !in->joins->shm_source)
		return false;
	add_mount(arr, "/dev/shm", "bind", in->joins->shm_source, bind);
	return true;
}

static int add_defaults(const struct spec_inputs *in, struct jwriter *arr)
{
	const struct container_config *cfg = in->cfg;

	for (size_t i = 0; i < ELEMENTSOF(defaults); i++) {
		const struct default_mount *d = &defaults[i];
		_cleanup_strv_ char **opts = strv_split(d->options, ",");
		char *size;

		if (!opts)
			return -ENOMEM;
		if (user_has(cfg, d->dest))
			continue;
		if (cfg->privileged && strncmp(d->dest, "/sys", 4) == 0) {
			size_t n = strv_length(opts);

			/* the last option is "ro": privileged containers get them rw */
			free(opts[n - 1]);
			opts[n - 1] = strdup("rw");
			if (!opts[n - 1])
				return -ENOMEM;
		}
		if (strcmp(d->dest, "/dev/shm") == 0) {
			if (add_shm(in, arr))
				continue;
			if (asprintf(&size, "size=%lldk",
				     (long long) (cfg->shm_size > 0 ? cfg->shm_size / 1024
								    : 65536)) < 0 ||
			    strv_consume(&opts, size) < 0)
				return -ENOMEM;
		}
		if (strcmp(d->dest, "/sys") == 0 && (userns_enabled(cfg) || rootless_mode()) &&
		    cfg->network == NETWORK_HOST) {
			char *const bind[] = {"rbind", "nosuid", "noexec", "nodev", "ro", NULL};

			/*
			 * sysfs mounts only in a network namespace the container's user
			 * namespace owns (rootless: berth's); the host's is not: its /sys
			 * bound, as docker does
			 */
			add_mount(arr, "/sys", "bind", "/sys", bind);
			continue;
		}
		add_mount(arr, d->dest, d->type, d->source, opts);
	}
	return 0;
}

static int add_etc(const struct spec_inputs *in, struct jwriter *arr)
{
	static const char *const files[] = {"resolv.conf", "hostname", "hosts"};
	char *const opts[] = {"rbind", "rprivate", NULL};
	/* --network container:NAME shares the donor's files, as docker's */
	const char *dir = in->joins && in->joins->etc_dir ? in->joins->etc_dir : in->dir;

	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		_cleanup_free_ char *src = NULL, *dest = NULL;

		if (asprintf(&src, "%s/%s", dir, files[i]) < 0 ||
		    asprintf(&dest, "/etc/%s", files[i]) < 0)
			return -ENOMEM;
		if (!user_has(in->cfg, dest))
			add_mount(arr, dest, "bind", src, opts);
	}
	if (in->cfg->init && in->init_path) {
		char *const iopts[] = {"rbind", "ro", "rprivate", NULL};

		add_mount(arr, INIT_PATH, "bind", in->init_path, iopts);
	}
	return 0;
}

static size_t depth(const char *path)
{
	size_t n = 0;

	for (const char *p = path; *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			n++;
	return n;
}

static int add_user_mount(const struct spec_inputs *in, size_t i, struct jwriter *arr)
{
	const struct ctr_mount *m = &in->cfg->mounts[i];
	_cleanup_strv_ char **opts = NULL;

	if (in->volume_tmpfs && in->volume_tmpfs[i]) {
		/* a local volume of type tmpfs: its o= options only, as docker's mount(2) */
		opts = strv_split(in->volume_tmpfs[i], ",");
		if (!opts || (m->readonly && strv_push_dup(&opts, "ro") < 0))
			return -ENOMEM;
		add_mount(arr, m->target, "tmpfs", "tmpfs", opts);
		return 0;
	}
	if (m->kind == MOUNT_TMPFS) {
		opts = strv_split(m->options && *m->options ? m->options : "noexec,nosuid,nodev",
				  ",");
		if (!opts)
			return -ENOMEM;
		if (m->readonly && strv_push_dup(&opts, "ro") < 0)
			return -ENOMEM;
		add_mount(arr, m->target, "tmpfs", "tmpfs", opts);
		return 0;
	}
	if (strv_push_dup(&opts, "rbind") < 0 ||
	    strv_push_dup(&opts, m->propagation ? m->propagation : "rprivate") < 0 ||
	    (m->readonly && strv_push_dup(&opts, "ro") < 0))
		return -ENOMEM;
	add_mount(arr, m->target, "bind", in->mount_sources[i], opts);
	return 0;
}

int oci_mounts_json(const struct spec_inputs *in, struct jwriter *spec, struct berr **err)
{
	const struct container_config *cfg = in->cfg;
	struct jwriter *arr = jw_array();
	size_t max = 0;

	jw_put(spec, "mounts", arr);
	if (add_defaults(in, arr) < 0 || add_etc(in, arr) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	/* parents before children, as docker sorts them; the order given otherwise */
	for (size_t i = 0; i < cfg->n_mounts; i++)
		if (depth(cfg->mounts[i].target) > max)
			max = depth(cfg->mounts[i].target);
	for (size_t d = 0; d <= max; d++) {
		for (size_t i = 0; i < cfg->n_mounts; i++) {
			if (depth(cfg->mounts[i].target) != d)
				continue;
			if (add_user_mount(in, i, arr) < 0)
				return berr_set(err, ENOMEM, "out of memory");
		}
	}
	return 0;
}
