/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/oci_spec_gen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/capabilities.h"
#include "engine/container_runtime.h"
#include "engine/oci_spec_internal.h"
#include "engine/seccomp_profile.h"
#include "engine/rootless.h"
#include "engine/userns.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"

#define INIT_PATH "/sbin/docker-init"
#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

const char *const oci_masked_paths[] = {
	"/proc/asound",
	"/proc/acpi",
	"/proc/interrupts",
	"/proc/kcore",
	"/proc/keys",
	"/proc/latency_stats",
	"/proc/timer_list",
	"/proc/timer_stats",
	"/proc/sched_debug",
	"/proc/scsi",
	"/sys/firmware",
	"/sys/devices/virtual/powercap",
	NULL,
};

const char *const oci_readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

char *oci_cgroups_path(const struct container_config *cfg)
{
	return container_cgroups_path(cfg);
}

int oci_process_env(const struct container_config *cfg, const struct exec_user *user, char ***ret)
{
	_cleanup_strv_ char **env = strv_copy(cfg->env);
	char *e;

	if (!env && !(env = calloc(1, sizeof(char *))))
		return -ENOMEM;
	if (!strv_env_get(env, "PATH") && strv_env_set(&env, DEFAULT_PATH) < 0)
		return -ENOMEM;
	if (!strv_env_get(env, "HOSTNAME") && cfg->hostname) {
		if (asprintf(&e, "HOSTNAME=%s", cfg->hostname) < 0 || strv_consume(&env, e) < 0)
			return -ENOMEM;
	}
	if (cfg->tty && !strv_env_get(env, "TERM") && strv_env_set(&env, "TERM=xterm") < 0)
		return -ENOMEM;
	if (user && !strv_env_get(env, "HOME")) {
		if (asprintf(&e, "HOME=%s", user->home ? user->home : "/") < 0 ||
		    strv_consume(&env, e) < 0)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(env);
	return 0;
}

static struct jwriter *strv_json(char *const *v)
{
	struct jwriter *a = jw_array();

	STRV_FOREACH (s, v)
		jw_append_str(a, *s);
	return a;
}

static struct jwriter *caps_json(char *const *caps)
{
	struct jwriter *c = jw_object();

	jw_put(c, "bounding", strv_json(caps));
	jw_put(c, "effective", strv_json(caps));
	jw_put(c, "permitted", strv_json(caps));
	return c;
}

static struct jwriter *rlimits_json(const struct container_config *cfg)
{
	struct jwriter *a = jw_array();

	for (size_t i = 0; i < cfg->n_ulimits; i++) {
		struct jwriter *o = jw_object();

		jw_str(o, "type", units_ulimit_rlimit(cfg->ulimits[i].name));
		jw_uint(o, "soft", (uint64_t) cfg->ulimits[i].soft);
		jw_uint(o, "hard", (uint64_t) cfg->ulimits[i].hard);
		jw_put(a, NULL, o);
	}
	return a;
}

/* SELinux: "label=user:U", "role:R", "type:T", "level:L" over docker's default label. */
static char *selinux_label(const struct container_config *cfg)
{
	const char *part[4] = {"system_u", "system_r", "container_t", "s0"};
	static const char *const keys[4] = {"user:", "role:", "type:", "level:"};
	char *out;

	STRV_FOREACH (o, cfg->label_opts) {
		if (strcmp(*o, "disable") == 0)
			return NULL;
		for (int k = 0; k < 4; k++)
			if (strncmp(*o, keys[k], strlen(keys[k])) == 0)
				part[k] = *o + strlen(keys[k]);
	}
	if (asprintf(&out, "%s:%s:%s:%s", part[0], part[1], part[2], part[3]) < 0)
		return NULL;
	return out;
}

static int process_json(const struct spec_inputs *in, char *const *caps, struct jwriter *spec)
{
	const struct container_config *cfg = in->cfg;
	_cleanup_strv_ char **env = NULL, **args = NULL;
	struct jwriter *p = jw_object(), *u = jw_object(), *gids = jw_array();

	jw_put(spec, "process", p);
	if (oci_process_env(cfg, in->user, &env) < 0)
		return -ENOMEM;
	if (cfg->init && (strv_push_dup(&args, INIT_PATH) < 0 || strv_push_dup(&args, "--") < 0))
		return -ENOMEM;
	STRV_FOREACH (a, cfg->args)
		if (strv_push_dup(&args, *a) < 0)
			return -ENOMEM;
	jw_bool(p, "terminal", cfg->tty);
	if (cfg->tty && in->console_rows > 0 && in->console_cols > 0) {
		struct jwriter *cs = jw_object();

		jw_uint(cs, "height", (uint64_t) in->console_rows);
		jw_uint(cs, "width", (uint64_t) in->console_cols);
		jw_put(p, "consoleSize", cs);
	}
	jw_uint(u, "uid", in->user->uid);
	jw_uint(u, "gid", in->user->gid);
	for (size_t i = 0; i < in->user->n_groups; i++)
		jw_uint(gids, NULL, in->user->groups[i]);
	jw_put(u, "additionalGids", gids);
	jw_put(p, "user", u);
	jw_put(p, "args", strv_json(args));
	jw_put(p, "env", strv_json(env));
	jw_str(p, "cwd", cfg->working_dir && *cfg->working_dir ? cfg->working_dir : "/");
	jw_put(p, "capabilities", caps_json(caps));
	if (cfg->n_ulimits)
		jw_put(p, "rlimits", rlimits_json(cfg));
	jw_bool(p, "noNewPrivileges", cfg->no_new_privileges);
	if (cfg->apparmor && strcmp(cfg->apparmor, "unconfined") != 0 && in->apparmor &&
	    !cfg->privileged)
		jw_str(p, "apparmorProfile", cfg->apparmor);
	if (in->selinux && !cfg->privileged && cfg->label_opts) {
		_cleanup_free_ char *label = selinux_label(cfg);

		jw_str(p, "selinuxLabel", label);
	}
	return 0;
}

static struct jwriter *namespaces_json(const struct spec_inputs *in)
{
	static const char *const own[] = {"mount", "cgroup"};
	struct jwriter *a = jw_array();
	const char *netns = in->joins && in->joins->path[NS_SHARE_NET]
				    ? in->joins->path[NS_SHARE_NET]
				    : in->netns_path;

	/* --pid/--ipc/--uts: host (none here), container:NAME (its path) or the own */
	for (int k = 0; k < _NS_SHARE_MAX; k++) {
		const char *path = in->joins ? in->joins->path[k] : NULL;
		struct jwriter *ns;

		if (k == NS_SHARE_NET || ns_mode_host(ns_mode_of(in->cfg, (enum ns_share) k)))
			continue;
		ns = jw_object();
		jw_str(ns, "type", ns_share_type((enum ns_share) k));
		if (path)
			jw_str(ns, "path", path);
		jw_put(a, NULL, ns);
	}
	for (size_t i = 0; i < ELEMENTSOF(own); i++) {
		struct jwriter *ns = jw_object();

		jw_str(ns, "type", own[i]);
		jw_put(a, NULL, ns);
	}
	if (userns_enabled(in->cfg)) {
		struct jwriter *ns = jw_object();

		jw_str(ns, "type", "user");
		if (in->userns_path)
			jw_str(ns, "path", in->userns_path);
		jw_put(a, NULL, ns);
	}
	/* the engine's (a bridge's, none's), a donor's, the runtime's (none in a userns) */
	if (netns || (in->cfg->network == NETWORK_NONE && userns_enabled(in->cfg))) {
		struct jwriter *ns = jw_object();

		jw_str(ns, "type", "network");
		if (netns)
			jw_str(ns, "path", netns);
		jw_put(a, NULL, ns);
	}
	return a;
}

/* linux.uidMappings / gidMappings from "C:H:S" entries (checked at create). */
static struct jwriter *idmap_json(char *const *v)
{
	struct jwriter *a = jw_array();

	STRV_FOREACH (s, v) {
		struct jwriter *o = jw_object();
		struct idmap_range m = {0};

		(void) userns_parse_range("map", *s, &m, NULL);
		jw_uint(o, "containerID", m.container);
		jw_uint(o, "hostID", m.host);
		jw_uint(o, "size", m.size);
		jw_put(a, NULL, o);
	}
	return a;
}

static int seccomp_json(const struct spec_inputs *in, char *const *caps, struct jwriter *linux_,
			struct berr **err)
{
	const struct container_config *cfg = in->cfg;
	const char *text = seccomp_default_profile();
	struct seccomp_target t;
	struct jwriter *sc = NULL;
	int r;

	if (cfg->privileged || (cfg->seccomp && strcmp(cfg->seccomp, "unconfined") == 0))
		return 0;
	if (cfg->seccomp && strcmp(cfg->seccomp, "custom") == 0) {
		if (!in->seccomp_custom)
			return berr_set(err, ENOENT, "the container's seccomp profile is missing");
		text = in->seccomp_custom;
	}
	seccomp_target_host(&t);
	t.caps = caps;
	r = seccomp_profile_convert(text, strlen(text), &t, &sc, err);
	if (r < 0)
		return r;
	jw_put(linux_, "seccomp", sc);
	return 0;
}

static struct jwriter *sysctl_json(const struct container_config *cfg)
{
	struct jwriter *o = jw_object();

	STRV_FOREACH (s, cfg->sysctls) {
		_cleanup_free_ char *key = strdup(*s);
		char *eq = key ? strchr(key, '=') : NULL;

		if (!eq)
			continue;
		*eq = '\0';
		jw_str(o, key, eq + 1);
	}
	return o;
}

static int linux_json(const struct spec_inputs *in, char *const *caps, struct jwriter *spec,
		      struct berr **err)
{
	const struct container_config *cfg = in->cfg;
	struct jwriter *l = jw_object();
	_cleanup_free_ char *cg = oci_cgroups_path(cfg);
	int r;

	jw_put(spec, "linux", l);
	if (!cg)
		return -ENOMEM;
	/* rootless: none, so runc and berth-runtime go on without the cgroup they may not make */
	if (!rootless_mode())
		jw_str(l, "cgroupsPath", cg);
	jw_put(l, "namespaces", namespaces_json(in));
	if (userns_enabled(cfg)) {
		jw_put(l, "uidMappings", idmap_json(cfg->uid_map));
		jw_put(l, "gidMappings", idmap_json(cfg->gid_map));
	}
	if ((r = oci_resources_json(in, l, err)) < 0)
		return r;
	if (cfg->sysctls)
		jw_put(l, "sysctl", sysctl_json(cfg));
	if (!cfg->privileged) {
		jw_put(l, "maskedPaths", strv_json((char *const *) oci_masked_paths));
		jw_put(l, "readonlyPaths", strv_json((char *const *) oci_readonly_paths));
	}
	return seccomp_json(in, caps, l, err);
}

int oci_spec_generate(const struct spec_inputs *in, char **ret, struct berr **err)
{
	const struct container_config *cfg = in->cfg;
	_cleanup_jw_ struct jwriter *spec = jw_object();
	_cleanup_strv_ char **caps = NULL;
	struct jwriter *root = jw_object();
	int r;

	if (!spec || !root) {
		jw_free(root);
		return berr_set(err, ENOMEM, "out of memory");
	}
	r = caps_compute(cfg->privileged, cfg->cap_add, cfg->cap_drop, &caps, err);
	if (r < 0)
		return r;
	jw_str(spec, "ociVersion", "1.0.2");
	jw_str(root, "path", in->rootfs_path ? in->rootfs_path : "rootfs");
	jw_bool(root, "readonly", cfg->read_only);
	jw_put(spec, "root", root);
	/* a UTS namespace not of its own keeps the name it has (the runtime refuses one) */
	if (ns_mode_own(cfg, NS_SHARE_UTS))
		jw_str(spec, "hostname", cfg->hostname);
	if (ns_mode_own(cfg, NS_SHARE_UTS) && cfg->domainname && *cfg->domainname)
		jw_str(spec, "domainname", cfg->domainname);
	if ((r = process_json(in, caps, spec)) < 0)
		return berr_set(err, -r, "out of memory");
	if ((r = oci_mounts_json(in, spec, err)) < 0)
		return r;
	if ((r = linux_json(in, caps, spec, err)) < 0)
		return r;
	*ret = jw_to_string(spec, true);
	return *ret ? 0 : berr_set(err, ENOMEM, "out of memory");
}
