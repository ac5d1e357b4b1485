/* SPDX-License-Identifier: Apache-2.0 */
/*
 * COPY and ADD. The sources are staged first in the build's private directory
 * (tmp/build-XXXXXX/s<step>/root, laid out as the image's "/"), read from the context or
 * (--from) from a stage's or image's read-only overlay mounted in a child's private mount
 * namespace; every path in a source tree is resolved inside it (container_cp_out). The
 * staged tree is then copied into a snapshot of the image so far (container_cp_stopped,
 * keeping the staged owners), and the snapshot's upper dir is the new layer: OverlayFS
 * copies up the existing parents, so their owners and modes stay the image's.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "build/build_cache.h"
#include "build/build_srchash.h"
#include "build/builder.h"
#include "build/history.h"
#include "lib/sbuf.h"
#include "engine/container_cp.h"
#include "image/snapshot.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/safe_path.h"
#include "lib/strv.h"

#define CHOWN_MAX_DEPTH 128

struct copy {
	struct builder *b;
	bool add;
	char **srcs;	  /* as written (expanded) */
	char *dest;	  /* absolute */
	char *dest_arg;	  /* as written */
	bool dest_dir;	  /* dest is (or must be) a directory */
	bool dest_slash;  /* dest ends with '/' */
	const char *from; /* --from, or NULL */
	uid_t uid;	  /* --chown */
	gid_t gid;
	bool chown;
	mode_t mode; /* --chmod */
	bool chmod;
	char stage[PATH_MAX]; /* <store>/tmp/build-X/s<N> */
	char root[PATH_MAX];  /* <stage>/root */
	char *src_root;	      /* the path sources are read under */
};

static int parse_chown(struct copy *c, const char *v, struct berr **err)
{
	int r = build_chown_ids(c->b, v, &c->uid, &c->gid, err);

	c->chown = r >= 0;
	return r;
}

/* --chmod=MODE: octal only, as BuildKit and buildah take it. */
static int parse_chmod(struct copy *c, const char *v, struct berr **err)
{
	char *end;
	unsigned long m;

	errno = 0;
	m = strtoul(v, &end, 8);
	if (!*v || *end || errno || m > 07777)
		return berr_set(err, EINVAL, "--chmod '%s': want an octal mode", v);
	c->mode = (mode_t) m;
	c->chmod = true;
	return 0;
}

