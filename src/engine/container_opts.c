/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/dns_opts.h"
#include "engine/container_opts.h"
#include "engine/container_ports.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/capabilities.h"
#include "engine/container_bandwidth.h"
#include "engine/container_store.h"
#include "engine/container_volumes_from.h"
#include "engine/health.h"
#include "engine/log_drivers.h"
#include "engine/network_opts.h"
#include "engine/ns_modes.h"
#include "engine/units.h"
#include "engine/userns.h"
#include "engine/volume.h"
#include "net/cidr.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/log.h"
#include "lib/strv.h"

#define ENV_FILE_MAX (4 << 20)

static const char *const propagations[] = {"private", "rprivate", "shared",
					   "rshared", "slave",	  "rslave"};

void ctr_mount_done(struct ctr_mount *m)
{
	free(m->source);
	free(m->target);
	free(m->propagation);
	free(m->options);
	memset(m, 0, sizeof(*m));
}

static bool is_propagation(const char *s)
{
	for (size_t i = 0; i < ELEMENTSOF(propagations); i++)
		if (strcmp(s, propagations[i]) == 0)
			return true;
	return false;
}

/* The options after the second ':' of -v: ro, rw, z, Z, nocopy, a propagation. */
static int volume_options(const char *opts, struct ctr_mount *m, const char *spec,
			  struct berr **err)
{
	_cleanup_strv_ char **v = strv_split(opts, ",");

	if (!v)
		return -ENOMEM;
	STRV_FOREACH (o, v) {
		if (strcmp(*o, "ro") == 0 || strcmp(*o, "readonly") == 0)
			m->readonly = true;
		else if (strcmp(*o, "rw") == 0 || strcmp(*o, "z") == 0 || strcmp(*o, "Z") == 0)
			continue;
		else if (strcmp(*o, "nocopy") == 0)
			m->nocopy = true;
		else if (is_propagation(*o)) {
			free(m->propagation);
			if (!(m->propagation = strdup(*o)))
				return -ENOMEM;
		} else
			return berr_set(err, EINVAL, "invalid mode: %s", opts);
	}
	if (m->kind != MOUNT_BIND && m->propagation)
		return berr_set(err, EINVAL, "invalid volume specification: '%s'", spec);
	return 0;
}

static int check_target(const char *target, const char *spec, struct berr **err)
{
	if (!target || target[0] != '/')
		return berr_set(err, EINVAL,
				"invalid volume specification: '%s': invalid mount config for "
				"type \"volume\": invalid mount path: '%s' mount path must be "
				"absolute",
				spec, target ? target : "");
	if (strcmp(target, "/") == 0)
		return berr_set(err, EINVAL, "invalid volume specification: '%s'", spec);
	return 0;
}

int container_parse_volume(const char *spec, struct ctr_mount *m, struct berr **err)
{
	_cleanup_strv_ char **parts = strv_split(spec, ":");
	size_t n = parts ? strv_length(parts) : 0;
	int r;

	*m = (struct ctr_mount){.kind = MOUNT_VOLUME};
	if (!parts)
		return -ENOMEM;
	if (n < 1 || n > 3 || !*spec)
		return berr_set(err, EINVAL, "invalid volume specification: '%s'", spec);
	if (n == 1) {
		m->anonymous = true;
		m->target = strdup(parts[0]);
	} else {
		m->source = strdup(parts[0]);
		m->target = strdup(parts[1]);
		if (parts[0][0] == '/')
			m->kind = MOUNT_BIND;
		else if (!volume_name_valid(parts[0]))
			return berr_set(
				err, EINVAL,
				"create %s: \"%s\" includes invalid characters for a local "
				"volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. "
				"If you intended to pass a host directory, use absolute path",
				parts[0], parts[0]);
	}
	if (!m->target || (n > 1 && !m->source))
		return -ENOMEM;
	if ((r = check_target(m->target, spec, err)) < 0)
		return r;
	if (n == 3)
		return volume_options(parts[2], m, spec, err);
	return 0;
}

