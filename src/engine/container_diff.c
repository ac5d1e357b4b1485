/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/container_diff.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "image/snapshot.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

#define DIFF_MAX_DEPTH 64

struct walk {
	char **lowers;
	char **out;
	int r;
};

/* The engine's bind mount targets: made by the runtime in the upper dir, not by the user. */
static const char *const mount_targets[] = {"/etc/hostname", "/etc/hosts", "/etc/resolv.conf"};

static bool is_mount_target(const char *rel)
{
	for (size_t i = 0; i < ELEMENTSOF(mount_targets); i++)
		if (strcmp(rel, mount_targets[i]) == 0)
			return true;
	return false;
}

static bool in_lowers(char *const *lowers, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	STRV_FOREACH (l, lowers) {
		if (snprintf(p, sizeof(p), "%s%s", *l, rel) >= (int) sizeof(p))
			continue;
		if (lstat(p, &st) == 0)
			return true;
	}
	return false;
}

static void add(struct walk *w, char kind, const char *rel)
{
	char *line;

	if (w->r < 0)
		return;
	if (asprintf(&line, "%c %s", kind, rel) < 0 || strv_consume(&w->out, line) < 0)
		w->r = -ENOMEM;
}

/* Walk parent (the upper dir at rel) without following a symlink. */
static void walk_dir(struct walk *w, int parent, const char *rel, int depth)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd = openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)) && w->r >= 0) {
		char path[PATH_MAX];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", strcmp(rel, "/") ? rel : "",
			     de->d_name) >= (int) sizeof(path))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    (is_mount_target(path) && S_ISREG(st.st_mode) && st.st_size == 0))
			continue;
		if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
			add(w, 'D', path);
			continue;
		}
		if (S_ISDIR(st.st_mode) && in_lowers(w->lowers, path)) {
			/* a directory copied up: changed when something inside it changed */
			size_t before = strv_length(w->out);
			_cleanup_close_ int sub = -1;

			add(w, 'C', path);
			sub = openat(dirfd(d), de->d_name,
				     O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
			if (sub >= 0 && depth < DIFF_MAX_DEPTH)
				walk_dir(w, sub, path, depth + 1);
			if (w->r >= 0 && strv_length(w->out) == before + 1) {
				free(w->out[before]);
				w->out[before] = NULL;
			}
			continue;
		}
		add(w, in_lowers(w->lowers, path) ? 'C' : 'A', path);
		if (S_ISDIR(st.st_mode) && depth < DIFF_MAX_DEPTH) {
			_cleanup_close_ int sub =
				openat(dirfd(d), de->d_name,
				       O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

			if (sub >= 0)
				walk_dir(w, sub, path, depth + 1);
		}
	}
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *) a + 2, *(char *const *) b + 2);
}

static int image_lowers(struct image_store *s, const char *id, char ***ret, struct berr **err)
{
	_cleanup_image_list_ struct image_list *l = NULL;
	_cleanup_image_ struct image *img = NULL;
	_cleanup_free_ char *image_id = NULL;
	int i, r;

	if ((r = image_snapshot_image(s, id, &image_id, err)) < 0 ||
	    (r = image_list_load(s, &l, err)) < 0)
		return r;
	i = image_list_find_id(l, image_id);
	if (i < 0)
		return berr_set(err, ENOENT, "the container's image %s is gone", image_id);
	if ((r = image_load(s, &l->v[i], &img, err)) < 0)
		return r;
	return image_lowerdirs(s, img, ret, err);
}

int container_diff(struct image_store *s, const char *id, char ***ret, struct berr **err)
{
	char upper[PATH_MAX];
	_cleanup_close_ int fd = -1;
	struct walk w = {0};
	int r;

	if ((r = image_snapshot_upper(s, id, upper, sizeof(upper))) < 0)
		return berr_sys(err, -r, "container %.12s: no writable layer", id);
	if ((r = image_lowers(s, id, &w.lowers, err)) < 0)
		return r;
	fd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		strv_free(w.lowers);
		return berr_sys(err, errno, "cannot open '%s'", upper);
	}
	walk_dir(&w, fd, "/", 0);
	strv_free(w.lowers);
	if (w.r < 0) {
		strv_free(w.out);
		return berr_set(err, ENOMEM, "out of memory");
	}
	if (w.out)
		qsort(w.out, strv_length(w.out), sizeof(char *), cmp_path);
	else if (!(w.out = calloc(1, sizeof(char *))))
		return -ENOMEM;
	*ret = w.out;
	return 0;
}