static int parse_flags(struct copy *c, const struct df_instr *in, struct berr **err)
{
	STRV_FOREACH (f, in->flags) {
		int r = 0;

		if (!strncmp(*f, "--from=", 7) && !c->add)
			c->from = *f + 7;
		else if (!strncmp(*f, "--chown=", 8))
			r = parse_chown(c, *f + 8, err);
		else if (!strncmp(*f, "--chmod=", 8))
			r = parse_chmod(c, *f + 8, err);
		else
			return berr_set(err, EINVAL, "unknown flag: %s", *f);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_args(struct copy *c, const struct df_instr *in, struct berr **err)
{
	_cleanup_strv_ char **vars = builder_vars(c->b), **w = NULL;
	const char *wd = c->b->rc.working_dir && *c->b->rc.working_dir ? c->b->rc.working_dir : "/";
	size_t n;
	int r;

	if (!vars)
		return -ENOMEM;
	r = in->json ? ((w = strv_copy(in->json)) ? 0 : -ENOMEM)
		     : lex_words(in->rest, c->b->df->escape, vars, true, &w, err);
	if (r < 0)
		return r;
	n = strv_length(w);
	if (n < 2)
		return berr_set(err, EINVAL, "%s requires at least two arguments", in->cmd);
	if (!(c->dest_arg = strdup(w[n - 1])))
		return -ENOMEM;
	c->dest_slash = w[n - 1][strlen(w[n - 1]) - 1] == '/';
	c->dest_dir = c->dest_slash;
	if (w[n - 1][0] == '/')
		c->dest = strdup(w[n - 1]);
	else if (asprintf(&c->dest, "%s/%s", wd, w[n - 1]) < 0)
		c->dest = NULL;
	free(w[n - 1]);
	w[n - 1] = NULL;
	c->srcs = TAKE_PTR(w);
	return c->dest ? 0 : -ENOMEM;
}

/* Is path a directory in the image so far? (its topmost layer that has it says) */
static bool dest_is_dir(struct builder *b, const char *path)
{
	_cleanup_strv_ char **lowers = NULL;
	struct stat st;

	if (!b->cur || image_lowerdirs(b->s, b->cur, &lowers, NULL) < 0)
		return false;
	STRV_FOREACH (l, lowers) {
		_cleanup_close_ int root = open(*l, O_PATH | O_DIRECTORY | O_CLOEXEC), fd = -1;

		if (root < 0)
			continue;
		fd = safe_open_in_root(root, path, O_PATH, 0);
		if (fd >= 0 && fstat(fd, &st) == 0)
			return S_ISDIR(st.st_mode);
	}
	return false;
}

static int staged_path(struct copy *c, const char *path, char *buf, size_t size)
{
	if (snprintf(buf, size, "%s%s", c->root, path) >= (int) size)
		return -ENAMETOOLONG;
	return 0;
}

static int mkdir_staged(struct copy *c, const char *path)
{
	_cleanup_close_ int rootfd = open(c->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd = -1;

	if (rootfd < 0)
		return -errno;
	fd = safe_mkdir_p_in_root(rootfd, path, 0755);
	return fd < 0 ? fd : 0;
}

/* An archive ADD unpacks: a tar, maybe compressed (docker's rule). */
static struct archive *open_archive(int fd)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;

	if (!a)
		return NULL;
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	archive_read_free(a);
	if (lseek(fd, 0, SEEK_SET) < 0 || !(a = archive_read_new()))
		return NULL;
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* Unpack a into the current directory (this is the staging child), contained. */
static int extract(struct archive *a, const char *src, struct berr **err)
{
	struct archive *w = archive_write_disk_new();
	struct archive_entry *e;
	int r = 0, s;

	if (!w)
		return -ENOMEM;
	archive_write_disk_set_options(
		w, ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
			   ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS | ARCHIVE_EXTRACT_PERM |
			   ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_UNLINK);
	while ((s = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		if (archive_write_header(w, e) != ARCHIVE_OK ||
		    archive_write_data_block(w, NULL, 0, 0) < ARCHIVE_WARN) {
			r = berr_set(err, EIO, "cannot unpack '%s': %s", src,
				     archive_error_string(w));
			break;
		}
		if (archive_entry_size(e) > 0) {
			const void *buf;
			size_t len;
			la_int64_t off;

			while ((s = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK)
				if (archive_write_data_block(w, buf, len, off) != ARCHIVE_OK)
					break;
		}
		if (archive_write_finish_entry(w) < ARCHIVE_WARN) {
			r = berr_set(err, EIO, "cannot unpack '%s': %s", src,
				     archive_error_string(w));
			break;
		}
	}
	if (r >= 0 && s != ARCHIVE_EOF)
		r = berr_set(err, EIO, "cannot read '%s': %s", src, archive_error_string(a));
	archive_write_free(w);
	return r;
}

/* ADD of a local tar: unpacked into dest. 1 when src was one, 0 when it is a plain file. */
static int add_archive(struct copy *c, int rootfd, const char *rel, struct berr **err)
{
	_cleanup_close_ int fd = safe_open_in_root(rootfd, rel, O_RDONLY | O_NONBLOCK, 0), cwd = -1;
	char dir[PATH_MAX];
	struct archive *a;
	struct stat st;
	int r;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	a = open_archive(fd);
	if (!a)
		return 0;
	r = mkdir_staged(c, c->dest);
	if (r >= 0)
		r = staged_path(c, c->dest, dir, sizeof(dir));
	if (r >= 0 && (cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		r = -errno;
	if (r >= 0 && chdir(dir) < 0)
		r = -errno;
	if (r < 0)
		r = berr_sys(err, -r, "cannot stage '%s'", c->dest);
	else
		r = extract(a, rel, err);
	/* the staging child's relative paths (a relative --root) hold again */
	if (cwd >= 0 && fchdir(cwd) < 0 && r >= 0)
		r = berr_sys(err, errno, "cannot return from '%s'", dir);
	archive_read_free(a);
	return r < 0 ? r : 1;
}

static int copy_dir_contents(struct copy *c, int rootfd, int srcfd, const char *rel,
			     const char *dst, struct berr **err)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd = openat(srcfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return berr_sys(err, errno, "cannot list '%s'", rel);
	}
	(void) c;
	while ((de = readdir(d)) && r >= 0) {
		_cleanup_free_ char *p = NULL;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (asprintf(&p, "%s/%s", rel, de->d_name) < 0)
			return -ENOMEM;
		r = container_cp_out(rootfd, p, dst, err);
	}
	return r;
}

/* Stage one source (rel: its path under the source root rootfd). */
static int stage_one(struct copy *c, int rootfd, const char *rel, struct berr **err)
{
	_cleanup_close_ int fd = safe_open_in_root(rootfd, rel, O_PATH, 0);
	_cleanup_free_ char *dir = NULL;
	char dst[PATH_MAX];
	struct stat st;
	int r;

	if (fd < 0 || fstat(fd, &st) < 0)
		return berr_set(err, ENOENT,
				"file not found in build context: stat %s: file does not exist",
				rel);
	if (c->add && S_ISREG(st.st_mode) && (r = add_archive(c, rootfd, rel, err)) != 0)
		return r;
	if (S_ISDIR(st.st_mode) || c->dest_dir)
		dir = strdup(c->dest);
	else
		dir = strndup(c->dest, (size_t) (strrchr(c->dest, '/') - c->dest));
	if (!dir)
		return -ENOMEM;
	if ((r = mkdir_staged(c, *dir ? dir : "/")) < 0 ||
	    (r = staged_path(c, S_ISDIR(st.st_mode) || c->dest_dir ? dir : c->dest, dst,
			     sizeof(dst))) < 0)
		return berr_sys(err, -r, "cannot stage '%s'", c->dest);
	if (S_ISDIR(st.st_mode)) {
		_cleanup_close_ int dfd = safe_open_in_root(rootfd, rel, O_RDONLY | O_DIRECTORY, 0);

		if (dfd < 0)
			return berr_sys(err, -dfd, "cannot open '%s'", rel);
		return copy_dir_contents(c, rootfd, dfd, rel, dst, err);
	}
	return container_cp_out(rootfd, rel, dst, err);
}

/* The sources that src names: itself, or what its pattern matches (relative paths). */
static int expand_glob(struct copy *c, const char *src, char ***ret, struct berr **err)
{
	_cleanup_free_ char *pattern = NULL;
	size_t prefix = strlen(c->src_root) + 1;
	glob_t g = {0};
	int r = 0;

	if (!strpbrk(src, "*?["))
		return strv_push_dup(ret, src);
	if (asprintf(&pattern, "%s/%s", c->src_root, src) < 0)
		return -ENOMEM;
	if (glob(pattern, 0, NULL, &g) != 0) {
		globfree(&g);
		return berr_set(err, ENOENT, "no source files were specified by '%s'", src);
	}
	for (size_t i = 0; i < g.gl_pathc && r >= 0; i++)
		r = strv_push_dup(ret, g.gl_pathv[i] + prefix);
	globfree(&g);
	return r;
}

/* docker's hash of the sources (build_srchash.c), left in <stage>/srchash for the parent. */
static int save_source_hash(struct copy *c, int rootfd, char *const *rels, struct berr **err)
{
	_cleanup_free_ char *hash = NULL;
	_cleanup_close_ int fd = -1;
	char path[PATH_MAX];
	int r = build_source_hash(rootfd, rels, !c->from, &hash);

	if (r < 0)
		return berr_sys(err, -r, "cannot hash the sources of %s", c->add ? "ADD" : "COPY");
	if (snprintf(path, sizeof(path), "%s/srchash", c->stage) >= (int) sizeof(path))
		return berr_set(err, ENAMETOOLONG, "the store path is too long");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, hash, strlen(hash)) < 0)
		return berr_sys(err, errno, "cannot write '%s'", path);
	return 0;
}

static int stage_all(struct copy *c, struct berr **err)
{
	_cleanup_strv_ char **rels = NULL;
	_cleanup_close_ int rootfd = -1;
	int r = 0;

	STRV_FOREACH (s, c->srcs)
		if (r >= 0)
			r = expand_glob(c, *s, &rels, err);
	if (r < 0)
		return r;
	if (strv_length(rels) > 1 && !c->dest_slash)
		return berr_set(err, EINVAL,
				"When using COPY with more than one source file, the destination "
				"must be a directory and end with a /");
	rootfd = open(c->src_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return berr_sys(err, errno, "cannot open '%s'", c->src_root);
	STRV_FOREACH (s, rels)
		if (r >= 0)
			r = stage_one(c, rootfd, *s, err);
	return r < 0 ? r : save_source_hash(c, rootfd, rels, err);
}

/* In the staging child: mount the --from image (in a private mount namespace) first. */
static int stage_child(struct copy *c, const char *from_image, struct berr **err)
{
	int r;

	if (from_image) {
		if (unshare(CLONE_NEWNS) < 0)
			return berr_sys(err, errno, "cannot make a mount namespace");
		if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
			return berr_sys(err, errno, "cannot make the mount namespace private");
		r = image_mount_readonly(c->b->s, from_image, c->src_root, err);
		if (r < 0)
			return r;
	}
	return stage_all(c, err);
}

/* Run stage_child in a child process (it may chdir and mount); its error comes back. */
static int stage(struct copy *c, const char *from_image, struct berr **err)
{
	char buf[4096];
	size_t len = 0;
	ssize_t n;
	int p[2], status = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return berr_sys(err, errno, "pipe");
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return berr_sys(err, errno, "fork");
	}
	if (pid == 0) {
		struct berr *e = NULL;
		int r = stage_child(c, from_image, &e);

		if (r < 0) {
			if (!e)
				berr_set(&e, -r, "%s", strerror(-r));
			(void) write_all(p[1], buf, berr_encode(e, buf, sizeof(buf)));
		}
		_exit(r < 0 ? 1 : 0);
	}
	close(p[1]);
	while (len < sizeof(buf) && (n = read(p[0], buf + len, sizeof(buf) - len)) != 0)
		if (n > 0)
			len += (size_t) n;
		else if (errno != EINTR)
			break;
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return berr_sys(err, errno, "waitpid");
	if (len > 0)
		return berr_decode(buf, len, err);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return berr_set(err, EIO, "the staging process failed");
	return 0;
}

/* --chown and --chmod, recursively (no symlink followed) on what was staged at name. */
static int own_tree(int dfd, const char *name, const struct copy *c, int depth)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	struct stat st;
	int fd, r = 0;

	if (depth > CHOWN_MAX_DEPTH)
		return -ELOOP;
	if (c->chown && fchownat(dfd, name, c->uid, c->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	/* after the chown, which clears set-id bits */
	/* a directory destination keeps its mode, what is copied into it gets the new one */
	if (c->chmod && !S_ISLNK(st.st_mode) && !(depth == 0 && S_ISDIR(st.st_mode)) &&
	    fchmodat(dfd, name, c->mode, 0) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return 0;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while ((de = readdir(d)) && r >= 0)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			r = own_tree(dirfd(d), de->d_name, c, depth + 1);
	return r;
}

/* The staged tree root into a snapshot of the image so far; its upper dir the new layer. */
static int apply(struct builder *b, const char *stage_dir, const char *root, const char *created_by,
		 struct berr **err)
{
	_cleanup_close_ int upperfd = -1;
	char key[64], mnt[PATH_MAX], upper[PATH_MAX];
	unsigned long long rnd = 0;
	int r;

	if (!b->cur || !b->cur->config->n_diff_ids) {
		upperfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (upperfd < 0)
			return berr_sys(err, errno, "cannot open '%s'", root);
		return builder_commit(b, upperfd, NULL, created_by, err);
	}
	(void) getrandom(&rnd, sizeof(rnd), 0);
	snprintf(key, sizeof(key), "build-%016llx", rnd);
	if (snprintf(mnt, sizeof(mnt), "%s/mnt", stage_dir) >= (int) sizeof(mnt))
		return berr_set(err, ENAMETOOLONG, "the store path is too long");
	if (mkdir(mnt, 0700) < 0)
		return berr_sys(err, errno, "cannot create '%s'", mnt);
	r = image_snapshot_create(b->s, key, b->cur, err);
	if (r < 0)
		return r;
	r = container_cp_stopped(b->s, key, mnt, CP_IN_STAGED, root, "/", NULL, err);
	if (r >= 0 && (r = image_snapshot_upper(b->s, key, upper, sizeof(upper))) < 0)
		r = berr_sys(err, -r, "snapshot '%s'", key);
	if (r >= 0 && (upperfd = open(upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		r = berr_sys(err, errno, "cannot open '%s'", upper);
	if (r >= 0)
		r = builder_commit(b, upperfd, NULL, created_by, err);
	(void) image_snapshot_remove(b->s, key, NULL);
	return r;
}

/* Where sources are read: the context, or (--from) a mount point of the stage's image. */
static int source_root(struct copy *c, const char **ret_image, struct berr **err)
{
	char *end;
	long idx;
	int i = -1;

	*ret_image = NULL;
	if (!c->from)
		return (c->src_root = strdup(c->b->context ? c->b->context : c->b->o->context))
			       ? 0
			       : -ENOMEM;
	if (asprintf(&c->src_root, "%s/from", c->stage) < 0 || mkdir(c->src_root, 0700) < 0)
		return berr_sys(err, errno, "cannot create the mount point for --from");
	for (size_t s = 0; s < c->b->n_stages - 1; s++)
		if (c->b->stages[s].name && !strcasecmp(c->b->stages[s].name, c->from))
			i = (int) s;
	idx = strtol(c->from, &end, 10);
	if (i < 0 && !*end && end != c->from && idx >= 0 && (size_t) idx < c->b->n_stages - 1)
		i = (int) idx;
	if (i >= 0 && !c->b->stages[i].image_id)
		return berr_set(err, EINVAL, "stage '%s' has no files (FROM scratch)", c->from);
	*ret_image = i >= 0 ? c->b->stages[i].image_id : c->from;
	return 0;
}

/* A new staging directory of the step: <store>/tmp/build-X/s<N> and its root/. */
static int make_stage(struct builder *b, char stage_dir[PATH_MAX], char root[PATH_MAX],
		      struct berr **err)
{
	char name[32];

	snprintf(name, sizeof(name), "s%u", ++b->n_staged);
	if (snprintf(stage_dir, PATH_MAX, "%s/%s/%s", b->s->path, b->tmpname, name) >= PATH_MAX ||
	    snprintf(root, PATH_MAX, "%s/root", stage_dir) >= PATH_MAX)
		return berr_set(err, ENAMETOOLONG, "the store path is too long");
	if (mkdirat(b->tmpfd, name, 0700) < 0 || mkdir(root, 0755) < 0)
		return berr_sys(err, errno, "cannot create '%s'", root);
	return 0;
}

/*
 * docker's history line: "/bin/sh -c #(nop) COPY --chown=1:1file:<hex> in /dst " (no
 * space after the --chown, a space at the end: moby's format string).
 */
static int copy_created_by(struct copy *c, const struct df_instr *in, char **ret, struct berr **err)
{
	_cleanup_free_ char *hash = NULL, *comment = NULL;
	const char *chown = df_flag(in, "chown");
	char path[PATH_MAX];
	size_t len = 0;
	int fd, r;

	if (snprintf(path, sizeof(path), "%s/srchash", c->stage) >= (int) sizeof(path))
		return berr_set(err, ENAMETOOLONG, "the store path is too long");
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, errno, "cannot read '%s'", path);
	r = read_fd_all(fd, 4096, &hash, &len);
	close(fd);
	if (r < 0)
		return berr_sys(err, -r, "cannot read '%s'", path);
	if (asprintf(&comment, "%s %s%s%s in %s ", in->cmd, chown ? "--chown=" : "",
		     chown ? chown : "", hash, c->dest_arg) < 0 ||
	    !(*ret = history_nop(&c->b->rc, false, comment)))
		return -ENOMEM;
	return 0;
}

/* The cache: the staged tree (names, modes, owners, content) is part of the key. */
static int cache_lookup(struct copy *c, const struct df_instr *in, struct berr **err)
{
	_cleanup_strv_ char **used = builder_args_used_by(c->b, in->original);
	char content[DIGEST_MAX];
	int r;

	if (!used)
		return -ENOMEM;
	r = build_cache_tree_digest(c->root, content, err);
	return r < 0 ? r : builder_cache_lookup(c->b, in, used, content, err);
}

static void copy_done(struct copy *c)
{
	strv_free(c->srcs);
	free(c->dest);
	free(c->dest_arg);
	free(c->src_root);
}

int build_copy(struct builder *b, const struct df_instr *in, bool add, struct berr **err)
{
	_cleanup_(copy_done) struct copy c = {.b = b, .add = add};
	_cleanup_free_ char *created_by = NULL;
	const char *from_image = NULL;
	int r;

	if ((r = parse_flags(&c, in, err)) < 0 || (r = parse_args(&c, in, err)) < 0)
		return r;
	STRV_FOREACH (s, c.srcs)
		if (add && (!strncmp(*s, "http://", 7) || !strncmp(*s, "https://", 8)))
			return berr_set(err, ENOTSUP, "ADD from a URL is not supported: '%s'", *s);
	if (!c.dest_dir)
		c.dest_dir = dest_is_dir(b, c.dest);
	if ((r = make_stage(b, c.stage, c.root, err)) < 0)
		return r;
	if ((r = source_root(&c, &from_image, err)) < 0 || (r = stage(&c, from_image, err)) < 0)
		return berr_wrap(err, "%s failed", in->cmd);
	if (c.chown || c.chmod) {
		char dst[PATH_MAX];

		if (staged_path(&c, c.dest, dst, sizeof(dst)) < 0 ||
		    (r = own_tree(AT_FDCWD, dst, &c, 0)) < 0)
			return berr_sys(err, r < 0 ? -r : ENAMETOOLONG, "%s of '%s'",
					c.chown ? "--chown" : "--chmod", c.dest);
	}
	r = cache_lookup(&c, in, err);
	if (r != 0)
		return r < 0 ? r : 0;
	if ((r = copy_created_by(&c, in, &created_by, err)) < 0)
		return r;
	return apply(b, c.stage, c.root, created_by, err);
}

int build_workdir(struct builder *b, const struct df_instr *in, struct berr **err)
{
	_cleanup_strv_ char **used = builder_args_used_by(b, in->original);
	_cleanup_free_ char *comment = NULL, *created_by = NULL;
	_cleanup_close_ int rootfd = -1, fd = -1;
	char stage_dir[PATH_MAX], root[PATH_MAX];
	int r;

	if (!used)
		return -ENOMEM;
	r = builder_cache_lookup(b, in, used, NULL, err);
	if (r != 0)
		return r < 0 ? r : 0;
	if (asprintf(&comment, "WORKDIR %s", b->rc.working_dir) < 0 ||
	    !(created_by = history_nop(&b->rc, false, comment)))
		return -ENOMEM;
	if ((r = make_stage(b, stage_dir, root, err)) < 0)
		return r;
	/* the whole path staged: what the image has already stays as it is (apply) */
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return berr_sys(err, errno, "cannot open '%s'", root);
	fd = safe_mkdir_p_in_root(rootfd, b->rc.working_dir, 0755);
	if (fd < 0)
		return berr_sys(err, -fd, "cannot stage the WORKDIR '%s'", b->rc.working_dir);
	return apply(b, stage_dir, root, created_by, err);
}
