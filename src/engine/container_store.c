/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/container_store.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/private_dir.h"
#include "lib/rmtree.h"
#include "lib/umount_under.h"
#include "lib/strv.h"

#define STATE_MAX (1 << 20)
#define CONFIG_MAX (16 << 20)

static int mkdir_open(int dirfd, const char *name, mode_t mode)
{
	int fd;

	if (mkdirat(dirfd, name, mode) < 0 && errno != EEXIST)
		return -errno;
	fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

/* Unmount what a killed command left mounted there (rm_rf does not cross mounts), remove. */
static int remove_tombstone(struct engine *e, const char *name)
{
	_cleanup_free_ char *path = NULL;
	int r;

	if (asprintf(&path, "%s/containers/%s", e->root, name) < 0)
		return -ENOMEM;
	(void) umount_under(path);
	/* a process of the container that still writes there (a runtime's log) races us */
	for (int attempt = 0; (r = rm_rf_at(e->containers_fd, name)) == -ENOTEMPTY && attempt < 5;
	     attempt++)
		usleep(20000);
	return r;
}

/* What an rm killed half-way left (containers/.removing-<id>). */
static void remove_tombstones(struct engine *e)
{
	_cleanup_closedir_ DIR *d = NULL;
	int fd = openat(e->containers_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (strncmp(de->d_name, ".removing-", 10) == 0)
			(void) remove_tombstone(e, de->d_name);
}

int engine_open(const char *root, struct engine **ret, struct berr **err)
{
	_cleanup_free_ struct engine *e = calloc(1, sizeof(*e));
	char abs[PATH_MAX];
	int r;

	if (!e)
		return -ENOMEM;
	e->rootfd = e->containers_fd = e->names_fd = -1;
	if ((r = private_dir_prepare(root)) < 0)
		return berr_sys(err, -r, "cannot create '%s' (private)", root);
	if (!realpath(root, abs))
		return berr_sys(err, errno, "cannot resolve '%s'", root);
	e->root = strdup(abs);
	if (!e->root)
		return -ENOMEM;
	e->rootfd = open(abs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (e->rootfd < 0) {
		r = berr_sys(err, errno, "cannot open '%s'", abs);
		goto out_free;
	}
	e->containers_fd = mkdir_open(e->rootfd, "containers", 0700);
	e->names_fd = mkdir_open(e->rootfd, "names", 0700);
	/* volumes/<name>/_data is 0755 for the container's users: volumes/ keeps others out */
	if ((r = mkdir_open(e->rootfd, "volumes", 0700)) >= 0) {
		close(r);
		r = fchmodat(e->rootfd, "volumes", 0700, 0) < 0 ? -errno : 0;
	}
	if (r < 0) {
		r = berr_sys(err, -r, "cannot create '%s/volumes'", abs);
		goto out_free;
	}
	if (e->containers_fd < 0 || e->names_fd < 0) {
		r = berr_sys(err, -(e->containers_fd < 0 ? e->containers_fd : e->names_fd),
			     "cannot create the container store in '%s'", abs);
		goto out_free;
	}
	remove_tombstones(e);
	*ret = TAKE_PTR(e);
	return 0;
out_free:
	engine_free(TAKE_PTR(e));
	return r;
}

struct engine *engine_free(struct engine *e)
{
	if (!e)
		return NULL;
	if (e->rootfd >= 0)
		close(e->rootfd);
	if (e->containers_fd >= 0)
		close(e->containers_fd);
	if (e->names_fd >= 0)
		close(e->names_fd);
	free(e->root);
	free(e);
	return NULL;
}

char *engine_runtime_root(const struct engine *e, const char *runtime_name)
{
	char *p;
	const char *base = strrchr(runtime_name, '/');

	if (asprintf(&p, "%s/runtime/%s", e->root, base ? base + 1 : runtime_name) < 0)
		return NULL;
	return p;
}

char *container_path(const struct container *c, const char *rel)
{
	char *p;

	if (asprintf(&p, "%s/%s", c->dir, rel) < 0)
		return NULL;
	return p;
}

struct container *container_free(struct container *c)
{
	if (!c)
		return NULL;
	container_unlock(c);
	container_close_held(c);
	if (c->dirfd >= 0)
		close(c->dirfd);
	container_config_free(c->cfg);
	container_state_done(&c->st);
	free(c->dir);
	free(c);
	return NULL;
}

void container_close_held(struct container *c)
{
	for (size_t i = 0; i < c->n_held_fds; i++)
		(void) close(c->held_fds[i]);
	free(c->held_fds);
	c->held_fds = NULL;
	c->n_held_fds = 0;
}

void container_unlock(struct container *c)
{
	if (c->lockfd >= 0) {
		(void) close(c->lockfd);
		c->lockfd = -1;
	}
}

/*
 * The container's lock. The file is made at create and never again (O_CREAT here could
 * put a file back into a directory that rm is removing). A command that waited for the
 * lock while the container was removed finds its directory unlinked: -ENOENT.
 */
static int take_lock(int dirfd)
{
	_cleanup_close_ int fd = openat(dirfd, "lock", O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;

	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return -errno;
	if (fstat(dirfd, &st) < 0 || st.st_nlink == 0)
		return -ENOENT;
	return TAKE_FD(fd);
}

static int read_state(struct container *c, struct berr **err)
{
	_cleanup_free_ char *buf = NULL;
	struct container_state s;
	size_t len;
	int r;

	r = read_file_at(c->dirfd, "state.json", STATE_MAX, &buf, &len);
	if (r < 0)
		return berr_sys(err, -r, "cannot read state.json");
	r = container_state_from_json(buf, len, &s, err);
	if (r < 0)
		return r;
	container_state_done(&c->st);
	c->st = s;
	return 0;
}

int container_relock(struct container *c, struct berr **err)
{
	int fd, r;

	if (c->lockfd < 0) {
		fd = take_lock(c->dirfd);
		if (fd == -ENOENT)
			return berr_set(err, ENOENT, "No such container: %s", c->cfg->id);
		if (fd < 0)
			return berr_sys(err, -fd, "container %.12s: cannot lock", c->cfg->id);
		c->lockfd = fd;
	}
	if ((r = read_state(c, err)) < 0)
		return berr_wrap(err, "container %.12s", c->cfg->id);
	return 0;
}

bool container_id_valid(const char *s)
{
	size_t n = strlen(s);

	if (n != CONTAINER_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char) s[i]) || isupper((unsigned char) s[i]))
			return false;
	return true;
}

/* A create still in progress holds the lock of a directory that has no state.json yet. */
static bool being_created(struct container *c)
{
	_cleanup_close_ int fd = -1;

	if (c->lockfd >= 0 || faccessat(c->dirfd, "state.json", F_OK, 0) == 0 || errno != ENOENT)
		return false;
	fd = openat(c->dirfd, "lock", O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	return fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

static int read_config(struct container *c, struct berr **err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r = read_file_at(c->dirfd, "config.json", CONFIG_MAX, &buf, &len);

	if (r < 0)
		return berr_sys(err, -r, "cannot read config.json");
	return container_config_from_json(buf, len, &c->cfg, err);
}

static int open_dir(struct engine *e, const char *id, bool lock, struct container *c,
		    struct berr **err)
{
	struct stat st;

	c->dirfd = c->lockfd = -1;
	if (!container_id_valid(id))
		return berr_set(err, ENOENT, "No such container: %s", id);
	c->dirfd = openat(e->containers_fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (c->dirfd < 0)
		return errno == ENOENT ? berr_set(err, ENOENT, "No such container: %s", id)
				       : berr_sys(err, errno, "container %s", id);
	if (asprintf(&c->dir, "%s/containers/%s", e->root, id) < 0) {
		c->dir = NULL;
		return -ENOMEM;
	}
	if (!lock)
		return 0;
	c->lockfd = take_lock(c->dirfd);
	if (c->lockfd == -ENOENT && faccessat(c->dirfd, "lock", F_OK, 0) < 0 &&
	    fstat(c->dirfd, &st) == 0 && st.st_nlink > 0)
		return 0; /* no lock file: a create killed at once; dead, and nobody else's */
	if (c->lockfd == -ENOENT)
		return berr_set(err, ENOENT, "No such container: %s", id);
	if (c->lockfd < 0)
		return berr_sys(err, -c->lockfd, "container %.12s: cannot lock", id);
	return 0;
}

/*
 * Load id; any: a container whose files are missing or corrupt is loaded as dead
 * (container_dead.c) instead of failing.
 */
static int load(struct engine *e, const char *id, bool lock, bool any, struct container **ret,
		struct berr **err)
{
	_cleanup_container_ struct container *c = calloc(1, sizeof(*c));
	_cleanup_berr_ struct berr *why = NULL;
	int r;

	if (!c)
		return -ENOMEM;
	if ((r = open_dir(e, id, lock, c, err)) < 0)
		return r;
	if (being_created(c))
		return berr_set(err, ENOENT, "No such container: %s", id);
	r = read_config(c, &why);
	if (r >= 0)
		r = read_state(c, &why);
	if (r == -ENOMEM)
		return berr_set(err, ENOMEM, "out of memory");
	if (r < 0 && !any)
		return berr_set(err, -r, "container %.12s is dead (%s): remove it with 'rm -f'", id,
				why ? why->msg : strerror(-r));
	if (r < 0 && (r = container_dead_fill(e, c, id, why ? why->msg : strerror(-r))) < 0)
		return berr_set(err, -r, "out of memory");
	*ret = TAKE_PTR(c);
	return 0;
}

int container_load(struct engine *e, const char *id, bool lock, struct container **ret,
		   struct berr **err)
{
	return load(e, id, lock, false, ret, err);
}

int container_load_any(struct engine *e, const char *id, bool lock, struct container **ret,
		       struct berr **err)
{
	return load(e, id, lock, true, ret, err);
}

int container_open_any(struct engine *e, const char *ref, bool lock, struct container **ret,
		       struct berr **err)
{
	_cleanup_free_ char *id = NULL;
	int r = container_resolve(e, ref, &id, err);

	if (r < 0)
		return r;
	return container_load_any(e, id, lock, ret, err);
}

int container_save_state(struct container *c, struct berr **err)
{
	_cleanup_free_ char *text = container_state_to_json(&c->st);
	int r;

	if (!text)
		return berr_set(err, ENOMEM, "out of memory");
	r = write_file_atomic_at(c->dirfd, "state.json", text, strlen(text), 0600, true);
	if (r < 0)
		return berr_sys(err, -r, "container %.12s: cannot write state.json", c->cfg->id);
	return 0;
}

int container_list_ids(struct engine *e, char ***ret)
{
	_cleanup_strv_ char **ids = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	int fd = openat(e->containers_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d)))
		if (container_id_valid(de->d_name) && strv_push_dup(&ids, de->d_name) < 0)
			return -ENOMEM;
	if (!ids && !(ids = calloc(1, sizeof(char *))))
		return -ENOMEM;
	*ret = TAKE_PTR(ids);
	return 0;
}

bool container_dir_exists(struct engine *e, const char *id)
{
	struct stat st;

	return container_id_valid(id) &&
	       fstatat(e->containers_fd, id, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

char *container_name_target(struct engine *e, const char *name)
{
	char buf[CONTAINER_ID_LEN + 2];
	ssize_t n = readlinkat(e->names_fd, name, buf, sizeof(buf) - 1);

	if (n != CONTAINER_ID_LEN)
		return NULL;
	buf[n] = '\0';
	return container_dir_exists(e, buf) ? strdup(buf) : NULL;
}

bool container_name_current(struct engine *e, const char *name, const char *id)
{
	_cleanup_container_ struct container *c = NULL;

	/* a create that has not written config.json yet, or a dead container: its name */
	if (container_load(e, id, false, &c, NULL) < 0)
		return true;
	return strcmp(c->cfg->name, name) == 0;
}

int container_resolve(struct engine *e, const char *ref, char **ret, struct berr **err)
{
	_cleanup_strv_ char **ids = NULL;
	const char *name = ref[0] == '/' ? ref + 1 : ref;
	char *found = NULL;
	size_t n = strlen(ref), matches = 0;
	int r;

	if (!*ref)
		return berr_set(err, EINVAL, "a container name or id is required");
	if (container_id_valid(ref) && container_dir_exists(e, ref))
		return (*ret = strdup(ref)) ? 0 : -ENOMEM;
	if (container_name_valid(name) && (found = container_name_target(e, name))) {
		if (container_name_current(e, name, found)) {
			*ret = found;
			return 0;
		}
		free(found); /* a name a killed rename left */
		found = NULL;
	}
	if ((r = container_list_ids(e, &ids)) < 0)
		return berr_sys(err, -r, "cannot list containers");
	STRV_FOREACH (id, ids) {
		if (strncmp(*id, ref, n) == 0) {
			matches++;
			found = *id;
		}
	}
	if (matches == 0)
		return berr_set(err, ENOENT, "No such container: %s", ref);
	if (matches > 1)
		return berr_set(err, EINVAL, "multiple containers found with provided prefix: %s",
				ref);
	return (*ret = strdup(found)) ? 0 : -ENOMEM;
}

int container_open(struct engine *e, const char *ref, bool lock, struct container **ret,
		   struct berr **err)
{
	_cleanup_free_ char *id = NULL;
	int r = container_resolve(e, ref, &id, err);

	if (r < 0)
		return r;
	return container_load(e, id, lock, ret, err);
}

int container_new_id(char id[static CONTAINER_ID_LEN + 1])
{
	unsigned char raw[CONTAINER_ID_LEN / 2];
	size_t got = 0;

	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);

		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0)
			got += (size_t) n;
	}
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(id + 2 * i, 3, "%02x", raw[i]);
	/* docker: an id that is all digits would read as a number in places: avoid it */
	if (strspn(id, "0123456789") == CONTAINER_ID_LEN)
		id[0] = 'a';
	return 0;
}

bool container_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n < 2 || n > CONTAINER_NAME_MAX || !isalnum((unsigned char) name[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char) name[i]) && !strchr("_.-", name[i]))
			return false;
	return true;
}