static int mount_key(struct ctr_mount *m, const char *key, const char *val, char **tmpfs_opts,
		     const char *spec, struct berr **err)
{
	char **dst = NULL;

	if (strcmp(key, "type") == 0) {
		if (!val)
			return berr_set(err, EINVAL,
					"invalid field 'type' must be a key=value pair");
		if (strcmp(val, "bind") == 0)
			m->kind = MOUNT_BIND;
		else if (strcmp(val, "volume") == 0)
			m->kind = MOUNT_VOLUME;
		else if (strcmp(val, "tmpfs") == 0)
			m->kind = MOUNT_TMPFS;
		else
			return berr_set(err, EINVAL,
					"invalid argument \"%s\" for \"--mount\" flag: "
					"mount type '%s' is not supported",
					spec, val);
		return 0;
	}
	if (strcmp(key, "source") == 0 || strcmp(key, "src") == 0)
		dst = &m->source;
	else if (strcmp(key, "target") == 0 || strcmp(key, "destination") == 0 ||
		 strcmp(key, "dst") == 0)
		dst = &m->target;
	else if (strcmp(key, "bind-propagation") == 0)
		dst = &m->propagation;
	if (dst) {
		free(*dst);
		return (*dst = strdup(val ? val : "")) ? 0 : -ENOMEM;
	}
	if (strcmp(key, "readonly") == 0 || strcmp(key, "ro") == 0) {
		m->readonly = !val || strcmp(val, "true") == 0 || strcmp(val, "1") == 0;
		return 0;
	}
	if (strcmp(key, "volume-nocopy") == 0) {
		m->nocopy = !val || strcmp(val, "true") == 0;
		return 0;
	}
	if ((strcmp(key, "tmpfs-size") == 0 || strcmp(key, "tmpfs-mode") == 0) && val) {
		_cleanup_free_ char *o = NULL;
		int64_t size;
		int r;

		if (key[6] == 's') {
			if ((r = units_parse_ram(val, false, &size, err)) < 0)
				return r;
			r = asprintf(&o, "%s%ssize=%lld", *tmpfs_opts ? *tmpfs_opts : "",
				     *tmpfs_opts ? "," : "", (long long) size);
		} else
			r = asprintf(&o, "%s%smode=%s", *tmpfs_opts ? *tmpfs_opts : "",
				     *tmpfs_opts ? "," : "", val);
		if (r < 0)
			return -ENOMEM;
		free(*tmpfs_opts);
		*tmpfs_opts = TAKE_PTR(o);
		return 0;
	}
	return berr_set(err, EINVAL,
			"invalid argument \"%s\" for \"--mount\" flag: unexpected key '%s' in '%s'",
			spec, key, spec);
}

int container_parse_mount(const char *spec, struct ctr_mount *m, struct berr **err)
{
	_cleanup_strv_ char **fields = strv_split(spec, ",");
	_cleanup_free_ char *tmpfs_opts = NULL;
	int r;

	*m = (struct ctr_mount){.kind = MOUNT_VOLUME};
	if (!fields)
		return -ENOMEM;
	STRV_FOREACH (f, fields) {
		char *eq = strchr(*f, '=');

		if (eq)
			*eq = '\0';
		if ((r = mount_key(m, *f, eq ? eq + 1 : NULL, &tmpfs_opts, spec, err)) < 0)
			return r;
	}
	if (!m->target || !*m->target)
		return berr_set(err, EINVAL,
				"invalid argument \"%s\" for \"--mount\" flag: "
				"target is required",
				spec);
	if ((r = check_target(m->target, spec, err)) < 0)
		return r;
	if (m->kind == MOUNT_BIND && (!m->source || m->source[0] != '/'))
		return berr_set(err, EINVAL, "invalid mount config for type \"bind\": %s",
				m->source ? "invalid mount path: must be absolute"
					  : "field Source must not be empty");
	if (m->propagation && (m->kind != MOUNT_BIND || !is_propagation(m->propagation)))
		return berr_set(err, EINVAL, "invalid propagation mode: %s", m->propagation);
	if (m->kind == MOUNT_VOLUME && m->source && !*m->source)
		m->source = (free(m->source), NULL);
	if (m->kind == MOUNT_VOLUME && !m->source)
		m->anonymous = true;
	if (m->kind == MOUNT_VOLUME && m->source && !volume_name_valid(m->source))
		return berr_set(err, EINVAL, "invalid volume name '%s'", m->source);
	if (m->kind == MOUNT_TMPFS) {
		if (m->source)
			return berr_set(
				err, EINVAL,
				"invalid mount config for type \"tmpfs\": field Source must "
				"be empty");
		m->options = TAKE_PTR(tmpfs_opts);
	}
	return 0;
}

