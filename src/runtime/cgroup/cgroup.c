/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/cgroup/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/strv.h"

/* How long destroy waits for killed processes to leave a cgroup. */
#define CGROUP_EMPTY_WAIT_MS 5000
/* How deep below the container's cgroup ps, kill --all and delete look. */
#define CGROUP_MAX_DEPTH 32

int cgroup_path_for(const char *cgroups_path, const char *id, char **ret, struct berr **err)
{
	const char *p = cgroups_path && *cgroups_path ? cgroups_path : NULL;
	char *out = NULL;

	if (!p) {
		if (asprintf(&out, "/berth/%s", id) < 0)
			return berr_set(err, ENOMEM, "out of memory");
	} else {
		const char *s = p;

		/* Relative paths are rooted at each hierarchy's root, not at our own cgroup. */
		while (*s == '/')
			s++;
		for (const char *c = s; *c;) {
			size_t len = strcspn(c, "/");

			if ((len == 2 && c[0] == '.' && c[1] == '.') || (len == 1 && c[0] == '.'))
				return berr_set(
					err, EINVAL,
					"linux.cgroupsPath: '%s' must not contain '.' or '..'",
					cgroups_path);
			c += len;
			c += strspn(c, "/");
		}
		if (!*s)
			return berr_set(err, EINVAL, "linux.cgroupsPath: '%s' is the root cgroup",
					cgroups_path);
		if (asprintf(&out, "/%s", s) < 0)
			return berr_set(err, ENOMEM, "out of memory");
		for (size_t n = strlen(out); n > 1 && out[n - 1] == '/'; n--)
			out[n - 1] = '\0';
	}
	*ret = out;
	return 0;
}

int cgroup_manager_new_layout(const char *path, struct cgroup_layout *layout,
			      struct cgroup_manager **ret, struct berr **err)
{
	struct cgroup_manager *m = calloc(1, sizeof(*m));

	if (!m || !(m->path = strdup(path))) {
		free(m);
		cgroup_layout_free(layout);
		return berr_set(err, ENOMEM, "out of memory");
	}
	m->unified_fd = -1;
	m->layout = layout;
	switch (layout->mode) {
	case CGROUP_MODE_V1:
		m->ops = &cgroup_v1_ops;
		break;
	case CGROUP_MODE_V2:
		m->ops = &cgroup_v2_ops;
		break;
	case CGROUP_MODE_HYBRID:
		m->ops = &cgroup_hybrid_ops;
		break;
	case CGROUP_MODE_NONE:
	default:
		cgroup_manager_free(m);
		return berr_set(err, ENOENT, "this host has no cgroup filesystem mounted");
	}
	*ret = m;
	return 0;
}

int cgroup_manager_new(const char *path, struct cgroup_manager **ret, struct berr **err)
{
	struct cgroup_layout *layout = NULL;
	int r = cgroup_layout_detect(&layout, err);

	if (r < 0)
		return r;
	return cgroup_manager_new_layout(path, layout, ret, err);
}

struct cgroup_manager *cgroup_manager_free(struct cgroup_manager *m)
{
	if (!m)
		return NULL;
	if (m->unified_fd >= 0)
		(void) close(m->unified_fd);
	cgroup_layout_free(m->layout);
	strv_free(m->v2_controllers);
	free(m->path);
	free(m);
	return NULL;
}

int cgroup_clone_fd(const struct cgroup_manager *m)
{
	return m ? m->unified_fd : -1;
}

char *cgroup_dir(const struct cgroup_hier *h, const char *path)
{
	char *out = NULL;

	if (asprintf(&out, "%s%s", h->mountpoint, path) < 0)
		return NULL;
	return out;
}

int cgroup_mkdir_p(const char *dir, struct berr **err)
{
	_cleanup_free_ char *copy = NULL;

	/* The parents usually exist: one mkdir, not one per level (9 hierarchies on v1). */
	if (mkdir(dir, 0755) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return berr_sys(err, errno, "creating cgroup '%s'", dir);
	copy = strdup(dir);
	if (!copy)
		return berr_set(err, ENOMEM, "out of memory");
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			return berr_sys(err, errno, "creating cgroup '%s'", copy);
		*p = '/';
	}
	if (mkdir(copy, 0755) < 0 && errno != EEXIST)
		return berr_sys(err, errno, "creating cgroup '%s'", copy);
	return 0;
}