int container_dir_create(struct engine *e, const char *id, int *ret_dirfd, int *ret_lockfd,
			 struct berr **err)
{
	_cleanup_close_ int fd = -1, lock = -1;
	int r;

	if (mkdirat(e->containers_fd, id, 0700) < 0)
		return berr_sys(err, errno, "cannot create the container's directory");
	fd = openat(e->containers_fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		r = berr_sys(err, errno, "cannot open the container's directory");
		goto out_rmdir;
	}
	lock = openat(fd, "lock", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0) {
		r = berr_sys(err, errno, "cannot create the container's lock");
		goto out_rmdir;
	}
	*ret_dirfd = TAKE_FD(fd);
	*ret_lockfd = TAKE_FD(lock);
	return 0;
out_rmdir:
	(void) rm_rf_at(e->containers_fd, id);
	return r;
}

int container_dir_write_config(int dirfd, const struct container_config *cfg, struct berr **err)
{
	_cleanup_free_ char *config = container_config_to_json(cfg);
	int r;

	if (!config)
		return berr_set(err, ENOMEM, "out of memory");
	r = write_file_atomic_at(dirfd, "config.json", config, strlen(config), 0600, true);
	return r < 0 ? berr_sys(err, -r, "cannot write the container's config.json") : 0;
}

int container_dir_complete(int dirfd, struct berr **err)
{
	_cleanup_free_ char *text = NULL;
	struct container_state st;
	int r;

	if (container_state_init(&st) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	text = container_state_to_json(&st);
	container_state_done(&st);
	if (!text)
		return berr_set(err, ENOMEM, "out of memory");
	r = write_file_atomic_at(dirfd, "state.json", text, strlen(text), 0600, true);
	return r < 0 ? berr_sys(err, -r, "cannot write the container's state.json") : 0;
}

int container_dir_remove(struct engine *e, const char *id, struct berr **err)
{
	char tomb[CONTAINER_ID_LEN + 16];
	int r;

	if (!container_id_valid(id))
		return berr_set(err, EINVAL, "bad container id '%s'", id);
	/* out of the id's place at once: no command finds a half-removed container */
	snprintf(tomb, sizeof(tomb), ".removing-%s", id);
	if (renameat(e->containers_fd, id, e->containers_fd, tomb) < 0 && errno != ENOENT)
		return berr_sys(err, errno, "cannot remove the directory of container %.12s", id);
	if ((r = remove_tombstone(e, tomb)) < 0)
		return berr_sys(err, -r, "cannot remove the directory of container %.12s", id);
	return 0;
}