/* --tmpfs /path[:opts] */
static int parse_tmpfs(const char *spec, struct ctr_mount *m, struct berr **err)
{
	const char *colon = strchr(spec, ':');

	*m = (struct ctr_mount){.kind = MOUNT_TMPFS};
	m->target = colon ? strndup(spec, (size_t) (colon - spec)) : strdup(spec);
	if (!m->target || (colon && !(m->options = strdup(colon + 1))))
		return -ENOMEM;
	if (m->target[0] != '/')
		return berr_set(err, EINVAL, "invalid mount path: '%s' mount path must be absolute",
				m->target);
	return 0;
}

static int add_mount(struct container_config *c, struct ctr_mount *m, struct berr **err)
{
	struct ctr_mount *n;

	for (size_t i = 0; i < c->n_mounts; i++)
		if (strcmp(c->mounts[i].target, m->target) == 0) {
			int r = berr_set(err, EINVAL, "Duplicate mount point: %s", m->target);

			ctr_mount_done(m);
			return r;
		}
	n = realloc(c->mounts, (c->n_mounts + 1) * sizeof(*n));
	if (!n) {
		ctr_mount_done(m);
		return -ENOMEM;
	}
	c->mounts = n;
	c->mounts[c->n_mounts++] = *m;
	return 0;
}

/* --mount type=bind: the source must be there (-v makes a missing one; --mount does not). */
static int check_bind_source(const struct ctr_mount *m, struct berr **err)
{
	struct stat st;

	if (m->kind != MOUNT_BIND || stat(m->source, &st) == 0)
		return 0;
	if (errno == ENOENT)
		return berr_set(err, ENOENT,
				"invalid mount config for type \"bind\": bind source path does not "
				"exist: %s",
				m->source);
	return berr_sys(err, errno, "invalid mount config for type \"bind\": cannot stat '%s'",
			m->source);
}

static int mounts_from_flags(const struct container_flags *f, struct container_config *c,
			     struct berr **err)
{
	struct ctr_mount m;
	int r;

	if ((r = container_volumes_from_check(f->volumes_from, err)) < 0)
		return r;
	if (!(c->volumes_from = strv_copy(f->volumes_from)) && f->volumes_from)
		return -ENOMEM;
	STRV_FOREACH (v, f->volumes) {
		if ((r = container_parse_volume(*v, &m, err)) < 0) {
			ctr_mount_done(&m);
			return r;
		}
		if ((r = add_mount(c, &m, err)) < 0)
			return r;
	}
	STRV_FOREACH (v, f->mounts) {
		if ((r = container_parse_mount(*v, &m, err)) < 0 ||
		    (r = check_bind_source(&m, err)) < 0) {
			ctr_mount_done(&m);
			return r;
		}
		if ((r = add_mount(c, &m, err)) < 0)
			return r;
	}
	STRV_FOREACH (v, f->tmpfs) {
		if ((r = parse_tmpfs(*v, &m, err)) < 0) {
			ctr_mount_done(&m);
			return r;
		}
		if ((r = add_mount(c, &m, err)) < 0)
			return r;
	}
	return 0;
}

/* -e K=V, -e K (from berth's environment, skipped when unset), --env-file lines. */
static int add_env(char ***env, const char *entry)
{
	const char *val;
	char *e;

	if (strchr(entry, '='))
		return strv_env_set(env, entry);
	val = getenv(entry);
	if (!val)
		return 0;
	if (asprintf(&e, "%s=%s", entry, val) < 0)
		return -ENOMEM;
	int r = strv_env_set(env, e);
	free(e);
	return r;
}

