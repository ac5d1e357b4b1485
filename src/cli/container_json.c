/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/container_json.h"
#include "cli/port_format.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/format.h"
#include "engine/container_ops.h"
#include "engine/container_runtime.h"
#include "engine/health.h"
#include "engine/ns_modes.h"
#include "lib/timefmt.h"
#include "engine/container_network.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "net/dns.h"

static long long seconds_since(const char *rfc3339)
{
	int64_t t;

	if (rfc3339_parse_ns(rfc3339, &t) < 0 || t <= 0)
		return 0;
	return (long long) ((now_ns() - t) / 1000000000);
}

/* "Up 5 seconds", "Exited (0) 3 seconds ago", "Created": docker's STATUS column. */
char *container_status_text(const struct container *c)
{
	char ago[64], *s = NULL;
	size_t n;

	switch (c->st.status) {
	case STATUS_RUNNING:
	case STATUS_PAUSED:
		human_ago(seconds_since(c->st.started_at), ago, sizeof(ago));
		n = strlen(ago);
		if (n > 4)
			ago[n - 4] = '\0'; /* no " ago" */
		if (asprintf(&s, "Up %s%s", ago, c->st.status == STATUS_PAUSED ? " (Paused)" : "") <
		    0)
			s = NULL;
		if (s && c->st.status == STATUS_RUNNING && health_enabled(c->cfg)) {
			struct health_state h;
			char *t = NULL;

			if (health_state_load(c->dirfd, &h) < 0)
				h.status = HEALTH_STARTING;
			if (asprintf(&t, "%s (%s)", s, health_status_text(h.status)) >= 0) {
				free(s);
				s = t;
			}
			health_state_done(&h);
		}
		break;
	case STATUS_RESTARTING:
		human_ago(seconds_since(c->st.finished_at), ago, sizeof(ago));
		if (asprintf(&s, "Restarting (%d) %s", c->st.exit_code, ago) < 0)
			s = NULL;
		break;
	case STATUS_EXITED:
		human_ago(seconds_since(c->st.finished_at), ago, sizeof(ago));
		if (asprintf(&s, "Exited (%d) %s", c->st.exit_code, ago) < 0)
			s = NULL;
		break;
	case STATUS_CREATED:
	case STATUS_REMOVING:
	case STATUS_DEAD:
	case _STATUS_MAX:
	default:
		s = strdup(c->st.status == STATUS_CREATED ? "Created" : "Dead");
		break;
	}
	return s;
}

char *container_command_text(const struct container *c, bool no_trunc)
{
	_cleanup_free_ char *joined = strv_join(c->cfg->args, " ");
	char *s;

	if (!joined)
		return NULL;
	if (!no_trunc && strlen(joined) > 20) {
		if (asprintf(&s, "\"%.19s…\"", joined) < 0)
			return NULL;
		return s;
	}
	return asprintf(&s, "\"%s\"", joined) < 0 ? NULL : s;
}

char *container_ps_row_json(const struct container *c, const char *image, const char *ports,
			    bool no_trunc)
{
	_cleanup_jw_ struct jwriter *w = jw_object();
	_cleanup_free_ char *status = container_status_text(c),
			    *cmd = container_command_text(c, no_trunc);
	_cleanup_free_ char *labels = strv_join(c->cfg->labels, ",");
	char id[CONTAINER_ID_LEN + 1], ago[64];

	snprintf(id, sizeof(id), "%.*s", no_trunc ? CONTAINER_ID_LEN : 12, c->cfg->id);
	jw_str(w, "ID", id);
	jw_str(w, "Image", image);
	jw_str(w, "Command", cmd);
	jw_str(w, "CreatedAt", c->cfg->created);
	jw_str(w, "RunningFor", human_ago(seconds_since(c->cfg->created), ago, sizeof(ago)));
	jw_str(w, "Status", status);
	jw_str(w, "State", container_status_name(c->st.status));
	jw_str(w, "Ports", ports ? ports : "");
	jw_str(w, "Names", c->cfg->name);
	jw_str(w, "Labels", labels ? labels : "");
	jw_str(w, "Mounts", "");
	jw_str(w, "Size", "0B");
	return jw_to_string(w, false);
}

