/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/host_info.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/container_ops.h"
#include "engine/container_runtime.h"
#include "lib/cgroup_layout.h"
#include "engine/rootless.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/strv.h"

/* docker's names of backing filesystems (graphdriver FsNames) */
static const struct {
	unsigned long magic;
	const char *name;
} fs_names[] = {
	{0xEF53, "extfs"},     {0x58465342, "xfs"},	 {0x9123683E, "btrfs"},
	{0x01021994, "tmpfs"}, {0x2FC12FC1, "zfs"},	 {0x794C7630, "overlayfs"},
	{0xF2F52010, "f2fs"},  {0x6969, "nfs"},		 {0x65735546, "fuse"},
	{0x858458F6, "ramfs"}, {0x52654973, "reiserfs"}, {0x5346544E, "ntfs"},
};

static char *backing_fs(const char *root)
{
	struct statfs st;

	if (statfs(root, &st) < 0)
		return strdup("<unknown>");
	for (size_t i = 0; i < sizeof(fs_names) / sizeof(fs_names[0]); i++)
		if ((unsigned long) st.f_type == fs_names[i].magic)
			return strdup(fs_names[i].name);
	return strdup("<unknown>");
}

static void count_containers(struct engine *e, struct host_info *h)
{
	_cleanup_strv_ char **ids = NULL;

	if (container_list_ids(e, &ids) < 0)
		return;
	STRV_FOREACH (id, ids) {
		_cleanup_container_ struct container *c = NULL;

		if (container_load_any(e, *id, false, &c, NULL) < 0)
			continue; /* removed or being created meanwhile */
		/* a monitor that is gone: what ps says, the exit recorded */
		if (container_active(c) && !container_monitor_alive(c) &&
		    container_relock(c, NULL) >= 0) {
			(void) container_refresh(e, c, NULL);
			container_unlock(c);
		}
		h->containers++;
		if (c->st.status == STATUS_PAUSED)
			h->paused++;
		else if (c->st.status == STATUS_RUNNING || c->st.status == STATUS_RESTARTING)
			h->running++;
		else
			h->stopped++;
	}
}

/* A value of /etc/os-release, unquoted (malloc'd), or NULL. */
static char *os_release(const char *text, const char *key)
{
	size_t n = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t len = strcspn(l, "\n");

		if (strncmp(l, key, n) != 0 || l[n] != '=')
			continue;
		l += n + 1;
		len -= n + 1;
		if (len >= 2 && (l[0] == '"' || l[0] == '\'') && l[len - 1] == l[0]) {
			l++;
			len -= 2;
		}
		return strndup(l, len);
	}
	return NULL;
}

static int read_os(struct host_info *h)
{
	_cleanup_free_ char *text = NULL;

	if (read_file_at(AT_FDCWD, "/etc/os-release", 65536, &text, NULL) < 0 &&
	    read_file_at(AT_FDCWD, "/usr/lib/os-release", 65536, &text, NULL) < 0)
		text = NULL;
	h->os_name = text ? os_release(text, "PRETTY_NAME") : NULL;
	h->os_version = text ? os_release(text, "VERSION_ID") : NULL;
	if (!h->os_name)
		h->os_name = strdup("Linux");
	if (!h->os_version)
		h->os_version = strdup("");
	return h->os_name && h->os_version ? 0 : -ENOMEM;
}

static int64_t mem_total(void)
{
	_cleanup_free_ char *text = NULL;
	const char *p;

	if (read_file_at(AT_FDCWD, "/proc/meminfo", 65536, &text, NULL) < 0 ||
	    !(p = strstr(text, "MemTotal:")))
		return 0;
	return strtoll(p + 9, NULL, 10) * 1024;
}

static bool file_starts_with(const char *path, const char *prefix)
{
	_cleanup_free_ char *text = NULL;

	return read_file_at(AT_FDCWD, path, 4096, &text, NULL) >= 0 &&
	       strncmp(text, prefix, strlen(prefix)) == 0;
}

static void read_cgroup_mode(struct host_info *h)
{
	struct cgroup_layout *l = NULL;
	enum cgroup_mode m = CGROUP_MODE_NONE;

	if (cgroup_layout_detect(&l, NULL) >= 0)
		m = l->mode;
	cgroup_layout_free(l);
	h->cgroup_mode = m == CGROUP_MODE_V1	   ? "v1"
			 : m == CGROUP_MODE_HYBRID ? "hybrid"
			 : m == CGROUP_MODE_V2	   ? "v2"
						   : "none";
	/* docker says 1 for the hybrid layout too: its containers use the v1 controllers */
	h->cgroup_version = m == CGROUP_MODE_V2 ? "2" : m == CGROUP_MODE_NONE ? "" : "1";
}

static int read_kernel(struct host_info *h)
{
	struct utsname u;
	cpu_set_t set;

	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	h->kernel = strdup(u.release);
	h->machine = strdup(u.machine);
	h->hostname = strdup(u.nodename);
	h->ncpu = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set)
							       : sysconf(_SC_NPROCESSORS_ONLN);
	h->mem_total = mem_total();
	h->apparmor = file_starts_with("/sys/module/apparmor/parameters/enabled", "Y");
	h->selinux = access("/sys/fs/selinux/enforce", F_OK) == 0;
	h->rootless = rootless_mode();
	return h->kernel && h->machine && h->hostname ? 0 : -ENOMEM;
}

int host_info_read(struct engine *e, struct image_store *s, struct host_info *ret)
{
	struct host_info h = {0};
	_cleanup_image_list_ struct image_list *l = NULL;
	int r;

	count_containers(e, &h);
	if (image_list_load(s, &l, NULL) >= 0)
		h.images = (int64_t) l->n;
	read_cgroup_mode(&h);
	if (!(h.backing_fs = backing_fs(e->root)) || (r = read_os(&h)) < 0 ||
	    (r = read_kernel(&h)) < 0) {
		host_info_done(&h);
		return -ENOMEM;
	}
	*ret = h;
	return 0;
}

void host_info_done(struct host_info *h)
{
	free(h->backing_fs);
	free(h->kernel);
	free(h->os_name);
	free(h->os_version);
	free(h->machine);
	free(h->hostname);
	*h = (struct host_info){0};
}

const char *host_go_arch(const char *machine)
{
	static const char *const names[][2] = {
		{"x86_64", "amd64"}, {"aarch64", "arm64"},   {"i686", "386"},
		{"i386", "386"},     {"armv7l", "arm"},	     {"ppc64le", "ppc64le"},
		{"s390x", "s390x"},  {"riscv64", "riscv64"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(machine, names[i][0]) == 0)
			return names[i][1];
	return machine;
}

char *host_runtime_version(const char *path)
{
	char *argv[] = {(char *) path, "--version", NULL};
	posix_spawn_file_actions_t fa;
	char buf[4096] = "";
	size_t len = 0;
	int p[2], status;
	ssize_t n;
	pid_t pid;
	extern char **environ;

	if (pipe2(p, O_CLOEXEC) < 0)
		return NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, path, &fa, NULL, argv, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	while (pid > 0 && len < sizeof(buf) - 1 &&
	       ((n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0 ||
		(n < 0 && errno == EINTR)))
		len += n > 0 ? (size_t) n : 0;
	close(p[0]);
	if (pid < 0)
		return NULL;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	const char *v = strstr(buf, "version ");
	if (!v)
		return NULL;
	v += 8;
	return strndup(v, strcspn(v, " \t"));
}