static int env_from_flags(const struct container_flags *f, char ***env, struct berr **err)
{
	int r;

	STRV_FOREACH (path, f->env_file) {
		_cleanup_free_ char *buf = NULL;
		_cleanup_strv_ char **lines = NULL;
		size_t len;

		r = read_file_at(AT_FDCWD, *path, ENV_FILE_MAX, &buf, &len);
		if (r < 0)
			return berr_sys(err, -r, "open %s", *path);
		if (!(lines = strv_split(buf, "\n")))
			return -ENOMEM;
		STRV_FOREACH (l, lines) {
			const char *s = *l;

			while (isspace((unsigned char) *s))
				s++;
			if (!*s || *s == '#')
				continue;
			if (*s == '=')
				return berr_set(err, EINVAL, "invalid environment variable: %s", s);
			if ((r = add_env(env, s)) < 0)
				return r;
		}
	}
	STRV_FOREACH (e, f->env) {
		if ((*e)[0] == '=' || !**e)
			return berr_set(err, EINVAL, "invalid environment variable: %s", *e);
		if ((r = add_env(env, *e)) < 0)
			return r;
	}
	return 0;
}

static int security_opts(const struct container_flags *f, struct container_config *c,
			 struct berr **err)
{
	STRV_FOREACH (o, f->security_opt) {
		const char *eq = strchr(*o, '='), *sep = eq ? eq : strchr(*o, ':');
		const char *val = sep ? sep + 1 : NULL;
		size_t klen = sep ? (size_t) (sep - *o) : strlen(*o);

		if (klen == 17 && strncmp(*o, "no-new-privileges", 17) == 0) {
			c->no_new_privileges = !val || strcmp(val, "false") != 0;
		} else if (klen == 7 && strncmp(*o, "seccomp", 7) == 0 && val && *val) {
			free(c->seccomp);
			c->seccomp = strdup(val);
		} else if (klen == 8 && strncmp(*o, "apparmor", 8) == 0 && val && *val) {
			free(c->apparmor);
			c->apparmor = strdup(val);
		} else if (klen == 5 && strncmp(*o, "label", 5) == 0 && val && *val) {
			if (strv_push_dup(&c->label_opts, val) < 0)
				return -ENOMEM;
		} else
			return berr_set(err, EINVAL,
					"invalid --security-opt: %s (expected seccomp=, apparmor=, "
					"label=, or no-new-privileges)",
					*o);
	}
	return 0;
}

static int kv_list(char *const *in, const char *what, char ***out, struct berr **err)
{
	STRV_FOREACH (s, in) {
		if (!strchr(*s, '=') || (*s)[0] == '=')
			return berr_set(err, EINVAL, "invalid %s: '%s' (KEY=VALUE expected)", what,
					*s);
		if (strv_push_dup(out, *s) < 0)
			return -ENOMEM;
	}
	return 0;
}

/*
 * --sysctl: docker's list of namespaced sysctls (opts.ValidateSysctl), and no net.* in
 * the host's network namespace (runc refuses it at start; here nothing is created).
 */
static int sysctls_from_flags(char *const *in, const struct container_config *c, char ***out,
			      struct berr **err)
{
	static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb",	    "kernel.msgmni",
					  "kernel.sem",	   "kernel.shmall",	    "kernel.shmmax",
					  "kernel.shmmni", "kernel.shm_rmid_forced"};

	STRV_FOREACH (s, in) {
		size_t klen = strcspn(*s, "=");
		bool ok = strncmp(*s, "net.", 4) == 0 || strncmp(*s, "fs.mqueue.", 10) == 0;

		for (size_t i = 0; !ok && i < ELEMENTSOF(ipc); i++)
			ok = strlen(ipc[i]) == klen && strncmp(*s, ipc[i], klen) == 0;
		if (!ok || !(*s)[klen] || klen == 0)
			return berr_set(
				err, EINVAL,
				"invalid argument \"%s\" for \"--sysctl\" flag: sysctl '%s' "
				"is not whitelisted",
				*s, *s);
		if (c->network == NETWORK_HOST && strncmp(*s, "net.", 4) == 0)
			return berr_set(err, EINVAL,
					"sysctl \"%.*s\" not allowed in host network namespace",
					(int) klen, *s);
	}
	return kv_list(in, "sysctl", out, err);
}

