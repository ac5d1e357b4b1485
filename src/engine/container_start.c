/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/container_start.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/container_cp.h"
#include "engine/container_create.h"
#include "engine/container_runtime.h"
#include "engine/container_network.h"
#include "engine/container_ports.h"
#include "engine/netns.h"
#include "engine/ns_modes.h"
#include "engine/oci_spec_gen.h"
#include "engine/user_lookup.h"
#include "engine/userns.h"
#include "engine/volume.h"
#include "image/snapshot.h"
#include "lib/cleanup.h"
#include "lib/crashpoint.h"
#include "lib/fd.h"
#include "lib/strv.h"

#define SYNC_MAX 65536

char *engine_sibling_binary(const char *name)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash, *p;

	if (n <= 0)
		return NULL;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	if (asprintf(&p, "%s/%s", self, name) < 0)
		return NULL;
	return p;
}

static bool file_exists(const char *p)
{
	return access(p, F_OK) == 0;
}

static bool file_says_yes(const char *p)
{
	_cleanup_free_ char *buf = NULL;

	return read_file_at(AT_FDCWD, p, 64, &buf, NULL) >= 0 && buf[0] == 'Y';
}

/* Per-mount host paths, and tmpfs options of type=tmpfs volumes (oci_spec_gen.h). */
struct mount_inputs {
	char **sources;
	char **tmpfs;
	size_t n;
};

static void mount_inputs_done(struct mount_inputs *mi)
{
	for (size_t i = 0; i < mi->n; i++) {
		free(mi->sources[i]);
		free(mi->tmpfs[i]);
	}
	free(mi->sources);
	free(mi->tmpfs);
}

static int mount_input(struct engine *e, const struct ctr_mount *m, char **ret_source,
		       char **ret_tmpfs, struct berr **err)
{
	enum volume_mount_kind k;
	char *arg = NULL;
	int r;

	if (m->kind != MOUNT_VOLUME)
		return (*ret_source = strdup(m->kind == MOUNT_TMPFS ? "tmpfs" : m->source))
			       ? 0
			       : -ENOMEM;
	if ((r = volume_mount_source(e, m->source, &k, &arg, err)) < 0)
		return r;
	if (k != VOLUME_MOUNT_TMPFS) {
		*ret_source = arg;
		return 0;
	}
	*ret_tmpfs = arg ? arg : strdup("");
	*ret_source = strdup("tmpfs");
	return *ret_tmpfs && *ret_source ? 0 : -ENOMEM;
}

static int mount_inputs_get(struct engine *e, const struct container_config *cfg,
			    struct mount_inputs *mi, struct berr **err)
{
	int r = 0;

	mi->n = cfg->n_mounts;
	mi->sources = calloc(cfg->n_mounts + 1, sizeof(char *));
	mi->tmpfs = calloc(cfg->n_mounts + 1, sizeof(char *));
	if (!mi->sources || !mi->tmpfs)
		r = -ENOMEM;
	for (size_t i = 0; r >= 0 && i < cfg->n_mounts; i++)
		r = mount_input(e, &cfg->mounts[i], &mi->sources[i], &mi->tmpfs[i], err);
	if (r == -ENOMEM)
		return berr_set(err, ENOMEM, "out of memory");
	return r;
}

/*
 * --network none and NAME: a network namespace the engine makes (NAME: with a veth into
 * the network's bridge, container_network.h). The container's user namespace must own
 * it to mount /sys: with one, none's is the runtime's, made in it; a bridge network's is
 * made by the engine in a user namespace of the container's maps, which the runtime
 * joins (netns_create_owned).
 */
static bool own_netns(const struct container_config *cfg)
{
	return cfg->network == NETWORK_BRIDGE ||
	       (cfg->network == NETWORK_NONE && !userns_enabled(cfg));
}

