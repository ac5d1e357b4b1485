/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources and linux.devices of a container's config.json. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "engine/oci_spec_internal.h"
#include "engine/rootless.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

#define CPU_PERIOD 100000
#define PRIVILEGED_DEVICES_MAX 4096

/* docker's allowed devices, after denying all (runc adds the same list itself) */
static const struct {
	char type;
	int64_t major, minor; /* -1: any */
	const char *access;
} allowed[] = {
	{'c', -1, -1, "m"},    {'b', -1, -1, "m"}, {'c', 1, 3, "rwm"},	  {'c', 1, 8, "rwm"},
	{'c', 1, 7, "rwm"},    {'c', 5, 0, "rwm"}, {'c', 1, 5, "rwm"},	  {'c', 1, 9, "rwm"},
	{'c', 136, -1, "rwm"}, {'c', 5, 2, "rwm"}, {'c', 10, 200, "rwm"},
};

static void rule(struct jwriter *arr, bool allow, const char *type, int64_t major, int64_t minor,
		 const char *access)
{
	struct jwriter *r = jw_object();

	jw_bool(r, "allow", allow);
	if (type)
		jw_str(r, "type", type);
	if (major >= 0)
		jw_int(r, "major", major);
	if (minor >= 0)
		jw_int(r, "minor", minor);
	jw_str(r, "access", access);
	jw_put(arr, NULL, r);
}

static void device_node(struct jwriter *arr, const char *path, const struct stat *st)
{
	struct jwriter *d = jw_object();

	jw_str(d, "path", path);
	jw_str(d, "type", S_ISBLK(st->st_mode) ? "b" : "c");
	jw_int(d, "major", major(st->st_rdev));
	jw_int(d, "minor", minor(st->st_rdev));
	jw_uint(d, "fileMode", st->st_mode & 07777);
	jw_uint(d, "uid", st->st_uid);
	jw_uint(d, "gid", st->st_gid);
	jw_put(arr, NULL, d);
}

/* Every device under dir (docker's HostDevices for --privileged), depth first. */
static int host_devices(const char *dir, struct jwriter *arr, size_t *count)
{
	static const char *const skip[] = {"pts", "shm", "fd", "mqueue", ".lxc", ".udev"};
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return 0;
	while ((de = readdir(d)) && *count < PRIVILEGED_DEVICES_MAX) {
		_cleanup_free_ char *path = NULL;
		struct stat st;
		bool skipped = false;

		if (de->d_name[0] == '.' && (!de->d_name[1] || strcmp(de->d_name, "..") == 0))
			continue;
		for (size_t i = 0; i < ELEMENTSOF(skip); i++)
			skipped = skipped || strcmp(de->d_name, skip[i]) == 0;
		if (skipped || asprintf(&path, "%s/%s", dir, de->d_name) < 0)
			continue;
		if (lstat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			(void) host_devices(path, arr, count);
		} else if ((S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) && st.st_rdev != 0) {
			device_node(arr, path, &st);
			(*count)++;
		}
	}
	return 0;
}

static int devices_json(const struct spec_inputs *in, struct jwriter *cgroup_rules,
			struct jwriter *nodes, struct berr **err)
{
	const struct container_config *cfg = in->cfg;

	if (cfg->privileged) {
		size_t count = 0;

		rule(cgroup_rules, true, NULL, -1, -1, "rwm");
		return host_devices(in->devdir ? in->devdir : "/dev", nodes, &count);
	}
	rule(cgroup_rules, false, NULL, -1, -1, "rwm");
	for (size_t i = 0; i < ELEMENTSOF(allowed); i++) {
		char t[2] = {allowed[i].type, 0};

		rule(cgroup_rules, true, t, allowed[i].major, allowed[i].minor, allowed[i].access);
	}
	for (size_t i = 0; i < cfg->n_devices; i++) {
		const struct ctr_device *dv = &cfg->devices[i];
		struct stat st;

		if (stat(dv->host, &st) < 0)
			return berr_sys(err, errno, "device '%s'", dv->host);
		if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
			return berr_set(err, EINVAL, "device '%s' is not a device node", dv->host);
		device_node(nodes, dv->container, &st);
		rule(cgroup_rules, true, S_ISBLK(st.st_mode) ? "b" : "c", major(st.st_rdev),
		     minor(st.st_rdev), dv->perms ? dv->perms : "rwm");
	}
	return 0;
}