static struct jwriter *strv_array(char *const *v)
{
	struct jwriter *a = jw_array();

	STRV_FOREACH (s, v)
		jw_append_str(a, *s);
	return a;
}

static struct jwriter *state_json(const struct container *c)
{
	struct jwriter *s = jw_object();
	enum container_status st = c->st.status;

	jw_str(s, "Status", container_status_name(st));
	jw_bool(s, "Running", st == STATUS_RUNNING || st == STATUS_PAUSED);
	jw_bool(s, "Paused", st == STATUS_PAUSED);
	jw_bool(s, "Restarting", st == STATUS_RESTARTING);
	jw_bool(s, "OOMKilled", c->st.oom_killed);
	jw_bool(s, "Dead", st == STATUS_DEAD);
	jw_int(s, "Pid", c->st.pid);
	jw_int(s, "ExitCode", c->st.exit_code);
	jw_str(s, "Error", c->st.error ? c->st.error : "");
	jw_str(s, "StartedAt", c->st.started_at);
	jw_str(s, "FinishedAt", c->st.finished_at);
	jw_int(s, "MonitorPid", c->st.monitor_pid);
	if (health_enabled(c->cfg)) {
		struct health_state h;

		if (health_state_load(c->dirfd, &h) < 0)
			h = (struct health_state){.status = HEALTH_STARTING};
		health_state_put(s, "Health", &h);
		health_state_done(&h);
	}
	return s;
}

static struct jwriter *mounts_json(struct engine *e, const struct container *c)
{
	struct jwriter *a = jw_array();

	for (size_t i = 0; i < c->cfg->n_mounts; i++) {
		const struct ctr_mount *m = &c->cfg->mounts[i];
		struct jwriter *o = jw_object();
		_cleanup_free_ char *vol = NULL;

		jw_str(o, "Type", container_mount_kind_name(m->kind));
		if (m->kind == MOUNT_VOLUME) {
			jw_str(o, "Name", m->source);
			if (asprintf(&vol, "%s/volumes/%s/_data", e->root, m->source) < 0)
				vol = NULL;
			jw_str(o, "Source", vol);
			jw_str(o, "Driver", "local");
		} else
			jw_str(o, "Source", m->source ? m->source : "");
		jw_str(o, "Destination", m->target);
		jw_str(o, "Mode", m->options ? m->options : "");
		jw_bool(o, "RW", !m->readonly);
		jw_str(o, "Propagation", m->propagation ? m->propagation : "");
		jw_put(a, NULL, o);
	}
	return a;
}

/* docker 20.10's Aliases: --network-alias, then the short id (both resolve: dns.h) */
static struct jwriter *aliases_json(const struct container_config *cfg)
{
	struct jwriter *a = jw_array();
	char shortid[DNS_SHORT_ID_LEN + 1];

	STRV_FOREACH (p, cfg->aliases)
		jw_str(a, NULL, *p);
	snprintf(shortid, sizeof(shortid), "%s", cfg->id);
	jw_str(a, NULL, shortid);
	return a;
}

/* What inspect shows of a container's endpoint on its bridge network. */
struct endpoint_view {
	bool has_network, has_address;
	char network_id[NETWORK_ID_LEN + 1];
	char ip[IP_STR_MAX], gateway[IP_STR_MAX], mac[MAC_STR_MAX];
	int prefix_len;
};

static void endpoint_read(struct engine *e, const struct container_config *cfg,
			  struct endpoint_view *v)
{
	struct net_root nr = engine_net_root(e);
	_cleanup_(network_done) struct network n = {0};
	unsigned char m[MAC_LEN];
	struct ipam_entry ep;