static int generate_spec(struct engine *e, struct container *c, const struct start_opts *o,
			 struct spec_inputs *in, char **ret, struct berr **err)
{
	_cleanup_close_ int rootfd =
		openat(c->dirfd, "bundle/rootfs", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	_cleanup_free_ char *profile = NULL, *userns_rootfs = NULL;
	struct exec_user user = {0};
	struct ns_joins joins = {0};
	int r;

	if (c->cfg->seccomp && strcmp(c->cfg->seccomp, "custom") == 0) {
		if ((r = read_file_at(c->dirfd, "seccomp.json", 4 << 20, &profile, NULL)) < 0)
			return berr_sys(err, -r, "cannot read the container's seccomp profile");
		in->seccomp_custom = profile;
	}
	if (c->cfg->init) {
		if (!o->init || access(o->init, X_OK) < 0)
			return berr_sys(err, ENOENT, "--init: cannot find berth-init beside berth");
		in->init_path = o->init;
	}
	if (userns_enabled(c->cfg) &&
	    asprintf(&userns_rootfs, "%s/%s/rootfs", USERNS_RUN_DIR, c->cfg->id) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	in->rootfs_path = userns_rootfs;
	if (rootfd < 0)
		return berr_sys(err, errno, "cannot open the container's rootfs");
	if ((r = user_lookup(rootfd, c->cfg->user, &user, err)) < 0)
		return berr_wrap(err, "unable to find user %s",
				 c->cfg->user ? c->cfg->user : "root");
	in->user = &user;
	if ((r = user_add_groups(rootfd, c->cfg->group_add, &user, err)) >= 0 &&
	    (r = ns_modes_resolve(e, c, &joins, err)) >= 0) {
		in->joins = &joins;
		r = oci_spec_generate(in, ret, err);
	}
	ns_joins_done(&joins);
	exec_user_done(&user);
	return r;
}

static int write_spec(struct engine *e, struct container *c, const struct start_opts *o,
		      struct berr **err)
{
	_cleanup_(mount_inputs_done) struct mount_inputs mi = {0};
	_cleanup_free_ char *netns = container_path(c, "netns");
	_cleanup_free_ char *userns = container_path(c, "userns");
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int bundlefd = -1;
	struct spec_inputs in = {
		.cfg = c->cfg,
		.dir = c->dir,
		.netns_path = own_netns(c->cfg) ? netns : NULL,
		.userns_path = own_netns(c->cfg) && userns_enabled(c->cfg) ? userns : NULL,
		.swap_limit = file_exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes") ||
			      file_exists("/sys/fs/cgroup/memory.swap.max"),
		.apparmor = file_says_yes("/sys/module/apparmor/parameters/enabled"),
		.selinux = file_exists("/sys/fs/selinux/enforce"),
		.console_rows = o->console_rows,
		.console_cols = o->console_cols,
		.devdir = "/dev",
	};
	int r;

	if (!netns || !userns)
		return berr_set(err, ENOMEM, "out of memory");
	if ((r = mount_inputs_get(e, c->cfg, &mi, err)) < 0)
		return r;
	in.mount_sources = mi.sources;
	in.volume_tmpfs = mi.tmpfs;
	if ((r = generate_spec(e, c, o, &in, &text, err)) < 0)
		return r;
	bundlefd = openat(c->dirfd, "bundle", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (bundlefd < 0)
		return berr_sys(err, errno, "cannot open the container's bundle");
	r = write_file_atomic_at(bundlefd, "config.json", text, strlen(text), 0600, false);
	return r < 0 ? berr_sys(err, -r, "cannot write the bundle's config.json") : 0;
}

static bool dir_empty(int fd)
{
	_cleanup_closedir_ DIR *d = NULL;
	int dup = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	struct dirent *de;

	if (dup < 0 || !(d = fdopendir(dup))) {
		if (dup >= 0)
			close(dup);
		return false;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			return false;
	return true;
}

/*
 * An empty volume (or bind device) gets the image's files at its mount point (unless
 * nocopy), as docker's.
 */
static int populate_volumes(struct engine *e, struct container *c, struct berr **err)
{
	_cleanup_close_ int rootfd =
		openat(c->dirfd, "bundle/rootfs", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

	if (rootfd < 0)
		return berr_sys(err, errno, "cannot open the container's rootfs");
	for (size_t i = 0; i < c->cfg->n_mounts; i++) {
		const struct ctr_mount *m = &c->cfg->mounts[i];
		_cleanup_free_ char *path = NULL;
		_cleanup_close_ int fd = -1;
		enum volume_mount_kind k;
		int r;

		if (m->kind != MOUNT_VOLUME || m->nocopy)
			continue;
		/* a bind device is checked here first; a tmpfs is new at each start */
		if ((r = volume_mount_source(e, m->source, &k, &path, err)) < 0)
			return r;
		if (k == VOLUME_MOUNT_TMPFS)
			continue;
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0 || !dir_empty(fd))
			continue;
		if ((r = container_cp_contents(rootfd, m->target, fd)) < 0)
			return berr_sys(err, -r, "cannot copy the image's %s into volume '%s'",
					m->target, m->source);
	}
	return 0;
}

/* The snapshot on rootfs, its layers idmapped when the container has a user namespace. */
static int mount_rootfs(struct image_store *s, struct container *c, const char *rootfs,
			struct berr **err)
{
	_cleanup_close_ int userns_fd = -1;
	struct snapshot_idmap idmap;
	int r;

	if (!userns_enabled(c->cfg))
		return image_snapshot_mount(s, c->cfg->id, rootfs, NULL, err);
	if ((r = userns_open_fd(c->cfg, &userns_fd, err)) < 0)
		return r;
	idmap.userns_fd = userns_fd;
	userns_root_ids(c->cfg, &idmap.uid, &idmap.gid);
	if ((r = image_snapshot_mount(s, c->cfg->id, rootfs, &idmap, err)) < 0)
		return r;
	c->st.rootfs_mounted = true;
	return userns_bind_rootfs(c->cfg, rootfs, err);
}

/* The snapshot on bundle/rootfs, the network namespace, config.json. */
static int prepare_bundle(struct engine *e, struct image_store *s, struct container *c,
			  const struct start_opts *o, struct berr **err)
{
	_cleanup_free_ char *rootfs = container_path(c, "bundle/rootfs");
	_cleanup_free_ char *netns = container_path(c, "netns");
	_cleanup_free_ char *userns = container_path(c, "userns");
	int r;

	if (!rootfs || !netns || !userns)
		return berr_set(err, ENOMEM, "out of memory");
	if ((mkdirat(c->dirfd, "bundle", 0700) < 0 && errno != EEXIST) ||
	    (mkdirat(c->dirfd, "bundle/rootfs", 0755) < 0 && errno != EEXIST))
		return berr_sys(err, errno, "cannot create the container's bundle");
	/* intent first: from here on a kill leaves a container whose next command cleans up */
	c->st.cleaned = false;
	if ((r = container_save_state(c, err)) < 0)
		return r;
	crashpoint("start-intent");
	if ((r = mount_rootfs(s, c, rootfs, err)) < 0)
		return r;
	c->st.rootfs_mounted = true;
	crashpoint("start-mounted");
	if (own_netns(c->cfg)) {
		r = userns_enabled(c->cfg) ? netns_create_owned(netns, userns, c->cfg->uid_map,
								c->cfg->gid_map, err)
					   : netns_create(netns, err);
		if (r < 0)
			return r;
		c->st.netns_made = true;
		crashpoint("start-netns");
		/* a kill from here leaves the veth in the netns: the cleanup's unmount frees both */
		if ((r = container_network_attach(e, c, netns, err)) < 0)
			return r;
		crashpoint("start-network");
	}
	if ((r = container_save_state(c, err)) < 0 || (r = populate_volumes(e, c, err)) < 0)
		return r;
	r = write_spec(e, c, o, err);
	crashpoint("start-spec");
	return r;
}

/* In the grandchild: the monitor, with sync on fd 3 and attach on fd 4. */
static void exec_monitor(struct engine *e, struct container *c, const struct start_opts *o,
			 int sync_w)
{
	char *argv[] = {(char *) o->monitor,
			"--root",
			e->root,
			"--id",
			c->cfg->id,
			"--berth",
			(char *) o->berth,
			"--sync-fd",
			"3",
			"--hold-fds",
			NULL,
			o->attach_fd >= 0 ? "--attach-fd" : NULL,
			"4",
			NULL};
	int nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	int s3 = fd_dup_min(sync_w, 10), a4 = o->attach_fd >= 0 ? fd_dup_min(o->attach_fd, 10) : -1;

	if (nullfd < 0 || s3 < 0 || dup2(nullfd, 0) < 0 || dup2(nullfd, 1) < 0 ||
	    dup2(nullfd, 2) < 0 || dup2(s3, 3) < 0 || (a4 >= 0 && dup2(a4, 4) < 0))
		_exit(127);
	/* the published ports' sockets and lock: the monitor holds them (container_ports.h) */
	if (container_ports_pass(c, &argv[10]) < 0)
		_exit(127);
	if (!argv[10]) /* none: drop "--hold-fds" */
		memmove(&argv[9], &argv[11], 3 * sizeof(char *));
	(void) chdir("/");
	execv(o->monitor, argv);
	_exit(127);
}

/* Fork twice so the monitor belongs to no `berth` process and leads its own session. */
static int spawn_monitor(struct engine *e, struct container *c, const struct start_opts *o,
			 int sync_w, struct berr **err)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return berr_sys(err, errno, "cannot fork the monitor");
	if (pid == 0) {
		if (setsid() < 0)
			_exit(127);
		pid = fork();
		if (pid < 0)
			_exit(127);
		if (pid == 0)
			exec_monitor(e, c, o, sync_w);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return berr_sys(err, errno, "waiting for the monitor");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return berr_set(err, ECHILD, "cannot start the monitor");
	return 0;
}

static int wait_sync(int sync_r, struct berr **err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r = read_fd_all(sync_r, SYNC_MAX, &buf, &len);

	if (r < 0)
		return berr_sys(err, -r, "reading from the monitor");
	if (len >= 3 && strncmp(buf, "ok\n", 3) == 0)
		return 0;
	if (len > 6 && strncmp(buf, "error ", 6) == 0) {
		buf[len - 1] = '\0';
		return berr_set(err, EIO, "%s", buf + 6);
	}
	return berr_set(err, EIO,
			"the monitor exited before the container started (is %s "
			"built?)",
			"berth-monitor");
}

int container_start(struct engine *e, struct image_store *s, struct container *c,
		    const struct start_opts *o, struct berr **err)
{
	int p[2], r;

	if ((r = container_refresh(e, c, err)) < 0)
		return r;
	if (c->st.status == STATUS_RUNNING || c->st.status == STATUS_PAUSED ||
	    c->st.status == STATUS_RESTARTING)
		return 0;
	if (o->from_run && c->st.manually_stopped)
		return 1; /* stopped before it ever ran (container_stop) */
	if (!c->st.cleaned)
		(void) container_cleanup(e, c, NULL);
	else
		(void) container_release_mounts(c, NULL);
	c->st.manually_stopped = false;
	if ((r = prepare_bundle(e, s, c, o, err)) < 0)
		goto out_cleanup;
	if (pipe2(p, O_CLOEXEC) < 0) {
		r = berr_sys(err, errno, "cannot make a pipe");
		goto out_cleanup;
	}
	container_unlock(c);
	crashpoint("start-unlocked");
	r = spawn_monitor(e, c, o, p[1], err);
	close(p[1]);
	container_close_held(c); /* the monitor's now */
	if (r >= 0)
		r = wait_sync(p[0], err);
	close(p[0]);
	/*
	 * The monitor cleaned up after a failed start; the state is its. A --rm container
	 * may already have run and been removed: its start still succeeded.
	 */
	if (r >= 0) {
		_cleanup_berr_ struct berr *e2 = NULL;
		int q = container_relock(c, &e2);

		if (q < 0 && q != -ENOENT) {
			if (err)
				*err = TAKE_PTR(e2);
			return q;
		}
		return 0;
	}
	(void) container_relock(c, NULL);
	return r;
out_cleanup:
	(void) container_cleanup(e, c, NULL);
	(void) container_save_state(c, NULL);
	return r;
}
