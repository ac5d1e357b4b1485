/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.json and state.json of a container: a table of the scalar fields (name, type,
 * offset) drives both directions; the arrays of structs are written by hand.
 */
#include "engine/container.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rootless.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "net/network.h"

enum field_type { F_STR, F_STRV, F_BOOL, F_I64, F_U16, F_INT, F_PID, F_U64 };

struct field {
	const char *key;
	enum field_type type;
	size_t off;
};

#define C(key, type, member)                                                                       \
	{                                                                                          \
		key, type, offsetof(struct container_config, member)                               \
	}
static const struct field config_fields[] = {
	C("Id", F_STR, id),
	C("Name", F_STR, name),
	C("Created", F_STR, created),
	C("Image", F_STR, image),
	C("ImageId", F_STR, image_id),
	C("Args", F_STRV, args),
	C("Entrypoint", F_STRV, entrypoint),
	C("Cmd", F_STRV, cmd),
	C("Env", F_STRV, env),
	C("User", F_STR, user),
	C("WorkingDir", F_STR, working_dir),
	C("Hostname", F_STR, hostname),
	C("Domainname", F_STR, domainname),
	C("Labels", F_STRV, labels),
	C("StopSignal", F_STR, stop_signal),
	C("StopTimeout", F_I64, stop_timeout),
	C("HealthTest", F_STRV, health_test),
	C("HealthInterval", F_I64, health_interval),
	C("HealthTimeout", F_I64, health_timeout),
	C("HealthStartPeriod", F_I64, health_start_period),
	C("HealthStartInterval", F_I64, health_start_interval),
	C("HealthRetries", F_I64, health_retries),
	C("Tty", F_BOOL, tty),
	C("OpenStdin", F_BOOL, open_stdin),
	C("Runtime", F_STR, runtime),
	C("RuntimePath", F_STR, runtime_path),
	C("CgroupParent", F_STR, cgroup_parent),
	C("NetworkName", F_STR, network_name),
	C("IPv4Address", F_STR, ip),
	C("MacAddress", F_STR, mac_address),
	C("Publish", F_STRV, publish),
	C("ExposedPorts", F_STRV, exposed),
	C("PublishAllPorts", F_BOOL, publish_all),
	C("Aliases", F_STRV, aliases),
	C("Dns", F_STRV, dns),
	C("DnsSearch", F_STRV, dns_search),
	C("DnsOptions", F_STRV, dns_options),
	C("ExtraHosts", F_STRV, extra_hosts),
	C("IngressRate", F_I64, ingress_rate),
	C("EgressRate", F_I64, egress_rate),
	C("IngressBurst", F_I64, ingress_burst),
	C("EgressBurst", F_I64, egress_burst),
	C("UsernsMode", F_STR, userns),
	C("PidMode", F_STR, pid_mode),
	C("IpcMode", F_STR, ipc_mode),
	C("UTSMode", F_STR, uts_mode),
	C("UidMap", F_STRV, uid_map),
	C("GidMap", F_STRV, gid_map),
	C("AutoRemove", F_BOOL, auto_remove),
	C("Privileged", F_BOOL, privileged),
	C("ReadonlyRootfs", F_BOOL, read_only),
	C("Init", F_BOOL, init),
	C("NoNewPrivileges", F_BOOL, no_new_privileges),
	C("CapAdd", F_STRV, cap_add),
	C("CapDrop", F_STRV, cap_drop),
	C("GroupAdd", F_STRV, group_add),
	C("OomKillDisable", F_BOOL, oom_kill_disable),
	C("Seccomp", F_STR, seccomp),
	C("AppArmor", F_STR, apparmor),
	C("LabelOpts", F_STRV, label_opts),
	C("Memory", F_I64, memory),
	C("MemorySwap", F_I64, memory_swap),
	C("MemoryReservation", F_I64, memory_reservation),
	C("NanoCpus", F_I64, nano_cpus),
	C("CpuShares", F_I64, cpu_shares),
	C("CpuPeriod", F_I64, cpu_period),
	C("CpuQuota", F_I64, cpu_quota),
	C("PidsLimit", F_I64, pids_limit),
	C("ShmSize", F_I64, shm_size),
	C("BlkioWeight", F_U16, blkio_weight),
	C("CpusetCpus", F_STR, cpuset_cpus),
	C("CpusetMems", F_STR, cpuset_mems),
	C("Sysctls", F_STRV, sysctls),
	C("VolumesFrom", F_STRV, volumes_from),
	C("LogMaxSize", F_I64, log_max_size),
	C("LogMaxFile", F_I64, log_max_file),
	C("LogDriver", F_STR, log_driver),
	C("LogOpts", F_STRV, log_opts),
};
#undef C

