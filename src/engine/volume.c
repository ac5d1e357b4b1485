/* SPDX-License-Identifier: Apache-2.0 */
/* The volume store: volumes/<name>/{_data,volume.json} and volumes.lock (volume.h). */
#include "engine/volume.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/timefmt.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/rmtree.h"
#include "lib/strv.h"
#include "lib/tree_size.h"

#define META_MAX (1 << 20)

int volume_lock(struct engine *e, int how, struct berr **err)
{
	_cleanup_close_ int fd =
		openat(e->rootfd, "volumes.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return berr_sys(err, errno, "cannot open '%s/volumes.lock'", e->root);
	while (flock(fd, how) < 0)
		if (errno != EINTR)
			return berr_sys(err, errno, "cannot lock '%s/volumes.lock'", e->root);
	return TAKE_FD(fd);
}

static int open_volumes(struct engine *e, struct berr **err)
{
	int fd = openat(e->rootfd, "volumes", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

	return fd < 0 ? berr_sys(err, errno, "cannot open '%s/volumes'", e->root) : fd;
}

static int write_meta(int dirfd, const char *driver, char *const *labels, char *const *opts,
		      bool implicit)
{
	_cleanup_jw_ struct jwriter *w = jw_object();
	_cleanup_free_ char *text = NULL;
	char now[64];

	rfc3339_ns(now_ns(), now, sizeof(now));
	strcpy(now + 19, "Z"); /* docker's CreatedAt: seconds */
	jw_str(w, "Driver", driver);
	jw_str(w, "CreatedAt", now);
	jw_str(w, "Scope", "local");
	if (!implicit) {
		jw_put(w, "Labels", jw_kv_object(labels));
		jw_put(w, "Options", jw_kv_object(opts));
	}
	if (!(text = jw_to_string(w, true)))
		return -ENOMEM;
	return write_file_atomic_at(dirfd, "volume.json", text, strlen(text), 0600, true);
}

/* volumes/<name> and its _data; a new one gets its volume.json. 1: it was there. */
static int make_volume(struct engine *e, const char *name, const char *driver, char *const *labels,
		       char *const *opts, bool implicit, struct berr **err)
{
	_cleanup_close_ int vfd = open_volumes(e, err), dfd = -1;
	int r;

	if (vfd < 0)
		return vfd;
	if (mkdirat(vfd, name, 0755) < 0) {
		if (errno != EEXIST)
			return berr_sys(err, errno, "cannot create volume '%s'", name);
		dfd = openat(vfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (dfd < 0)
			return berr_sys(err, errno, "cannot open volume '%s'", name);
		if (mkdirat(dfd, "_data", 0755) < 0 && errno != EEXIST)
			return berr_sys(err, errno, "cannot create volume '%s'", name);
		return 1;
	}
	/* volume.json first: a volume is listed once _data is there, with what it was given */
	dfd = openat(vfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0) {
		r = berr_sys(err, errno, "cannot open volume '%s'", name);
		goto out_remove;
	}
	if ((r = write_meta(dfd, driver, labels, opts, implicit)) < 0) {
		berr_sys(err, -r, "cannot write volume '%s''s volume.json", name);
		goto out_remove;
	}
	if (mkdirat(dfd, "_data", 0755) < 0) {
		r = berr_sys(err, errno, "cannot create volume '%s'", name);
		goto out_remove;
	}
	return 0;
out_remove:
	(void) rm_rf_at(vfd, name);
	return r;
}

int volume_ensure(struct engine *e, const char *name, struct berr **err)
{
	int r = make_volume(e, name, "local", NULL, NULL, true, err);

	return r < 0 ? r : 0;
}

static int new_name(char **ret)
{
	char id[CONTAINER_ID_LEN + 1];
	int r = container_new_id(id);

	if (r < 0)
		return r;
	*ret = strdup(id);
	return *ret ? 0 : -ENOMEM;
}

int volume_create(struct engine *e, const char *name, const char *driver, char *const *labels,
		  char *const *opts, char **ret_name, struct berr **err)
{
	_cleanup_free_ char *n = NULL;
	_cleanup_close_ int lock = -1;
	int r;

	if (!driver || !*driver)
		driver = "local";
	if (name && !volume_name_valid(name))
		return berr_set(err, EINVAL,
				"create %s: \"%s\" includes invalid characters for a local volume "
				"name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you "
				"intended to pass a host directory, use absolute path",
				name, name);
	if (strcmp(driver, "local") != 0)
		return berr_set(err, ENOENT,
				"create %s: error looking up volume plugin %s: plugin \"%s\" not "
				"found",
				name ? name : "", driver, driver);
	if ((r = volume_opts_check(opts, err)) < 0)
		return berr_wrap(err, "create %s", name ? name : "");
	if (name ? !(n = strdup(name)) : new_name(&n) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	if ((lock = volume_lock(e, LOCK_EX, err)) < 0)
		return lock;
	if ((r = make_volume(e, n, driver, labels ? labels : (char *const[]){NULL},
			     opts ? opts : (char *const[]){NULL}, false, err)) < 0)
		return r;
	*ret_name = TAKE_PTR(n);
	return 0;
}

static int kv_member(const struct jnode *child, void *userdata, struct berr **err)
{
	char ***v = userdata;
	_cleanup_free_ char *val = NULL, *kv = NULL;
	int r;

	if ((r = jnode_string(child, &val, err)) < 0)
		return r;
	if (asprintf(&kv, "%s=%s", child->key, val) < 0)
		return -ENOMEM;
	return strv_consume(v, TAKE_PTR(kv));
}

static int kv_strv(const struct jnode *obj, char ***ret, struct berr **err)
{
	_cleanup_strv_ char **v = calloc(1, sizeof(char *));
	int r;

	*ret = NULL;
	if (!jnode_present(obj))
		return 0;
	if (!v)
		return -ENOMEM;
	if ((r = jnode_foreach_member(obj, kv_member, &v, err)) < 0)
		return r;
	*ret = TAKE_PTR(v);
	return 0;
}

static int read_meta(int dfd, struct volume *v, struct berr **err)
{
	_cleanup_(jdoc_freep) struct jdoc *doc = NULL;
	_cleanup_free_ char *text = NULL;
	struct jnode root, m;
	size_t len;
	int r = read_file_at(dfd, "volume.json", META_MAX, &text, &len);

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return berr_sys(err, -r, "cannot read volume '%s''s volume.json", v->name);
	if ((r = jdoc_parse(text, len, "volume.json", &doc, err)) < 0)
		return berr_wrap(err, "volume '%s'", v->name);
	jdoc_root(doc, &root);
	free(v->driver);
	free(v->created_at);
	v->driver = v->created_at = NULL;
	if ((r = jnode_get_string(&root, "Driver", &v->driver, err)) < 0 ||
	    (r = jnode_get_string(&root, "CreatedAt", &v->created_at, err)) < 0)
		return berr_wrap(err, "volume '%s'", v->name);
	jnode_member(&root, "Labels", &m);
	if ((r = kv_strv(&m, &v->labels, err)) < 0)
		return r;
	jnode_member(&root, "Options", &m);
	return kv_strv(&m, &v->options, err);
}

/* Fill v for volumes/<name> (vfd): volume.json, else the defaults and _data's mtime. */
static int load_at(struct engine *e, int vfd, const char *name, struct volume *v, struct berr **err)
{
	_cleanup_close_ int dfd =
		openat(vfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	char ts[64];
	int r;

	*v = (struct volume){0};
	if (dfd < 0 || fstatat(dfd, "_data", &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
		return berr_set(err, ENOENT, "No such volume: %s", name);
	rfc3339_ns((int64_t) st.st_mtim.tv_sec * 1000000000, ts, sizeof(ts));
	strcpy(ts + 19, "Z");
	if (!(v->name = strdup(name)) || !(v->driver = strdup("local")) ||
	    !(v->created_at = strdup(ts)) ||
	    asprintf(&v->mountpoint, "%s/volumes/%s/_data", e->root, name) < 0) {
		v->mountpoint = NULL;
		volume_done(v);
		return -ENOMEM;
	}
	if ((r = read_meta(dfd, v, err)) < 0)
		volume_done(v);
	return r;
}

int volume_load(struct engine *e, const char *name, struct volume *ret, struct berr **err)
{
	_cleanup_close_ int vfd = -1;

	if (!volume_name_valid(name))
		return berr_set(err, ENOENT, "No such volume: %s", name);
	if ((vfd = open_volumes(e, err)) < 0)
		return vfd;
	return load_at(e, vfd, name, ret, err);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct volume *) a)->name, ((const struct volume *) b)->name);
}

int volume_list(struct engine *e, struct volume_list *ret, struct berr **err)
{
	struct volume_list l = {0};
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int vfd = open_volumes(e, err), r = 0;

	if (vfd < 0)
		return vfd;
	if (!(d = fdopendir(vfd))) {
		close(vfd);
		return berr_sys(err, errno, "cannot read '%s/volumes'", e->root);
	}
	while (r >= 0 && (de = readdir(d))) {
		struct volume *n;

		if (!volume_name_valid(de->d_name))
			continue;
		if (!(n = realloc(l.v, (l.n + 1) * sizeof(*n)))) {
			r = -ENOMEM;
			break;
		}
		l.v = n;
		r = load_at(e, dirfd(d), de->d_name, &l.v[l.n], err);
		if (r == -ENOENT) { /* a directory without _data: a remove that was killed */
			berr_clear(err);
			r = 0;
		} else if (r >= 0) {
			l.n++;
		}
	}
	if (r < 0) {
		volume_list_done(&l);
		return r == -ENOMEM ? berr_set(err, ENOMEM, "out of memory") : r;
	}
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), by_name);
	*ret = l;
	return 0;
}

int volume_users(struct engine *e, const char *name, char ***ret)
{
	_cleanup_strv_ char **ids = NULL, **users = NULL;
	int r = container_list_ids(e, &ids);

	if (r < 0)
		return r;
	STRV_FOREACH (id, ids) {
		_cleanup_container_ struct container *c = NULL;

		if (container_load_any(e, *id, false, &c, NULL) < 0 || !c->cfg)
			continue;
		for (size_t i = 0; i < c->cfg->n_mounts; i++) {
			const struct ctr_mount *m = &c->cfg->mounts[i];

			if (m->kind == MOUNT_VOLUME && m->source && strcmp(m->source, name) == 0) {
				if (strv_push_dup(&users, *id) < 0)
					return -ENOMEM;
				break;
			}
		}
	}
	*ret = TAKE_PTR(users);
	return 0;
}

int volume_matches(struct engine *e, const struct volume_filter *f, const struct volume *v)
{
	_cleanup_strv_ char **users = NULL;
	int r;

	if (f->dangling >= 0 && (r = volume_users(e, v->name, &users)) < 0)
		return r;
	return volume_filter_match(f, v, users != NULL);
}

/* With volumes.lock held. */
static int remove_locked(struct engine *e, int vfd, const char *name, struct berr **err)
{
	_cleanup_strv_ char **users = NULL;
	_cleanup_free_ char *list = NULL;
	char tomb[CONTAINER_ID_LEN + 8] = ".rm-";
	int r;

	if ((r = volume_users(e, name, &users)) < 0)
		return berr_sys(err, -r, "remove %s: cannot list the containers", name);
	if (users) {
		if (!(list = strv_join(users, ", ")))
			return -ENOMEM;
		return berr_set(err, EBUSY, "remove %s: volume is in use - [%s]", name, list);
	}
	/* renamed first: a kill in the middle leaves no half volume in ls (no _data) */
	if ((r = container_new_id(tomb + 4)) < 0)
		return berr_sys(err, -r, "remove %s", name);
	if (renameat(vfd, name, vfd, tomb) < 0)
		return berr_sys(err, errno, "remove %s", name);
	if ((r = rm_rf_at(vfd, tomb)) < 0)
		return berr_sys(err, -r, "remove %s: cannot remove its files", name);
	return 0;
}

int volume_remove(struct engine *e, const char *name, bool force, struct berr **err)
{
	_cleanup_close_ int lock = -1, vfd = -1;
	struct volume v;
	int r;

	if ((lock = volume_lock(e, LOCK_EX, err)) < 0)
		return lock;
	if ((r = volume_load(e, name, &v, err)) < 0) {
		if (r == -ENOENT && force) {
			berr_clear(err);
			return 0;
		}
		return r;
	}
	volume_done(&v);
	if ((vfd = open_volumes(e, err)) < 0)
		return vfd;
	return remove_locked(e, vfd, name, err);
}

static int prune_one(struct engine *e, int vfd, const struct volume *v, char ***names,
		     uint64_t *bytes, struct berr **err)
{
	_cleanup_strv_ char **users = NULL;
	_cleanup_close_ int dfd = -1;
	struct stat st;
	uint64_t size = 0;
	int r;

	if ((r = volume_users(e, v->name, &users)) < 0)
		return berr_sys(err, -r, "cannot list the containers");
	if (users)
		return 0;
	if (fstatat(vfd, v->name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (dfd = openat(vfd, v->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)) >= 0)
		size = tree_size(dfd, "_data");
	if ((r = remove_locked(e, vfd, v->name, err)) < 0)
		return r;
	*bytes += size;
	return strv_push_dup(names, v->name) < 0 ? berr_set(err, ENOMEM, "out of memory") : 0;
}

/* What removes killed in the middle left (volume.lock held). */
static void remove_tombstones(int vfd)
{
	_cleanup_closedir_ DIR *d = NULL;
	int fd = fcntl(vfd, F_DUPFD_CLOEXEC, 3);
	struct dirent *de;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (strncmp(de->d_name, ".rm-", 4) == 0)
			(void) rm_rf_at(vfd, de->d_name);
}

int volume_prune(struct engine *e, const struct volume_filter *f, char ***ret_names,
		 uint64_t *ret_bytes, struct berr **err)
{
	_cleanup_(volume_list_done) struct volume_list l = {0};
	_cleanup_close_ int lock = -1, vfd = -1;
	_cleanup_strv_ char **names = NULL;
	uint64_t bytes = 0;
	int r = 0;

	if ((lock = volume_lock(e, LOCK_EX, err)) < 0)
		return lock;
	if ((r = volume_list(e, &l, err)) < 0 || (vfd = r = open_volumes(e, err)) < 0)
		return r;
	remove_tombstones(vfd);
	for (size_t i = 0; r >= 0 && i < l.n; i++)
		if (volume_filter_match(f, &l.v[i], false))
			r = prune_one(e, vfd, &l.v[i], &names, &bytes, err);
	*ret_names = TAKE_PTR(names);
	*ret_bytes = bytes;
	return r < 0 ? r : 0;
}

int volume_mount_source(struct engine *e, const char *name, enum volume_mount_kind *ret_kind,
			char **ret_arg, struct berr **err)
{
	_cleanup_free_ char *data = NULL;
	struct volume v;
	struct stat st;
	int r;

	if (asprintf(&data, "%s/volumes/%s/_data", e->root, name) < 0)
		return -ENOMEM;
	if ((r = volume_load(e, name, &v, err)) < 0) {
		if (r != -ENOENT)
			return r;
		berr_clear(
			err); /* gone since create: _data, and the runtime says what is missing */
		*ret_kind = VOLUME_MOUNT_DATA;
		*ret_arg = TAKE_PTR(data);
		return 0;
	}
	r = volume_mount_plan(v.options, ret_kind, ret_arg, err);
	volume_done(&v);
	if (r < 0)
		return r == -ENOMEM ? r : berr_wrap(err, "volume '%s'", name);
	if (*ret_kind == VOLUME_MOUNT_DATA) {
		*ret_arg = TAKE_PTR(data);
		return 0;
	}
	if (*ret_kind == VOLUME_MOUNT_BIND && stat(*ret_arg, &st) < 0) {
		r = berr_sys(err, errno,
			     "error while mounting volume '%s': failed to mount local volume: "
			     "mount %s:%s, flags: 0x1000",
			     data, *ret_arg, data);
		free(*ret_arg);
		*ret_arg = NULL;
		return r;
	}
	return 0;
}