	*v = (struct endpoint_view){0};
	if (cfg->network != NETWORK_BRIDGE || !cfg->network_name ||
	    network_load(&nr, cfg->network_name, &n, NULL) < 0)
		return;
	v->has_network = true;
	snprintf(v->network_id, sizeof(v->network_id), "%s", n.id);
	if (container_network_endpoint(e, cfg, &ep) < 0)
		return;
	v->has_address = true;
	ipam_entry_mac(&ep, m);
	mac_format(m, v->mac);
	ip_format(ep.ip, v->ip);
	if (!n.internal)
		ip_format(n.gateway, v->gateway);
	v->prefix_len = n.subnet.len;
}

/* docker's NetworkSettings.Networks.<name> of a container on a bridge network. */
static struct jwriter *endpoint_json(const struct container_config *cfg,
				     const struct endpoint_view *v)
{
	struct jwriter *ep = jw_object(), *ipam = NULL;

	if (cfg->ip) {
		ipam = jw_object();
		jw_str(ipam, "IPv4Address", cfg->ip);
		jw_put(ep, "IPAMConfig", ipam);
	} else {
		jw_null(ep, "IPAMConfig");
	}
	jw_null(ep, "Links");
	jw_put(ep, "Aliases", aliases_json(cfg));
	jw_str(ep, "EndpointID", "");
	jw_str(ep, "IPv6Gateway", "");
	jw_str(ep, "GlobalIPv6Address", "");
	jw_int(ep, "GlobalIPv6PrefixLen", 0);
	jw_null(ep, "DriverOpts");
	if (!v->has_network)
		return ep;
	jw_str(ep, "NetworkID", v->network_id);
	if (!v->has_address)
		return ep;
	jw_str(ep, "Gateway", v->gateway);
	jw_str(ep, "IPAddress", v->ip);
	jw_int(ep, "IPPrefixLen", v->prefix_len);
	jw_str(ep, "MacAddress", v->mac);
	return ep;
}

/* docker's deprecated top-level fields: the default network's endpoint, else empty. */
static void default_network_json(struct jwriter *o, const struct container_config *cfg,
				 const struct endpoint_view *v)
{
	bool on = container_on_default_bridge(cfg) && v->has_address;

	jw_str(o, "EndpointID", "");
	jw_str(o, "Gateway", on ? v->gateway : "");
	jw_str(o, "GlobalIPv6Address", "");
	jw_int(o, "GlobalIPv6PrefixLen", 0);
	jw_str(o, "IPAddress", on ? v->ip : "");
	jw_int(o, "IPPrefixLen", on ? v->prefix_len : 0);
	jw_str(o, "IPv6Gateway", "");
	jw_str(o, "MacAddress", on ? v->mac : "");
}

static struct jwriter *network_settings_json(struct engine *e, const struct container *c)
{
	const struct container_config *cfg = c->cfg;
	struct jwriter *o = jw_object(), *nets;
	struct endpoint_view v;

	endpoint_read(e, cfg, &v);
	jw_put(o, "Ports", ports_inspect_json(e, c));
	default_network_json(o, cfg, &v);
	/* a --network container:NAME container has no endpoint of its own (docker: {}) */
	if (cfg->network == NETWORK_CONTAINER)
		jw_put(o, "Networks", jw_object());
	if (cfg->network != NETWORK_BRIDGE || !cfg->network_name)
		return o;
	nets = jw_object();
	jw_put(nets, cfg->network_name, endpoint_json(cfg, &v));
	jw_put(o, "Networks", nets);
	return o;
}

static struct jwriter *host_config_json(const struct container_config *cfg)
{
	struct jwriter *h = jw_object(), *rp = jw_object();