#define S(key, type, member)                                                                       \
	{                                                                                          \
		key, type, offsetof(struct container_state, member)                                \
	}
static const struct field state_fields[] = {
	S("Pid", F_PID, pid),
	S("PidStart", F_U64, pid_start),
	S("MonitorPid", F_PID, monitor_pid),
	S("MonitorStart", F_U64, monitor_start),
	S("ExitCode", F_INT, exit_code),
	S("OOMKilled", F_BOOL, oom_killed),
	S("Error", F_STR, error),
	S("StartedAt", F_STR, started_at),
	S("FinishedAt", F_STR, finished_at),
	S("RestartCount", F_I64, restart_count),
	S("ManuallyStopped", F_BOOL, manually_stopped),
	S("Cleaned", F_BOOL, cleaned),
	S("RootfsMounted", F_BOOL, rootfs_mounted),
	S("NetnsMade", F_BOOL, netns_made),
};
#undef S

static const char *const status_names[_STATUS_MAX] = {
	[STATUS_CREATED] = "created",	[STATUS_RUNNING] = "running",
	[STATUS_PAUSED] = "paused",	[STATUS_RESTARTING] = "restarting",
	[STATUS_REMOVING] = "removing", [STATUS_EXITED] = "exited",
	[STATUS_DEAD] = "dead",
};

static const char *const network_names[_NETWORK_MODE_MAX] = {
	[NETWORK_NONE] = "none",
	[NETWORK_HOST] = "host",
	[NETWORK_BRIDGE] = "bridge",
	[NETWORK_CONTAINER] = "container",
};

static const char *const mount_kind_names[_MOUNT_KIND_MAX] = {
	[MOUNT_BIND] = "bind",
	[MOUNT_VOLUME] = "volume",
	[MOUNT_TMPFS] = "tmpfs",
};

const char *container_status_name(enum container_status s)
{
	return s < _STATUS_MAX ? status_names[s] : "unknown";
}

const char *container_default_network(void)
{
	const char *v = secure_getenv("BERTH_DEFAULT_NETWORK");

	if (v && *v)
		return v;
	/* rootless: no bridge network yet (it needs pasta or slirp4netns), so none */
	return rootless_mode() ? "none" : NETWORK_DEFAULT;
}

bool container_on_default_bridge(const struct container_config *c)
{
	return c->network == NETWORK_BRIDGE && c->network_name &&
	       strcmp(c->network_name, NETWORK_DEFAULT) == 0;
}

const char *container_network_name(enum network_mode m)
{
	return m < _NETWORK_MODE_MAX ? network_names[m] : "none";
}

const char *container_mount_kind_name(enum mount_kind k)
{
	return k < _MOUNT_KIND_MAX ? mount_kind_names[k] : "bind";
}

static int name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], s) == 0)
			return (int) i;
	return -1;
}

static void write_fields(struct jwriter *w, const struct field *fields, size_t n, const void *obj)
{
	for (size_t i = 0; i < n; i++) {
		const char *p = (const char *) obj + fields[i].off;
		struct jwriter *arr;

		switch (fields[i].type) {
		case F_STR:
			jw_str(w, fields[i].key, *(char *const *) p);
			break;
		case F_STRV:
			if (!*(char **const *) p)
				break;
			arr = jw_array();
			STRV_FOREACH (s, *(char **const *) p)
				jw_append_str(arr, *s);
			jw_put(w, fields[i].key, arr);
			break;
		case F_BOOL:
			jw_bool(w, fields[i].key, *(const bool *) p);
			break;
		case F_I64:
			jw_int(w, fields[i].key, *(const int64_t *) p);
			break;
		case F_U16:
			jw_int(w, fields[i].key, *(const uint16_t *) p);
			break;
		case F_INT:
			jw_int(w, fields[i].key, *(const int *) p);
			break;
		case F_PID:
			jw_int(w, fields[i].key, *(const pid_t *) p);
			break;
		case F_U64:
			jw_uint(w, fields[i].key, *(const uint64_t *) p);
			break;
		default:
			break;
		}
	}
}

