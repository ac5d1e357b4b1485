/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/container_runtime.h"
#include "engine/container_ports.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/container_network.h"
#include "net/dns.h"
#include "engine/proc.h"
#include "lib/timefmt.h"
#include "engine/userns.h"
#include "lib/cleanup.h"
#include "lib/umount_under.h"
#include "net/tc.h"
#include "net/veth.h"

int container_rt_init(struct engine *e, const struct container *c, struct container_rt *r)
{
	*r = (struct container_rt){0};
	r->root = engine_runtime_root(e, c->cfg->runtime ? c->cfg->runtime : "berth-runtime");
	r->log = container_path(c, "runtime.log");
	if (!r->root || !r->log) {
		container_rt_done(r);
		return -ENOMEM;
	}
	r->rt.path = c->cfg->runtime_path;
	r->rt.root = r->root;
	r->rt.log = r->log;
	return 0;
}

void container_rt_done(struct container_rt *r)
{
	free(r->root);
	free(r->log);
	*r = (struct container_rt){0};
}

/* USERNS_RUN_DIR/<id> (userns.h), whether or not the container has a user namespace. */
static int release_userns_rootfs(const char *id, struct berr **err)
{
	_cleanup_free_ char *dir = NULL, *rootfs = NULL;
	int r;

	if (asprintf(&dir, "%s/%s", USERNS_RUN_DIR, id) < 0 ||
	    asprintf(&rootfs, "%s/rootfs", dir) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	/* most containers have none: no second read of mountinfo for them */
	if (access(dir, F_OK) < 0 && errno == ENOENT)
		return 0;
	if ((r = umount_under(dir)) < 0)
		return berr_sys(err, -r, "cannot unmount what is mounted under '%s'", dir);
	if ((rmdir(rootfs) < 0 && errno != ENOENT) || (rmdir(dir) < 0 && errno != ENOENT))
		return berr_sys(err, errno, "cannot remove '%s'", dir);
	return 0;
}

int container_release_mounts(struct container *c, struct berr **err)
{
	_cleanup_free_ char *netns = container_path(c, "netns");
	_cleanup_free_ char *userns = container_path(c, "userns");
	int r;

	if (!netns || !userns)
		return berr_set(err, ENOMEM, "out of memory");
	/*
	 * Whatever the state says: a command killed between a mount and the state write that
	 * records it must not leave a mount that nothing would remove (MNT_DETACH: a process
	 * that still has a file open there must not keep us waiting).
	 */
	if ((r = umount_under(c->dir)) < 0)
		return berr_sys(err, -r, "cannot unmount what is mounted under '%s'", c->dir);
	if ((r = release_userns_rootfs(c->cfg->id, err)) < 0)
		return r;
	c->st.rootfs_mounted = false;
	if (unlink(netns) < 0 && errno != ENOENT)
		return berr_sys(err, errno, "cannot remove '%s'", netns);
	if (unlink(userns) < 0 && errno != ENOENT) /* a bridge network's (netns.h) */
		return berr_sys(err, errno, "cannot remove '%s'", userns);
	c->st.netns_made = false;
	/* the ifb of --egress-rate is the one thing of the network outside the namespace */
	if (c->cfg->network == NETWORK_BRIDGE && (r = tc_ifb_remove(c->cfg->id)) < 0)
		return berr_sys(err, -r, "cannot remove the ifb device of the container");
	/*
	 * The namespace dies with its last user, and the veth with it; but one that a
	 * --network container:NAME joiner still runs in outlives this container: its eth0
	 * must not stay on the bridge as an address that may be given to another container
	 * (as docker's, the joiner is left with lo).
	 */
	if (c->cfg->network == NETWORK_BRIDGE && (r = veth_remove(c->cfg->id)) < 0)
		return berr_sys(err, -r, "cannot remove the container's veth");
	return 0;
}

int container_cleanup(struct engine *e, struct container *c, struct berr **err)
{
	struct container_rt rt;
	int r, first = 0;

	if (container_rt_init(e, c, &rt) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	r = runtime_delete(&rt.rt, c->cfg->id, true, err);
	container_rt_done(&rt);
	if (r < 0)
		first = r;
	r = container_release_mounts(c, first < 0 ? NULL : err);
	first = first < 0 ? first : r;
	/* after the netns: the DNAT rules go with the address they pointed to */
	container_ports_release(e, c);
	/* its names go from the network's name server when it stops (src/net/dns.h) */
	if (c->cfg->network == NETWORK_BRIDGE) {
		struct net_root nr = engine_net_root(e);

		dns_server_forget(&nr, c->cfg->id);
	}
	c->st.cleaned = first >= 0;
	return first;
}

char *container_cgroups_path(const struct container_config *cfg)
{
	const char *parent =
		cfg->cgroup_parent && *cfg->cgroup_parent ? cfg->cgroup_parent : "/berth";
	size_t n = strlen(parent);
	char *p;

	while (n > 1 && parent[n - 1] == '/')
		n--;
	/*
	 * Always absolute: a relative cgroupsPath puts runc's cgroup under the caller's own
	 * cgroup, which may be one nobody may touch.
	 */
	if (asprintf(&p, "%s%.*s/%s", parent[0] == '/' ? "" : "/", (int) n, parent, cfg->id) < 0)
		return NULL;
	return p;
}

/* "oom_kill N" in a flat keyed file (memory.oom_control, memory.events). */
static uint64_t keyed_oom_kill(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	unsigned long long v = 0;
	char line[128];

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "oom_kill %llu", &v) == 1)
			break;
	return v;
}

uint64_t container_oom_kills(const struct container_config *cfg)
{
	static const char *const files[] = {
		"/sys/fs/cgroup/memory%s/memory.oom_control",
		"/sys/fs/cgroup%s/memory.events",
		"/sys/fs/cgroup/unified%s/memory.events",
	};
	_cleanup_free_ char *cg = container_cgroups_path(cfg);
	char path[PATH_MAX];

	for (size_t i = 0; cg && i < ELEMENTSOF(files); i++) {
		snprintf(path, sizeof(path), files[i], cg);
		if (access(path, F_OK) == 0)
			return keyed_oom_kill(path);
	}
	return 0;
}

bool container_monitor_alive(const struct container *c)
{
	return c->st.monitor_pid > 0 && proc_alive(c->st.monitor_pid, c->st.monitor_start);
}

static bool active(enum container_status s)
{
	return s == STATUS_RUNNING || s == STATUS_PAUSED || s == STATUS_RESTARTING;
}

int container_refresh(struct engine *e, struct container *c, struct berr **err)
{
	char now[64];
	int r;

	if (!active(c->st.status) || container_monitor_alive(c))
		return 0;
	/* nobody reaps or logs it any more: stop it, as docker does when containerd-shim dies */
	if (c->st.pid > 0 && proc_alive(c->st.pid, c->st.pid_start))
		(void) kill(c->st.pid, SIGKILL);
	c->st.status = STATUS_EXITED;
	c->st.exit_code = c->st.exit_code ? c->st.exit_code : 137;
	free(c->st.error);
	c->st.error = strdup("the container's monitor exited");
	free(c->st.finished_at);
	c->st.finished_at = strdup(rfc3339_ns(now_ns(), now, sizeof(now)));
	c->st.pid = 0;
	c->st.monitor_pid = 0;
	(void) container_cleanup(e, c, NULL);
	r = container_save_state(c, err);
	return r < 0 ? r : 1;
}