/* docker's --label-file: "key=value" lines (a key alone is "key="), '#' comments. */
static int label_files(char *const *paths, char ***out, struct berr **err)
{
	STRV_FOREACH (path, paths) {
		_cleanup_free_ char *buf = NULL;
		_cleanup_strv_ char **lines = NULL;
		size_t len;
		int r = read_file_at(AT_FDCWD, *path, ENV_FILE_MAX, &buf, &len);

		if (r < 0)
			return berr_sys(err, -r, "open %s", *path);
		if (!(lines = strv_split(buf, "\n")))
			return -ENOMEM;
		STRV_FOREACH (l, lines) {
			const char *s = *l;
			size_t key;

			while (isspace((unsigned char) *s))
				s++;
			if (!*s || *s == '#')
				continue;
			key = strcspn(s, "=");
			if (strcspn(s, " \t\r") < key)
				return berr_set(err, EINVAL, "variable '%.*s' contains whitespaces",
						(int) key, s);
			if (strv_push_dup(out, s) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

/* The label files' lines first, then --label: a later key wins, as in docker. */
static int labels_from_flags(char *const *files, char *const *flags, char ***out, struct berr **err)
{
	_cleanup_strv_ char **all = NULL;
	int r;

	if ((r = label_files(files, &all, err)) < 0)
		return r;
	STRV_FOREACH (s, flags)
		if (strv_push_dup(&all, *s) < 0)
			return -ENOMEM;
	STRV_FOREACH (s, all) {
		_cleanup_free_ char *l = NULL;

		if (!strchr(*s, '=') && asprintf(&l, "%s=", *s) < 0)
			return -ENOMEM;
		if (strv_push_dup(out, l ? l : *s) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int ram_flag(const char *s, bool minus_one, const char *flag, int64_t *ret,
		    struct berr **err)
{
	int r;

	if (!s)
		return 0;
	r = units_parse_ram(s, minus_one, ret, err);
	if (r < 0)
		return berr_wrap(err, "invalid argument \"%s\" for \"%s\" flag", s, flag);
	return 0;
}

static int int_flag(const char *s, int64_t min, int64_t max, const char *flag, int64_t *ret,
		    struct berr **err)
{
	if (!s)
		return 0;
	return units_parse_int(s, min, max, flag, ret, err);
}

static int resources_from_flags(const struct container_flags *f, struct container_config *c,
				struct berr **err)
{
	int64_t v = 0;
	int r;

	if ((r = ram_flag(f->memory, false, "--memory", &c->memory, err)) < 0 ||
	    (r = ram_flag(f->memory_swap, true, "--memory-swap", &c->memory_swap, err)) < 0 ||
	    (r = ram_flag(f->memory_reservation, false, "--memory-reservation",
			  &c->memory_reservation, err)) < 0 ||
	    (r = ram_flag(f->shm_size, false, "--shm-size", &c->shm_size, err)) < 0)
		return r;
	if (c->memory && c->memory < 6 * 1024 * 1024)
		return berr_set(err, EINVAL, "Minimum memory limit allowed is 6MB");
	if (c->memory_swap > 0 && c->memory && c->memory_swap < c->memory)
		return berr_set(err, EINVAL,
				"Minimum memoryswap limit should be larger than memory "
				"limit, see usage");
	if (c->memory_swap && !c->memory)
		return berr_set(
			err, EINVAL,
			"You should always set the Memory limit when using Memoryswap limit, "
			"see usage");
	/* dockerd: swap defaults to as much again as the memory (HostConfig shows it) */
	if (c->memory && !c->memory_swap)
		c->memory_swap = 2 * c->memory;
	if (f->cpus && (r = units_parse_cpus(f->cpus, &c->nano_cpus, err)) < 0)
		return berr_wrap(err, "invalid argument \"%s\" for \"--cpus\" flag", f->cpus);
	if ((r = int_flag(f->cpu_shares, 0, INT64_MAX, "--cpu-shares", &c->cpu_shares, err)) < 0 ||
	    (r = int_flag(f->cpu_period, 0, 1000000, "--cpu-period", &c->cpu_period, err)) < 0 ||
	    (r = int_flag(f->cpu_quota, -1, INT64_MAX, "--cpu-quota", &c->cpu_quota, err)) < 0 ||
	    (r = int_flag(f->pids_limit, -1, INT64_MAX, "--pids-limit", &c->pids_limit, err)) < 0)
		return r;
	if (f->blkio_weight) {
		if ((r = int_flag(f->blkio_weight, 0, 1000, "--blkio-weight", &v, err)) < 0)
			return r;
		if (v && v < 10)
			return berr_set(err, EINVAL, "Range of blkio weight is from 10 to 1000");
		c->blkio_weight = (uint16_t) v;
	}
	if ((f->cpuset_cpus && !(c->cpuset_cpus = strdup(f->cpuset_cpus))) ||
	    (f->cpuset_mems && !(c->cpuset_mems = strdup(f->cpuset_mems))))
		return -ENOMEM;
	return 0;
}

static int throttle_list(char *const *in, const char *flag, struct ctr_throttle **out, size_t *n,
			 struct berr **err)
{
	STRV_FOREACH (s, in) {
		const char *colon = strrchr(*s, ':');
		struct ctr_throttle *t;
		int64_t rate;

		if (!colon || colon == *s || (*s)[0] != '/')
			return berr_set(err, EINVAL,
					"invalid argument \"%s\" for \"%s\" flag: bad "
					"format: %s",
					*s, flag, *s);
		if (units_parse_ram(colon + 1, false, &rate, err) < 0)
			return berr_wrap(err, "invalid argument \"%s\" for \"%s\" flag", *s, flag);
		t = realloc(*out, (*n + 1) * sizeof(*t));
		if (!t)
			return -ENOMEM;
		*out = t;
		t[*n] = (struct ctr_throttle){strndup(*s, (size_t) (colon - *s)), (uint64_t) rate};
		if (!t[(*n)++].path)
			return -ENOMEM;
	}
	return 0;
}

static int devices_from_flags(char *const *in, struct container_config *c, struct berr **err)
{
	STRV_FOREACH (s, in) {
		_cleanup_strv_ char **p = strv_split(*s, ":");
		size_t n = p ? strv_length(p) : 0;
		const char *path, *perms = NULL;
		struct ctr_device *d;

		if (!p)
			return -ENOMEM;
		if (n < 1 || n > 3 || p[0][0] != '/')
			return berr_set(err, EINVAL, "invalid device specification: %s", *s);
		/* HOST, HOST:CONTAINER, HOST:PERMS or HOST:CONTAINER:PERMS (p stays as split) */
		path = n == 3 || (n == 2 && p[1][0] == '/') ? p[1] : p[0];
		if (n == 3)
			perms = p[2];
		else if (n == 2 && p[1][0] != '/')
			perms = p[1];
		if (perms && (!perms[0] || strspn(perms, "rwm") != strlen(perms)))
			return berr_set(err, EINVAL, "invalid device mode: %s", perms);
		d = realloc(c->devices, (c->n_devices + 1) * sizeof(*d));
		if (!d)
			return -ENOMEM;
		c->devices = d;
		d[c->n_devices] = (struct ctr_device){strdup(p[0]), strdup(path),
						      strdup(perms ? perms : "rwm")};
		if (!d[c->n_devices++].perms)
			return -ENOMEM;
	}
	return 0;
}

static int ulimits_from_flags(char *const *in, struct container_config *c, struct berr **err)
{
	STRV_FOREACH (s, in) {
		struct ulimit u, *n;
		int r = units_parse_ulimit(*s, &u, err);

		if (r < 0)
			return r;
		n = realloc(c->ulimits, (c->n_ulimits + 1) * sizeof(*n));
		if (!n) {
			free(u.name);
			return -ENOMEM;
		}
		c->ulimits = n;
		c->ulimits[c->n_ulimits++] = u;
	}
	return 0;
}

static int log_opts_from_flags(const struct container_flags *f, struct container_config *c,
			       struct berr **err)
{
	return log_config_from_flags(f->log_driver, f->log_opts, c, err);
}

static int process_from_flags(const struct container_flags *f, struct container_config *c,
			      struct berr **err)
{
	int sig, r;

	if ((f->user && !(c->user = strdup(f->user))) ||
	    (f->workdir && !(c->working_dir = strdup(f->workdir))) ||
	    (f->hostname && !(c->hostname = strdup(f->hostname))) ||
	    (f->domainname && !(c->domainname = strdup(f->domainname))))
		return -ENOMEM;
	if (f->workdir && f->workdir[0] != '/')
		return berr_set(err, EINVAL,
				"the working directory '%s' is invalid, it needs to be an absolute "
				"path",
				f->workdir);
	if (f->entrypoint) {
		if (!(c->entrypoint = calloc(1, sizeof(char *))))
			return -ENOMEM;
		if (*f->entrypoint && strv_push_dup(&c->entrypoint, f->entrypoint) < 0)
			return -ENOMEM;
	}
	if (f->command && *f->command && !(c->cmd = strv_copy(f->command)))
		return -ENOMEM;
	if (f->stop_signal) {
		if ((r = units_parse_signal(f->stop_signal, &sig, err)) < 0)
			return r;
		if (!(c->stop_signal = strdup(f->stop_signal)))
			return -ENOMEM;
	}
	if ((r = int_flag(f->stop_timeout, -1, INT32_MAX, "--stop-timeout", &c->stop_timeout,
			  err)) < 0)
		return r;
	if ((r = env_from_flags(f, &c->env, err)) < 0 ||
	    (r = labels_from_flags(f->label_files, f->labels, &c->labels, err)) < 0)
		return r;
	c->tty = f->tty;
	c->open_stdin = f->interactive;
	return 0;
}

/* --pid, --ipc, --uts (ns_modes.h); a name of the container's own needs a UTS of its own. */
static int ns_modes_from_flags(const struct container_flags *f, struct container_config *c,
			       struct berr **err)
{
	const char *v[_NS_SHARE_MAX] = {f->pid, f->ipc, f->uts};
	char **dst[_NS_SHARE_MAX] = {&c->pid_mode, &c->ipc_mode, &c->uts_mode};
	int r;

	for (int k = 0; k < _NS_SHARE_MAX; k++) {
		if (!v[k] || !*v[k])
			continue;
		if ((r = ns_mode_check((enum ns_share) k, v[k], err)) < 0)
			return r;
		if (!(*dst[k] = strdup(v[k])))
			return -ENOMEM;
	}
	if (f->uts && !ns_mode_own(c, NS_SHARE_UTS) && f->hostname)
		return berr_set(err, EINVAL, "conflicting options: hostname and the UTS mode");
	return 0;
}

/*
 * --network none|host|container:NAME|NAME, --ip and --mac-address; without --network (or
 * with "default") the engine's default (container_default_network). A NAME is checked at
 * create (container_network.c), where the network store is, and so is container:NAME
 * (ns_modes.c).
 */
static int network_from_flags(const struct container_flags *f, struct container_config *c,
			      struct berr **err)
{
	const char *net = f->network && strcmp(f->network, "default") != 0
				  ? f->network
				  : container_default_network();
	uint32_t ip;
	int r;

	/* docker's CLI checks the MAC's form before dockerd looks at the mode */
	if ((r = network_opts_mac(f->mac_address, err)) < 0)
		return r;
	if (strcmp(net, "host") == 0)
		c->network = NETWORK_HOST;
	else if (strncmp(net, "container:", 10) == 0) {
		if ((r = network_opts_container(f, net, err)) < 0)
			return r;
		c->network = NETWORK_CONTAINER;
		if (!(c->network_name = strdup(net)))
			return -ENOMEM;
	} else if (strcmp(net, "none") != 0) {
		c->network = NETWORK_BRIDGE;
		if (!(c->network_name = strdup(net)))
			return -ENOMEM;
	}
	if (f->mac_address && c->network == NETWORK_HOST)
		return berr_set(err, EINVAL,
				"conflicting options: mac-address and the network mode");
	if (f->mac_address && !(c->mac_address = strdup(f->mac_address)))
		return -ENOMEM;
	if (!f->ip)
		return 0;
	if (c->network != NETWORK_BRIDGE || container_on_default_bridge(c))
		return berr_set(err, EINVAL,
				"user specified IP address is supported on user defined networks "
				"only");
	if (ip_parse(f->ip, &ip) < 0)
		return berr_set(err, EINVAL, "invalid IPv4 address: %s", f->ip);
	if (!(c->ip = strdup(f->ip)))
		return -ENOMEM;
	return 0;
}

static int host_from_flags(const struct container_flags *f, struct container_config *c,
			   struct berr **err)
{
	int r;

	if ((r = network_from_flags(f, c, err)) < 0 || (r = dns_from_flags(f, c, err)) < 0 ||
	    (r = container_ports_from_flags(f->publish, f->expose, f->publish_all, c, err)) < 0 ||
	    (r = container_bandwidth_from_flags(f, c, err)) < 0)
		return r;
	if (c->network == NETWORK_HOST && !f->hostname) {
		/* docker: the host's network keeps the host's name (not the container id) */
		char name[HOST_NAME_MAX + 1] = "";

		if (gethostname(name, sizeof(name)) < 0 || !*name)
			return berr_sys(err, errno, "cannot read the host's name");
		name[HOST_NAME_MAX] = '\0';
		if (!(c->hostname = strdup(name)))
			return -ENOMEM;
	}
	if ((r = userns_from_flags(&(struct userns_flags){.mode = f->userns,
							  .uidmap = f->uidmap,
							  .gidmap = f->gidmap,
							  .privileged = f->privileged,
							  .config = f->config},
				   c, err)) < 0 ||
	    (r = ns_modes_from_flags(f, c, err)) < 0 ||
	    (r = health_from_flags(
		     &(struct health_flags){.cmd = f->health_cmd,
					    .interval = f->health_interval,
					    .timeout = f->health_timeout,
					    .start_period = f->health_start_period,
					    .start_interval = f->health_start_interval,
					    .retries = f->health_retries,
					    .none = f->no_healthcheck},
		     c, err)) < 0)
		return r;
	if (f->restart && (r = units_parse_restart(f->restart, &c->restart, err)) < 0)
		return r;
	if (f->rm && c->restart.kind != RESTART_NO)
		return berr_set(err, EINVAL, "Conflicting options: --restart and --rm");
	c->auto_remove = f->rm;
	c->privileged = f->privileged;
	c->read_only = f->read_only;
	c->init = f->init;
	c->oom_kill_disable = f->oom_kill_disable;
	if (!(c->group_add = strv_copy(f->group_add)) && f->group_add)
		return -ENOMEM;
	if ((f->runtime && !(c->runtime = strdup(f->runtime))) ||
	    (f->cgroup_parent && !(c->cgroup_parent = strdup(f->cgroup_parent))))
		return -ENOMEM;
	return 0;
}

static int caps_from_flags(const struct container_flags *f, struct container_config *c,
			   struct berr **err)
{
	_cleanup_strv_ char **probe = NULL;
	int r;

	if (!(c->cap_add = strv_copy(f->cap_add)) && f->cap_add)
		return -ENOMEM;
	if (!(c->cap_drop = strv_copy(f->cap_drop)) && f->cap_drop)
		return -ENOMEM;
	/* the names are checked now, not at start */
	r = caps_compute(false, c->cap_add, c->cap_drop, &probe, err);
	return r < 0 ? r : 0;
}

int container_flags_to_config(const struct container_flags *f, struct container_config **ret,
			      struct berr **err)
{
	_cleanup_container_config_ struct container_config *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	c->stop_timeout = -1;
	if (!f->image || !*f->image)
		return berr_set(err, EINVAL, "requires at least 1 argument");
	if (!(c->image = strdup(f->image)) || (f->name && !(c->name = strdup(f->name))))
		return -ENOMEM;
	if (f->name && !container_name_valid(f->name))
		return berr_set(err, EINVAL,
				"Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are "
				"allowed",
				f->name);
	if ((r = process_from_flags(f, c, err)) < 0 || (r = host_from_flags(f, c, err)) < 0 ||
	    (r = caps_from_flags(f, c, err)) < 0 || (r = security_opts(f, c, err)) < 0 ||
	    (r = resources_from_flags(f, c, err)) < 0 || (r = mounts_from_flags(f, c, err)) < 0 ||
	    (r = ulimits_from_flags(f->ulimits, c, err)) < 0 ||
	    (r = sysctls_from_flags(f->sysctls, c, &c->sysctls, err)) < 0 ||
	    (r = devices_from_flags(f->devices, c, err)) < 0 ||
	    (r = throttle_list(f->read_bps, "--device-read-bps", &c->read_bps, &c->n_read_bps,
			       err)) < 0 ||
	    (r = throttle_list(f->write_bps, "--device-write-bps", &c->write_bps, &c->n_write_bps,
			       err)) < 0 ||
	    (r = log_opts_from_flags(f, c, err)) < 0)
		return r == -ENOMEM ? berr_set(err, ENOMEM, "out of memory") : r;
	*ret = TAKE_PTR(c);
	return 0;
}