	/* a network's name, docker's "container:ID", else none or host */
	jw_str(h, "NetworkMode",
	       (cfg->network == NETWORK_BRIDGE || cfg->network == NETWORK_CONTAINER) &&
			       cfg->network_name
		       ? cfg->network_name
		       : container_network_name(cfg->network));
	jw_put(h, "PortBindings", ports_bindings_json(cfg->publish));
	jw_bool(h, "PublishAllPorts", cfg->publish_all);
	jw_str(rp, "Name", units_restart_name(cfg->restart.kind));
	jw_int(rp, "MaximumRetryCount", cfg->restart.max_retries);
	jw_put(h, "RestartPolicy", rp);
	jw_bool(h, "AutoRemove", cfg->auto_remove);
	jw_bool(h, "Privileged", cfg->privileged);
	jw_bool(h, "ReadonlyRootfs", cfg->read_only);
	jw_bool(h, "Init", cfg->init);
	jw_put(h, "CapAdd", strv_array(cfg->cap_add));
	jw_put(h, "CapDrop", strv_array(cfg->cap_drop));
	jw_put(h, "GroupAdd", strv_array(cfg->group_add));
	jw_bool(h, "OomKillDisable", cfg->oom_kill_disable);
	jw_put(h, "VolumesFrom", strv_array(cfg->volumes_from));
	jw_put(h, "Dns", strv_array(cfg->dns));
	jw_put(h, "DnsSearch", strv_array(cfg->dns_search));
	jw_put(h, "DnsOptions", strv_array(cfg->dns_options));
	jw_put(h, "ExtraHosts", strv_array(cfg->extra_hosts));
	jw_str(h, "Runtime", cfg->runtime);
	jw_str(h, "CgroupParent", cfg->cgroup_parent ? cfg->cgroup_parent : "");
	jw_str(h, "UsernsMode", cfg->userns ? cfg->userns : "");
	jw_str(h, "PidMode", cfg->pid_mode ? cfg->pid_mode : "");
	jw_str(h, "IpcMode", cfg->ipc_mode ? cfg->ipc_mode : "private");
	jw_str(h, "UTSMode", cfg->uts_mode ? cfg->uts_mode : "");
	jw_int(h, "Memory", cfg->memory);
	jw_int(h, "MemorySwap", cfg->memory_swap);
	jw_int(h, "MemoryReservation", cfg->memory_reservation);
	jw_int(h, "NanoCpus", cfg->nano_cpus);
	jw_int(h, "CpuShares", cfg->cpu_shares);
	jw_int(h, "CpuPeriod", cfg->cpu_period);
	jw_int(h, "CpuQuota", cfg->cpu_quota);
	jw_str(h, "CpusetCpus", cfg->cpuset_cpus ? cfg->cpuset_cpus : "");
	jw_str(h, "CpusetMems", cfg->cpuset_mems ? cfg->cpuset_mems : "");
	jw_int(h, "PidsLimit", cfg->pids_limit);
	jw_int(h, "BlkioWeight", cfg->blkio_weight);
	jw_int(h, "IngressRate", cfg->ingress_rate);
	jw_int(h, "IngressBurst", cfg->ingress_burst);
	jw_int(h, "EgressRate", cfg->egress_rate);
	jw_int(h, "EgressBurst", cfg->egress_burst);
	jw_int(h, "ShmSize", cfg->shm_size ? cfg->shm_size : 64 << 20);
	jw_put(h, "Sysctls", jw_kv_object(cfg->sysctls));
	{
		struct jwriter *lc = jw_object();

		jw_str(lc, "Type", cfg->log_driver ? cfg->log_driver : "json-file");
		/* the options as given, as docker shows them */
		jw_put(lc, "Config", jw_kv_object(cfg->log_opts));
		jw_put(h, "LogConfig", lc);
	}
	return h;
}

static struct jwriter *config_json(const struct container_config *cfg)
{
	struct jwriter *o = jw_object();

	jw_str(o, "Hostname", cfg->hostname);
	if (cfg->mac_address) /* docker's omitempty */
		jw_str(o, "MacAddress", cfg->mac_address);
	jw_put(o, "ExposedPorts", ports_exposed_json(cfg->exposed));
	jw_str(o, "Domainname", cfg->domainname ? cfg->domainname : "");
	jw_str(o, "User", cfg->user ? cfg->user : "");
	jw_bool(o, "Tty", cfg->tty);
	jw_bool(o, "OpenStdin", cfg->open_stdin);
	jw_put(o, "Env", strv_array(cfg->env));
	jw_put(o, "Cmd", strv_array(cfg->cmd));
	jw_str(o, "Image", cfg->image);
	jw_str(o, "WorkingDir", cfg->working_dir ? cfg->working_dir : "");
	jw_put(o, "Entrypoint", strv_array(cfg->entrypoint));
	jw_put(o, "Labels", jw_kv_object(cfg->labels));
	if (cfg->stop_signal)
		jw_str(o, "StopSignal", cfg->stop_signal);
	if (cfg->stop_timeout >= 0)
		jw_int(o, "StopTimeout", cfg->stop_timeout);
	health_config_put(o, "Healthcheck", cfg);
	return o;
}

