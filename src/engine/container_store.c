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
			(void) rm_rf_at(e->containers_fd, de->d_name);
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
	if (c->dirfd >= 0)
		close(c->dirfd);
	container_config_free(c->cfg);
	container_state_done(&c->st);
	free(c->dir);
	free(c);
	return NULL;
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
		return berr_sys(err, -r, "container %.12s: cannot read state.json", c->cfg->id);
	r = container_state_from_json(buf, len, &s, err);
	if (r < 0)
		return berr_wrap(err, "container %.12s", c->cfg->id);
	container_state_done(&c->st);
	c->st = s;
	return 0;
}

int container_relock(struct container *c, struct berr **err)
{
	int fd;

	if (c->lockfd < 0) {
		fd = take_lock(c->dirfd);
		if (fd == -ENOENT)
			return berr_set(err, ENOENT, "No such container: %s", c->cfg->id);
		if (fd < 0)
			return berr_sys(err, -fd, "container %.12s: cannot lock", c->cfg->id);
		c->lockfd = fd;
	}
	return read_state(c, err);
}

static bool is_id(const char *s)
{
	size_t n = strlen(s);

	if (n != CONTAINER_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char) s[i]) || isupper((unsigned char) s[i]))
			return false;
	return true;
}

int container_load(struct engine *e, const char *id, bool lock, struct container **ret,
		   struct berr **err)
{
	_cleanup_container_ struct container *c = calloc(1, sizeof(*c));
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	if (!c)
		return -ENOMEM;
	c->dirfd = c->lockfd = -1;
	if (!is_id(id))
		return berr_set(err, ENOENT, "No such container: %s", id);
	c->dirfd = openat(e->containers_fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (c->dirfd < 0)
		return errno == ENOENT ? berr_set(err, ENOENT, "No such container: %s", id)
				       : berr_sys(err, errno, "container %s", id);
	if (asprintf(&c->dir, "%s/containers/%s", e->root, id) < 0) {
		c->dir = NULL;
		return -ENOMEM;
	}
	r = read_file_at(c->dirfd, "config.json", CONFIG_MAX, &buf, &len);
	if (r < 0)
		return r == -ENOENT ? berr_set(err, ENOENT, "No such container: %s", id)
				    : berr_sys(err, -r, "container %.12s: config.json", id);
	r = container_config_from_json(buf, len, &c->cfg, err);
	if (r < 0)
		return berr_wrap(err, "container %.12s", id);
	if (lock) {
		c->lockfd = take_lock(c->dirfd);
		if (c->lockfd == -ENOENT)
			return berr_set(err, ENOENT, "No such container: %s", id);
		if (c->lockfd < 0)
			return berr_sys(err, -c->lockfd, "container %.12s: cannot lock", id);
	}
	r = read_state(c, err);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(c);
	return 0;
}

int container_save_state(struct container *c, struct berr **err)
{
	_cleanup_free_ char *text = container_state_to_json(&c->st);
	int r;

	if (!text)
		return berr_set(err, ENOMEM, "out of memory");
	r = write_file_atomic_at(c->dirfd, "state.json", text, strlen(text), 0600, false);
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
		if (is_id(de->d_name) && strv_push_dup(&ids, de->d_name) < 0)
			return -ENOMEM;
	if (!ids && !(ids = calloc(1, sizeof(char *))))
		return -ENOMEM;
	*ret = TAKE_PTR(ids);
	return 0;
}

static bool container_exists(struct engine *e, const char *id)
{
	struct stat st;

	return is_id(id) && fstatat(e->containers_fd, id, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISDIR(st.st_mode);
}

/* The id name points at, if its container exists (malloc'd), else NULL. */
static char *name_target(struct engine *e, const char *name)
{
	char buf[CONTAINER_ID_LEN + 2];
	ssize_t n = readlinkat(e->names_fd, name, buf, sizeof(buf) - 1);

	if (n != CONTAINER_ID_LEN)
		return NULL;
	buf[n] = '\0';
	return container_exists(e, buf) ? strdup(buf) : NULL;
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
	if (is_id(ref) && container_exists(e, ref))
		return (*ret = strdup(ref)) ? 0 : -ENOMEM;
	if (container_name_valid(name) && (found = name_target(e, name))) {
		*ret = found;
		return 0;
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

/*
 * Names are reserved under names.lock: telling a stale name (its container is gone)
 * from a live one and taking it over must be one step, or two creates could both
 * take it. The container's directory exists before its name is reserved, so a name
 * whose directory is missing is stale.
 */
static int lock_names(struct engine *e)
{
	_cleanup_close_ int fd =
		openat(e->rootfd, "names.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return -errno;
	return TAKE_FD(fd);
}

int container_name_reserve(struct engine *e, const char *name, const char *id, struct berr **err)
{
	_cleanup_free_ char *owner = NULL;
	_cleanup_close_ int lock = -1;

	if (!container_name_valid(name))
		return berr_set(err, EINVAL,
				"Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are "
				"allowed",
				name);
	lock = lock_names(e);
	if (lock < 0)
		return berr_sys(err, -lock, "cannot lock the container names");
	for (int attempt = 0; attempt < 2; attempt++) {
		if (symlinkat(id, e->names_fd, name) == 0)
			return 0;
		if (errno != EEXIST)
			return berr_sys(err, errno, "cannot reserve the name '%s'", name);
		owner = name_target(e, name);
		if (owner)
			return berr_set(err, EEXIST,
					"Conflict. The container name \"/%s\" is already in use "
					"by container \"%s\". You have to remove (or rename) that "
					"container to be able to reuse that name.",
					name, owner);
		/* a stale name: its container is gone */
		(void) unlinkat(e->names_fd, name, 0);
	}
	return berr_set(err, EEXIST, "cannot reserve the name '%s'", name);
}

void container_name_release(struct engine *e, const char *name, const char *id)
{
	char buf[CONTAINER_ID_LEN + 2];
	ssize_t n;

	if (!name || !container_name_valid(name))
		return;
	n = readlinkat(e->names_fd, name, buf, sizeof(buf) - 1);
	if (n != CONTAINER_ID_LEN)
		return;
	buf[n] = '\0';
	if (strcmp(buf, id) == 0)
		(void) unlinkat(e->names_fd, name, 0);
}

char *container_name_generate(struct engine *e)
{
	static const char *const left[] = {
		"brave",  "calm",  "clever", "eager",  "gentle", "happy",   "jolly",
		"keen",	  "lucid", "merry",  "nimble", "proud",	 "quiet",   "sharp",
		"steady", "swift", "tender", "vivid",  "wise",	 "zealous",
	};
	static const char *const right[] = {
		"babbage", "curie",   "darwin",	  "euler",    "fermat",	 "galileo", "hopper",
		"hypatia", "johnson", "kepler",	  "lovelace", "meitner", "noether", "pascal",
		"ritchie", "shannon", "thompson", "turing",   "volta",	 "wozniak",
	};
	struct stat st;
	unsigned char rnd[4];
	char *name;

	for (int attempt = 0; attempt < 64; attempt++) {
		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
			return NULL;
		if (asprintf(&name, attempt < 10 ? "%s_%s" : "%s_%s%d",
			     left[rnd[0] % ELEMENTSOF(left)], right[rnd[1] % ELEMENTSOF(right)],
			     rnd[2] % 100) < 0)
			return NULL;
		if (fstatat(e->names_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return name;
		free(name);
	}
	return NULL;
}

int container_dir_create(struct engine *e, const struct container_config *cfg, int *ret_dirfd,
			 struct berr **err)
{
	_cleanup_free_ char *config = container_config_to_json(cfg);
	_cleanup_free_ char *state_text = NULL;
	struct container_state st;
	_cleanup_close_ int fd = -1;
	int r;

	if (!config)
		return berr_set(err, ENOMEM, "out of memory");
	if (mkdirat(e->containers_fd, cfg->id, 0700) < 0)
		return berr_sys(err, errno, "cannot create the container's directory");
	fd = openat(e->containers_fd, cfg->id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		r = berr_sys(err, errno, "cannot open the container's directory");
		goto out_rmdir;
	}
	r = openat(fd, "lock", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (r < 0) {
		r = berr_sys(err, errno, "cannot create the container's lock");
		goto out_rmdir;
	}
	close(r);
	if ((r = container_state_init(&st)) < 0) {
		berr_set(err, ENOMEM, "out of memory");
		goto out_rmdir;
	}
	state_text = container_state_to_json(&st);
	container_state_done(&st);
	if (!state_text) {
		r = berr_set(err, ENOMEM, "out of memory");
		goto out_rmdir;
	}
	if ((r = write_file_atomic_at(fd, "state.json", state_text, strlen(state_text), 0600,
				      false)) < 0 ||
	    (r = write_file_atomic_at(fd, "config.json", config, strlen(config), 0600, false)) <
		    0) {
		berr_sys(err, -r, "cannot write the container's files");
		goto out_rmdir;
	}
	*ret_dirfd = TAKE_FD(fd);
	return 0;
out_rmdir:
	(void) rm_rf_at(e->containers_fd, cfg->id);
	return r;
}

int container_dir_remove(struct engine *e, const char *id, struct berr **err)
{
	char tomb[CONTAINER_ID_LEN + 16];
	int r;

	if (!is_id(id))
		return berr_set(err, EINVAL, "bad container id '%s'", id);
	/* out of the id's place at once: no command finds a half-removed container */
	snprintf(tomb, sizeof(tomb), ".removing-%s", id);
	if (renameat(e->containers_fd, id, e->containers_fd, tomb) < 0 && errno != ENOENT)
		return berr_sys(err, errno, "cannot remove the directory of container %.12s", id);
	/* a process of the container that still writes there (a runtime's log) races us */
	for (int attempt = 0; (r = rm_rf_at(e->containers_fd, tomb)) == -ENOTEMPTY && attempt < 5;
	     attempt++)
		usleep(20000);
	if (r < 0)
		return berr_sys(err, -r, "cannot remove the directory of container %.12s", id);
	return 0;
}