static int read_fields(const struct jnode *root, const struct field *fields, size_t n, void *obj,
		       struct berr **err)
{
	for (size_t i = 0; i < n; i++) {
		char *p = (char *) obj + fields[i].off;
		const char *k = fields[i].key;
		int64_t v = 0;
		int r;

		switch (fields[i].type) {
		case F_STR:
			r = jnode_get_string(root, k, (char **) p, err);
			break;
		case F_STRV:
			r = jnode_get_strv(root, k, (char ***) p, err);
			break;
		case F_BOOL:
			r = jnode_get_bool(root, k, (bool *) p, err);
			break;
		case F_U64:
			r = jnode_get_uint64(root, k, (uint64_t *) p, err);
			break;
		default:
			r = jnode_get_int64(root, k, &v, err);
			if (r > 0 && fields[i].type == F_I64)
				*(int64_t *) p = v;
			else if (r > 0 && fields[i].type == F_U16)
				*(uint16_t *) p = (uint16_t) v;
			else if (r > 0)
				*(int *) p = (int) v;
			break;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static struct jwriter *mounts_json(const struct container_config *c)
{
	struct jwriter *arr = jw_array();

	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct ctr_mount *m = &c->mounts[i];
		struct jwriter *o = jw_object();

		jw_str(o, "Type", mount_kind_names[m->kind]);
		jw_str(o, "Source", m->source);
		jw_str(o, "Target", m->target);
		jw_bool(o, "ReadOnly", m->readonly);
		if (m->anonymous)
			jw_bool(o, "Anonymous", true);
		if (m->nocopy)
			jw_bool(o, "NoCopy", true);
		jw_str(o, "Propagation", m->propagation);
		jw_str(o, "Options", m->options);
		jw_put(arr, NULL, o);
	}
	return arr;
}

static struct jwriter *devices_json(const struct container_config *c)
{
	struct jwriter *arr = jw_array();

	for (size_t i = 0; i < c->n_devices; i++) {
		struct jwriter *o = jw_object();

		jw_str(o, "PathOnHost", c->devices[i].host);
		jw_str(o, "PathInContainer", c->devices[i].container);
		jw_str(o, "CgroupPermissions", c->devices[i].perms);
		jw_put(arr, NULL, o);
	}
	return arr;
}

static struct jwriter *throttles_json(const struct ctr_throttle *t, size_t n)
{
	struct jwriter *arr = jw_array();

	for (size_t i = 0; i < n; i++) {
		struct jwriter *o = jw_object();

		jw_str(o, "Path", t[i].path);
		jw_uint(o, "Rate", t[i].rate);
		jw_put(arr, NULL, o);
	}
	return arr;
}

static struct jwriter *ulimits_json(const struct container_config *c)
{
	struct jwriter *arr = jw_array();

	for (size_t i = 0; i < c->n_ulimits; i++) {
		struct jwriter *o = jw_object();

		jw_str(o, "Name", c->ulimits[i].name);
		jw_int(o, "Soft", c->ulimits[i].soft);
		jw_int(o, "Hard", c->ulimits[i].hard);
		jw_put(arr, NULL, o);
	}
	return arr;
}

char *container_config_to_json(const struct container_config *c)
{
	_cleanup_jw_ struct jwriter *w = jw_object();
	struct jwriter *rp = jw_object();

	write_fields(w, config_fields, ELEMENTSOF(config_fields), c);
	jw_str(w, "NetworkMode", network_names[c->network]);
	jw_str(rp, "Name", units_restart_name(c->restart.kind));
	jw_int(rp, "MaximumRetryCount", c->restart.max_retries);
	jw_put(w, "RestartPolicy", rp);
	jw_put(w, "Mounts", mounts_json(c));
	jw_put(w, "Devices", devices_json(c));
	jw_put(w, "BlkioDeviceReadBps", throttles_json(c->read_bps, c->n_read_bps));
	jw_put(w, "BlkioDeviceWriteBps", throttles_json(c->write_bps, c->n_write_bps));
	jw_put(w, "Ulimits", ulimits_json(c));
	return jw_to_string(w, true);
}

/* Call fn for each element of the array member key (absent: none). */
static int each_element(const struct jnode *root, const char *key, size_t *ret_n, size_t elem_size,
			void **ret_v, int (*fn)(const struct jnode *, void *, struct berr **),
			struct berr **err)
{
	struct jnode arr;
	size_t n;
	int r;

	jnode_member(root, key, &arr);
	if ((r = jnode_expect_array(&arr, err)) < 0)
		return r;
	n = jnode_array_len(&arr);
	if (n == 0)
		return 0;
	*ret_v = calloc(n, elem_size);
	if (!*ret_v)
		return -ENOMEM;
	*ret_n = n;
	for (size_t i = 0; i < n; i++) {
		struct jnode e;

		jnode_array_at(&arr, i, &e);
		if ((r = fn(&e, (char *) *ret_v + i * elem_size, err)) < 0)
			return r;
	}
	return 0;
}

static int read_mount(const struct jnode *n, void *p, struct berr **err)
{
	struct ctr_mount *m = p;
	_cleanup_free_ char *type = NULL;
	int r, k;

	if ((r = jnode_get_string(n, "Type", &type, err)) < 0)
		return r;
	k = type ? name_index(mount_kind_names, _MOUNT_KIND_MAX, type) : -1;
	if (k < 0)
		return jnode_err(n, err, EINVAL, "unknown mount type");
	m->kind = (enum mount_kind) k;
	if ((r = jnode_get_string(n, "Source", &m->source, err)) < 0 ||
	    (r = jnode_get_string(n, "Target", &m->target, err)) < 0 ||
	    (r = jnode_get_bool(n, "ReadOnly", &m->readonly, err)) < 0 ||
	    (r = jnode_get_bool(n, "Anonymous", &m->anonymous, err)) < 0 ||
	    (r = jnode_get_bool(n, "NoCopy", &m->nocopy, err)) < 0 ||
	    (r = jnode_get_string(n, "Propagation", &m->propagation, err)) < 0 ||
	    (r = jnode_get_string(n, "Options", &m->options, err)) < 0)
		return r;
	if (!m->target)
		return jnode_err(n, err, EINVAL, "a mount without a target");
	return 0;
}

static int read_device(const struct jnode *n, void *p, struct berr **err)
{
	struct ctr_device *d = p;
	int r;

	if ((r = jnode_get_string(n, "PathOnHost", &d->host, err)) < 0 ||
	    (r = jnode_get_string(n, "PathInContainer", &d->container, err)) < 0 ||
	    (r = jnode_get_string(n, "CgroupPermissions", &d->perms, err)) < 0)
		return r;
	return d->host && d->container ? 0 : jnode_err(n, err, EINVAL, "incomplete device");
}

static int read_throttle(const struct jnode *n, void *p, struct berr **err)
{
	struct ctr_throttle *t = p;
	int r;

	if ((r = jnode_get_string(n, "Path", &t->path, err)) < 0 ||
	    (r = jnode_get_uint64(n, "Rate", &t->rate, err)) < 0)
		return r;
	return t->path ? 0 : jnode_err(n, err, EINVAL, "a throttle without a path");
}

static int read_ulimit(const struct jnode *n, void *p, struct berr **err)
{
	struct ulimit *u = p;
	int r;

	if ((r = jnode_get_string(n, "Name", &u->name, err)) < 0 ||
	    (r = jnode_get_int64(n, "Soft", &u->soft, err)) < 0 ||
	    (r = jnode_get_int64(n, "Hard", &u->hard, err)) < 0)
		return r;
	return u->name && units_ulimit_rlimit(u->name) ? 0
						       : jnode_err(n, err, EINVAL, "bad ulimit");
}

static int read_policy(const struct jnode *root, struct container_config *c, struct berr **err)
{
	_cleanup_free_ char *name = NULL, *net = NULL;
	struct jnode rp;
	int32_t n = 0;
	int r, k;

	jnode_member(root, "RestartPolicy", &rp);
	if ((r = jnode_get_string(&rp, "Name", &name, err)) < 0 ||
	    (r = jnode_get_int32(&rp, "MaximumRetryCount", &n, err)) < 0)
		return r;
	c->restart.kind = RESTART_NO;
	for (k = 0; name && k < _RESTART_KIND_MAX; k++)
		if (strcmp(units_restart_name((enum restart_kind) k), name) == 0)
			c->restart.kind = (enum restart_kind) k;
	c->restart.max_retries = n;
	if ((r = jnode_get_string(root, "NetworkMode", &net, err)) < 0)
		return r;
	k = net ? name_index(network_names, _NETWORK_MODE_MAX, net) : 0;
	if (k < 0)
		return berr_set(err, EINVAL, "NetworkMode: unknown mode '%s'", net);
	c->network = (enum network_mode) k;
	return 0;
}

int container_config_from_json(const char *buf, size_t len, struct container_config **ret,
			       struct berr **err)
{
	_cleanup_container_config_ struct container_config *c = calloc(1, sizeof(*c));
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	struct jnode root;
	int r;

	if (!c)
		return -ENOMEM;
	c->stop_timeout = -1;
	r = jdoc_parse(buf, len, "config.json", &doc, err);
	if (r < 0)
		return r;
	jdoc_root(doc, &root);
	if ((r = jnode_expect_object(&root, err)) < 0 ||
	    (r = read_fields(&root, config_fields, ELEMENTSOF(config_fields), c, err)) < 0 ||
	    (r = read_policy(&root, c, err)) < 0 ||
	    (r = each_element(&root, "Mounts", &c->n_mounts, sizeof(struct ctr_mount),
			      (void **) &c->mounts, read_mount, err)) < 0 ||
	    (r = each_element(&root, "Devices", &c->n_devices, sizeof(struct ctr_device),
			      (void **) &c->devices, read_device, err)) < 0 ||
	    (r = each_element(&root, "BlkioDeviceReadBps", &c->n_read_bps,
			      sizeof(struct ctr_throttle), (void **) &c->read_bps, read_throttle,
			      err)) < 0 ||
	    (r = each_element(&root, "BlkioDeviceWriteBps", &c->n_write_bps,
			      sizeof(struct ctr_throttle), (void **) &c->write_bps, read_throttle,
			      err)) < 0 ||
	    (r = each_element(&root, "Ulimits", &c->n_ulimits, sizeof(struct ulimit),
			      (void **) &c->ulimits, read_ulimit, err)) < 0)
		return berr_wrap(err, "config.json");
	if (!c->id || !c->name || !c->args || !c->runtime_path)
		return berr_set(err, EINVAL, "config.json: incomplete");
	*ret = TAKE_PTR(c);
	return 0;
}

void container_config_done(struct container_config *c)
{
	for (size_t i = 0; i < ELEMENTSOF(config_fields); i++) {
		char *p = (char *) c + config_fields[i].off;

		if (config_fields[i].type == F_STR)
			free(*(char **) p);
		else if (config_fields[i].type == F_STRV)
			strv_free(*(char ***) p);
	}
	for (size_t i = 0; i < c->n_mounts; i++) {
		free(c->mounts[i].source);
		free(c->mounts[i].target);
		free(c->mounts[i].propagation);
		free(c->mounts[i].options);
	}
	free(c->mounts);
	for (size_t i = 0; i < c->n_devices; i++) {
		free(c->devices[i].host);
		free(c->devices[i].container);
		free(c->devices[i].perms);
	}
	free(c->devices);
	for (size_t i = 0; i < c->n_read_bps; i++)
		free(c->read_bps[i].path);
	free(c->read_bps);
	for (size_t i = 0; i < c->n_write_bps; i++)
		free(c->write_bps[i].path);
	free(c->write_bps);
	for (size_t i = 0; i < c->n_ulimits; i++)
		free(c->ulimits[i].name);
	free(c->ulimits);
	memset(c, 0, sizeof(*c));
}

struct container_config *container_config_free(struct container_config *c)
{
	if (c) {
		container_config_done(c);
		free(c);
	}
	return NULL;
}

/* State */

void container_state_done(struct container_state *s)
{
	free(s->error);
	free(s->started_at);
	free(s->finished_at);
	memset(s, 0, sizeof(*s));
}

int container_state_init(struct container_state *s)
{
	*s = (struct container_state){.status = STATUS_CREATED, .cleaned = true};
	s->started_at = strdup(ZERO_TIME);
	s->finished_at = strdup(ZERO_TIME);
	if (!s->started_at || !s->finished_at) {
		container_state_done(s);
		return -ENOMEM;
	}
	return 0;
}

char *container_state_to_json(const struct container_state *s)
{
	_cleanup_jw_ struct jwriter *w = jw_object();

	jw_str(w, "Status", status_names[s->status]);
	write_fields(w, state_fields, ELEMENTSOF(state_fields), s);
	return jw_to_string(w, true);
}

int container_state_from_json(const char *buf, size_t len, struct container_state *ret,
			      struct berr **err)
{
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	_cleanup_free_ char *status = NULL;
	struct container_state s = {0};
	struct jnode root;
	int r, k;

	r = jdoc_parse(buf, len, "state.json", &doc, err);
	if (r < 0)
		return r;
	jdoc_root(doc, &root);
	if ((r = jnode_expect_object(&root, err)) < 0 ||
	    (r = jnode_get_string(&root, "Status", &status, err)) < 0 ||
	    (r = read_fields(&root, state_fields, ELEMENTSOF(state_fields), &s, err)) < 0) {
		container_state_done(&s);
		return berr_wrap(err, "state.json");
	}
	k = status ? name_index(status_names, _STATUS_MAX, status) : -1;
	if (k < 0 || !s.started_at || !s.finished_at) {
		container_state_done(&s);
		return berr_set(err, EINVAL, "state.json: bad or missing Status");
	}
	s.status = (enum container_status) k;
	*ret = s;
	return 0;
}
