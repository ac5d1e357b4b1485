/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Dead containers: a directory under containers/ whose config.json or state.json is
 * missing, empty or corrupt (a create killed before it wrote state.json, a power cut,
 * a hand edit). `ps -a` shows them as docker shows its "Dead" containers and `rm`
 * removes them; what the files no longer say is found on disk instead: the name from
 * names/, the runtime from the runtimes' state directories.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/container_store.h"
#include "engine/runtime_client.h"
#include "lib/timefmt.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

/* Each entry of parent/rel, until fn returns nonzero (which is returned). */
static int each_entry(int parent, const char *rel, int (*fn)(int fd, const char *n, void *arg),
		      void *arg)
{
	_cleanup_closedir_ DIR *d = NULL;
	int fd = openat(parent, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;
	struct dirent *de;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while (r == 0 && (de = readdir(d)))
		if (de->d_name[0] != '.')
			r = fn(dirfd(d), de->d_name, arg);
	return r;
}

struct find {
	const char *id;
	char *found;
};

static int name_points_at(int fd, const char *name, void *arg)
{
	struct find *f = arg;
	char buf[CONTAINER_ID_LEN + 2];
	ssize_t n = readlinkat(fd, name, buf, sizeof(buf) - 1);

	if (n != CONTAINER_ID_LEN || strncmp(buf, f->id, CONTAINER_ID_LEN) != 0)
		return 0;
	f->found = strdup(name);
	return 1;
}

static int runtime_has(int fd, const char *name, void *arg)
{
	struct find *f = arg;
	char rel[512];

	snprintf(rel, sizeof(rel), "%s/%s", name, f->id);
	if (faccessat(fd, rel, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	f->found = strdup(name);
	return 1;
}

/* The runtime that has state for id, so that rm can kill and delete through it. */
static int find_runtime(struct engine *e, struct container_config *cfg)
{
	struct find f = {.id = cfg->id};
	_cleanup_berr_ struct berr *err = NULL;

	if (!cfg->runtime) {
		(void) each_entry(e->rootfd, "runtime", runtime_has, &f);
		if (!f.found)
			return 0;
		cfg->runtime = f.found;
	}
	if (!cfg->runtime_path)
		(void) runtime_resolve(cfg->runtime, &cfg->runtime_path, &err);
	return 0;
}

static int dead_config(struct engine *e, int dirfd, const char *id, struct container_config **ret)
{
	_cleanup_container_config_ struct container_config *cfg = calloc(1, sizeof(*cfg));
	struct find f = {.id = id};
	struct stat st;
	char when[64];

	if (!cfg)
		return -ENOMEM;
	cfg->stop_timeout = -1;
	(void) each_entry(e->rootfd, "names", name_points_at, &f);
	cfg->name = f.found ? f.found : strdup("");
	if (fstat(dirfd, &st) < 0)
		st.st_mtim = (struct timespec){0};
	rfc3339_ns((int64_t) st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec, when,
		   sizeof(when));
	cfg->id = strdup(id);
	cfg->created = strdup(when);
	cfg->image = strdup("");
	cfg->image_id = strdup("");
	cfg->hostname = strdup("");
	cfg->args = calloc(1, sizeof(char *));
	if (!cfg->name || !cfg->id || !cfg->created || !cfg->image || !cfg->image_id ||
	    !cfg->hostname || !cfg->args)
		return -ENOMEM;
	*ret = TAKE_PTR(cfg);
	return 0;
}

int container_dead_fill(struct engine *e, struct container *c, const char *id, const char *why)
{
	int r;

	if (!c->cfg && (r = dead_config(e, c->dirfd, id, &c->cfg)) < 0)
		return r;
	if ((r = find_runtime(e, c->cfg)) < 0)
		return r;
	container_state_done(&c->st);
	if (container_state_init(&c->st) < 0)
		return -ENOMEM;
	c->st.status = STATUS_DEAD;
	c->st.cleaned = false;
	free(c->st.error);
	c->st.error = strdup(why);
	return c->st.error ? 0 : -ENOMEM;
}

bool container_dead_may_run(struct engine *e, const struct container *c)
{
	_cleanup_free_ char *root = NULL;
	char rel[PATH_MAX];

	if (c->st.status != STATUS_DEAD || !c->cfg->runtime)
		return false;
	if (!(root = engine_runtime_root(e, c->cfg->runtime)))
		return true;
	snprintf(rel, sizeof(rel), "%s/%s", root, c->cfg->id);
	return access(rel, F_OK) == 0;
}