/* /etc/NAME's file: the container's own, or its network donor's (docker's paths). */
static char *etc_path(struct engine *e, const struct container *c, const char *name)
{
	const char *donor = ns_mode_container(ns_mode_of(c->cfg, NS_SHARE_NET));
	char *p;

	if (!donor || !container_id_valid(donor))
		return container_path(c, name);
	if (asprintf(&p, "%s/containers/%s/%s", e->root, donor, name) < 0)
		return NULL;
	return p;
}

static struct jwriter *inspect_json(struct engine *e, const struct container *c)
{
	const struct container_config *cfg = c->cfg;
	struct jwriter *o = jw_object(), *args = jw_array(), *gd = jw_object();
	_cleanup_free_ char *name = NULL, *log = NULL, *hosts = etc_path(e, c, "hosts");
	_cleanup_free_ char *resolv = etc_path(e, c, "resolv.conf");
	_cleanup_free_ char *hostname = etc_path(e, c, "hostname");
	_cleanup_free_ char *rootfs = container_path(c, "bundle/rootfs");

	if (asprintf(&name, "/%s", cfg->name) < 0)
		name = NULL;
	if (asprintf(&log, "%s/%s-json.log", c->dir, cfg->id) < 0)
		log = NULL;
	jw_str(o, "Id", cfg->id);
	jw_str(o, "Created", cfg->created);
	jw_str(o, "Path", cfg->args ? cfg->args[0] : "");
	for (size_t i = 1; cfg->args && cfg->args[0] && cfg->args[i]; i++)
		jw_append_str(args, cfg->args[i]);
	jw_put(o, "Args", args);
	jw_put(o, "State", state_json(c));
	jw_str(o, "Image", cfg->image_id);
	jw_str(o, "ResolvConfPath", resolv);
	jw_str(o, "HostnamePath", hostname);
	jw_str(o, "HostsPath", hosts);
	jw_str(o, "LogPath", log);
	jw_str(o, "Name", name);
	jw_int(o, "RestartCount", c->st.restart_count);
	jw_str(o, "Driver", "overlay");
	jw_str(o, "Platform", "linux");
	jw_put(o, "HostConfig", host_config_json(cfg));
	jw_str(gd, "Name", "overlay");
	{
		struct jwriter *d = jw_object();

		jw_str(d, "MergedDir", rootfs);
		jw_put(gd, "Data", d);
	}
	jw_put(o, "GraphDriver", gd);
	jw_put(o, "Mounts", mounts_json(e, c));
	jw_put(o, "Config", config_json(cfg));
	jw_put(o, "NetworkSettings", network_settings_json(e, c));
	return o;
}

int inspect_render(struct jwriter *doc, const char *format, FILE *out)
{
	_cleanup_free_ char *text = jw_to_string(doc, false), *line = NULL;
	_cleanup_jdoc_ struct jdoc *d = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	struct jnode root;

	if (!text || jdoc_parse(text, strlen(text), "inspect", &d, &err) < 0)
		return -ENOMEM;
	jdoc_root(d, &root);
	if (template_render(format, &root, &line, &err) < 0) {
		log_error_report("%s", err ? err->msg : "template error");
		return -EINVAL;
	}
	fprintf(out, "%s\n", line);
	return 0;
}

struct jwriter *container_inspect_json(struct engine *e, const char *ref)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;

	if (container_open(e, ref, true, &c, &err) < 0)
		return NULL;
	(void) container_refresh(e, c, NULL);
	container_unlock(c);
	return inspect_json(e, c);
}