static int throttles(const struct ctr_throttle *t, size_t n, struct jwriter *arr, struct berr **err)
{
	for (size_t i = 0; i < n; i++) {
		struct jwriter *o;
		struct stat st;

		if (stat(t[i].path, &st) < 0)
			return berr_sys(err, errno, "device '%s'", t[i].path);
		if (!S_ISBLK(st.st_mode))
			return berr_set(err, EINVAL, "'%s' is not a block device", t[i].path);
		o = jw_object();
		jw_int(o, "major", major(st.st_rdev));
		jw_int(o, "minor", minor(st.st_rdev));
		jw_uint(o, "rate", t[i].rate);
		jw_put(arr, NULL, o);
	}
	return 0;
}

static void memory_json(const struct spec_inputs *in, struct jwriter *res)
{
	const struct container_config *cfg = in->cfg;
	struct jwriter *m;

	if (cfg->memory <= 0 && cfg->memory_reservation <= 0 && !cfg->oom_kill_disable)
		return;
	m = jw_object();
	if (cfg->oom_kill_disable)
		jw_bool(m, "disableOOMKiller", true);
	if (cfg->memory > 0)
		jw_int(m, "limit", cfg->memory);
	if (cfg->memory_reservation > 0)
		jw_int(m, "reservation", cfg->memory_reservation);
	/* docker: with a memory limit and no swap limit, swap is as large again */
	if (in->swap_limit && cfg->memory > 0)
		jw_int(m, "swap", cfg->memory_swap != 0 ? cfg->memory_swap : 2 * cfg->memory);
	jw_put(res, "memory", m);
}

static void cpu_json(const struct container_config *cfg, struct jwriter *res)
{
	struct jwriter *c;

	if (!cfg->cpu_shares && !cfg->nano_cpus && !cfg->cpu_quota && !cfg->cpu_period &&
	    !cfg->cpuset_cpus && !cfg->cpuset_mems)
		return;
	c = jw_object();
	if (cfg->cpu_shares)
		jw_uint(c, "shares", (uint64_t) cfg->cpu_shares);
	if (cfg->nano_cpus) {
		jw_uint(c, "period", CPU_PERIOD);
		/* nano_cpus * PERIOD / 1e9, without the overflow of the product */
		jw_int(c, "quota", cfg->nano_cpus / (1000000000LL / CPU_PERIOD));
	} else {
		if (cfg->cpu_period)
			jw_uint(c, "period", (uint64_t) cfg->cpu_period);
		if (cfg->cpu_quota)
			jw_int(c, "quota", cfg->cpu_quota);
	}
	if (cfg->cpuset_cpus)
		jw_str(c, "cpus", cfg->cpuset_cpus);
	if (cfg->cpuset_mems)
		jw_str(c, "mems", cfg->cpuset_mems);
	jw_put(res, "cpu", c);
}

static int blkio_json(const struct container_config *cfg, struct jwriter *res, struct berr **err)
{
	struct jwriter *b, *rd, *wr;
	int r;

	if (!cfg->blkio_weight && !cfg->n_read_bps && !cfg->n_write_bps)
		return 0;
	b = jw_object();
	jw_put(res, "blockIO", b);
	if (cfg->blkio_weight)
		jw_uint(b, "weight", cfg->blkio_weight);
	if (cfg->n_read_bps) {
		rd = jw_array();
		jw_put(b, "throttleReadBpsDevice", rd);
		if ((r = throttles(cfg->read_bps, cfg->n_read_bps, rd, err)) < 0)
			return r;
	}
	if (cfg->n_write_bps) {
		wr = jw_array();
		jw_put(b, "throttleWriteBpsDevice", wr);
		if ((r = throttles(cfg->write_bps, cfg->n_write_bps, wr, err)) < 0)
			return r;
	}
	return 0;
}

int oci_resources_json(const struct spec_inputs *in, struct jwriter *linux_, struct berr **err)
{
	const struct container_config *cfg = in->cfg;
	struct jwriter *res = jw_object(), *rules = jw_array(), *nodes = jw_array();
	int r;

	jw_put(linux_, "resources", res);
	jw_put(res, "devices", rules);
	jw_put(linux_, "devices", nodes);
	if ((r = devices_json(in, rules, nodes, err)) < 0)
		return r;
	/* rootless: no cgroup to set limits in (rootless.h; the user was warned at create) */
	if (rootless_mode())
		return 0;
	memory_json(in, res);
	cpu_json(cfg, res);
	if (cfg->pids_limit > 0) {
		struct jwriter *p = jw_object();

		jw_int(p, "limit", cfg->pids_limit);
		jw_put(res, "pids", p);
	}
	return blkio_json(cfg, res, err);
}