/* Append the pids of dir's own cgroup.procs to *v. */
static int read_one(const char *dir, pid_t **v, size_t *n)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	char *save = NULL;
	int r;

	if (asprintf(&path, "%s/cgroup.procs", dir) < 0)
		return -ENOMEM;
	r = read_file_at(AT_FDCWD, path, 16u << 20, &text, NULL);
	if (r < 0)
		return r;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		pid_t *nv = realloc(*v, (*n + 1) * sizeof(pid_t));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		(*v)[(*n)++] = (pid_t) atoi(l);
	}
	return 0;
}

/* dir and the cgroups the container made below it, depth first. */
static int read_tree(const char *dir, unsigned depth, pid_t **v, size_t *n)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int r = read_one(dir, v, n);

	if (r < 0 || depth >= CGROUP_MAX_DEPTH || !(d = opendir(dir)))
		return r;
	while ((de = readdir(d))) {
		_cleanup_free_ char *sub = NULL;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0)
			return -ENOMEM;
		r = read_tree(sub, depth + 1, v, n);
		if (r < 0 && r != -ENOENT)
			return r;
	}
	return 0;
}

int cgroup_read_procs(const char *dir, pid_t **ret, size_t *ret_n)
{
	pid_t *v = NULL;
	size_t n = 0;
	int r = read_tree(dir, 0, &v, &n);

	if (r < 0) {
		free(v);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int cgroup_write_pid(const char *dir, pid_t pid, struct berr **err)
{
	_cleanup_free_ char *path = NULL;
	char buf[16];
	int r;

	if (asprintf(&path, "%s/cgroup.procs", dir) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	snprintf(buf, sizeof(buf), "%d", (int) pid);
	r = write_file_at(AT_FDCWD, path, buf, O_WRONLY);
	if (r < 0)
		return berr_sys(err, -r, "moving the init into cgroup '%s'", dir);
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	(void) nanosleep(&ts, NULL);
}

/* rmdir dir after the cgroups below it; -errno of the first that stays. */
static int rmdir_tree(const char *dir, unsigned depth)
{
	_cleanup_closedir_ DIR *d = depth < CGROUP_MAX_DEPTH ? opendir(dir) : NULL;
	struct dirent *de;

	while (d && (de = readdir(d))) {
		_cleanup_free_ char *sub = NULL;
		int r;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0)
			return -ENOMEM;
		if ((r = rmdir_tree(sub, depth + 1)) < 0)
			return r;
	}
	if (rmdir(dir) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int cgroup_kill_and_rmdir(const char *dir, struct berr **err)
{
	/* The common case, a container that has exited: an empty leaf goes at once. */
	if (rmdir(dir) == 0 || errno == ENOENT)
		return 0;
	for (long waited = 0;; waited += 10) {
		_cleanup_free_ pid_t *pids = NULL;
		size_t n = 0;
		int r = cgroup_read_procs(dir, &pids, &n);

		if (r == -ENOENT)
			return 0;
		for (size_t i = 0; i < n; i++)
			(void) kill(pids[i], SIGKILL);
		r = rmdir_tree(dir, 0);
		if (r == 0)
			return 0;
		if (r != -EBUSY)
			return berr_sys(err, -r, "removing cgroup '%s'", dir);
		if (waited >= CGROUP_EMPTY_WAIT_MS)
			return berr_set(err, EBUSY, "removing cgroup '%s': still busy after %d ms",
					dir, CGROUP_EMPTY_WAIT_MS);
		sleep_ms(10);
	}
}

int cgroup_signal_all(struct cgroup_manager *m, int sig, struct berr **err)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	int r = m->ops->procs(m, &pids, &n, err);

	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			return berr_sys(err, errno, "signalling pid %d", (int) pids[i]);
	return 0;
}
