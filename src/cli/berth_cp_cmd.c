/* SPDX-License-Identifier: Apache-2.0 */
/*
 * berth cp: files between a container and the host, or a tar stream ("-"), as docker cp;
 * berth export: the container's root filesystem as a tar.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/berth_cmds.h"
#include "cli/berth_container.h"
#include "engine/container_cp.h"
#include "engine/container_cp_tar.h"
#include "engine/container_export.h"
#include "engine/userns.h"
#include "image/layer_unpack.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/rmtree.h"
#include "lib/strv.h"

/* "NAME:PATH" -> the container part and the path; NULL container for a host path. */
static bool cp_split(const char *arg, char **ret_ctr, const char **ret_path)
{
	const char *colon = strchr(arg, ':');

	if (!colon || arg[0] == '/' || arg[0] == '.' || colon == arg)
		return false;
	*ret_ctr = strndup(arg, (size_t) (colon - arg));
	*ret_path = colon + 1;
	return *ret_ctr != NULL;
}

/* The running container's root (its overlay), or -ENOENT when it is stopped. */
static int cp_running_root(struct container *c, struct berr **err)
{
	int fd;

	if (!c->st.rootfs_mounted ||
	    (c->st.status != STATUS_RUNNING && c->st.status != STATUS_PAUSED))
		return -ENOENT;
	fd = openat(c->dirfd, "bundle/rootfs", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? berr_sys(err, errno, "cannot open the container's root") : fd;
}

/* Where a stopped container's snapshot is mounted, only in a child's namespace (malloc'd). */
static char *stopped_target(struct berth_ctx *ctx, struct container *c, struct image_store **s,
			    struct berr **err)
{
	char *target;

	if (!(*s = berth_store(ctx))) {
		berr_set(err, EIO, "cannot open the image store");
		return NULL;
	}
	if (!(target = container_path(c, "bundle/rootfs"))) {
		berr_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	if ((mkdirat(c->dirfd, "bundle", 0700) < 0 && errno != EEXIST) ||
	    (mkdirat(c->dirfd, "bundle/rootfs", 0755) < 0 && errno != EEXIST)) {
		berr_sys(err, errno, "cannot create '%s'", target);
		free(target);
		return NULL;
	}
	return target;
}

/* What cp makes in c belongs to its root: NULL (the caller) without a user namespace. */
static const struct cp_owner *cp_owner_of(const struct container *c, struct cp_owner *own)
{
	if (!userns_enabled(c->cfg))
		return NULL;
	userns_root_ids(c->cfg, &own->uid, &own->gid);
	return own;
}

/* A stopped container: its snapshot, mounted on bundle/rootfs only in a child's namespace. */
static int cp_stopped(struct berth_ctx *ctx, struct container *c, enum cp_mode mode,
		      const char *src, const char *dst, struct cp_owner *own, struct berr **err)
{
	struct image_store *s;
	_cleanup_free_ char *target = stopped_target(ctx, c, &s, err);

	if (!target)
		return -EIO;
	return container_cp_stopped(s, c->cfg->id, target, mode, src, dst, cp_owner_of(c, own),
				    err);
}

/* One copy with the container c (locked; unlocked here): its live root, else its snapshot. */
static int cp_with(struct berth_ctx *ctx, struct container *c, enum cp_mode mode, const char *src,
		   const char *dst, struct berr **err)
{
	_cleanup_close_ int rootfd = cp_running_root(c, err);
	struct cp_owner own;
	const struct cp_owner *owner = cp_owner_of(c, &own);
	int r;

	if (rootfd == -ENOENT) {
		r = cp_stopped(ctx, c, mode, src, dst, &own, err);
		container_unlock(c);
		return r;
	}
	container_unlock(c);
	if (rootfd < 0)
		return rootfd;
	switch (mode) {
	case CP_OUT:
		return container_cp_out(rootfd, src, dst, err);
	case CP_IN:
		return container_cp_in(rootfd, src, dst, owner, err);
	case CP_IN_CONTENTS:
		return container_cp_in_contents(rootfd, src, dst, owner, err);
	default:
		return berr_set(err, EINVAL, "unknown copy mode");
	}
}

/* A private (0700) directory for what a tar stream holds; malloc'd path. */
static char *cp_tmpdir(struct berr **err)
{
	const char *base = secure_getenv("TMPDIR");
	char *dir = NULL;

	if (asprintf(&dir, "%s/berth-cp-XXXXXX", base && *base ? base : "/tmp") < 0) {
		berr_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	if (!mkdtemp(dir)) {
		berr_sys(err, errno, "cannot create a temporary directory in '%s'",
			 base && *base ? base : "/tmp");
		free(dir);
		return NULL;
	}
	return dir;
}

/* cp CTR:PATH -: the copy goes to a private directory, then out as a tar on stdout. */
static int cp_out_tar(struct berth_ctx *ctx, struct container *c, const char *src,
		      struct berr **err)
{
	_cleanup_free_ char *tmp = cp_tmpdir(err);
	int r;

	if (!tmp) {
		container_unlock(c);
		return -EIO;
	}
	r = cp_with(ctx, c, CP_OUT, src, tmp, err);
	if (r >= 0)
		r = cp_tar_write_dir(tmp, STDOUT_FILENO, err);
	(void) rm_rf_at(AT_FDCWD, tmp);
	return r;
}

/* cp - CTR:DIR: the tar on stdin is unpacked (nothing in it can climb out), then copied in. */
static int cp_in_tar(struct berth_ctx *ctx, const char *ctr, const char *dst, struct berr **err)
{
	_cleanup_free_ char *tmp = cp_tmpdir(err);
	_cleanup_container_ struct container *c = NULL;
	_cleanup_close_ int tmpfd = -1;
	struct engine *e;
	int r;

	if (!tmp)
		return -EIO;
	tmpfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (tmpfd < 0)
		r = berr_sys(err, errno, "cannot open '%s'", tmp);
	else
		r = layer_unpack_archive_fd(STDIN_FILENO, tmpfd, err);
	if (r >= 0 && !(e = berth_engine(ctx)))
		r = berr_set(err, EIO, "cannot open the container store");
	if (r >= 0 && (r = container_open(e, ctr, true, &c, err)) >= 0)
		r = cp_with(ctx, c, CP_IN_CONTENTS, tmp, dst, err);
	(void) rm_rf_at(AT_FDCWD, tmp);
	return r;
}

int berth_cmd_cp(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	_cleanup_free_ char *ctr = NULL;
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	const char *cpath = NULL;
	const struct opt_def defs[] = {END_OPTS};
	bool out;
	struct engine *e;
	int r;

	BERTH_PARSE_OR_RETURN(berth_parse(
		argc, argv, defs, "CONTAINER:SRC_PATH DEST_PATH|- | SRC_PATH|- CONTAINER:DEST_PATH",
		2, 2, &pos));
	out = cp_split(pos[0], &ctr, &cpath);
	if (!out && !cp_split(pos[1], &ctr, &cpath)) {
		log_error_report("must specify at least one container source");
		return 1;
	}
	if (!out && strcmp(pos[0], "-") == 0) {
		r = cp_in_tar(ctx, ctr, cpath, &err);
		if (r == -ENOTDIR) {
			log_error_report("destination \"%s\" must be a directory", pos[1]);
			return 1;
		}
		return berth_report(r, &err);
	}
	if (!(e = berth_engine(ctx)))
		return 1;
	if ((r = container_open(e, ctr, true, &c, &err)) < 0)
		return berth_report(r, &err);
	if (out && strcmp(pos[1], "-") == 0)
		r = cp_out_tar(ctx, c, cpath, &err);
	else
		r = cp_with(ctx, c, out ? CP_OUT : CP_IN, out ? cpath : pos[0],
			    out ? pos[1] : cpath, &err);
	return berth_report(r, &err);
}

static int export_in_root(int rootfd, void *data, struct berr **err)
{
	return container_export_tar(rootfd, *(const int *) data, err);
}

/* The tar of c (locked; unlocked here) to outfd: its live root, else its snapshot. */
static int export_with(struct berth_ctx *ctx, struct container *c, int outfd, struct berr **err)
{
	_cleanup_close_ int rootfd = cp_running_root(c, err);
	_cleanup_free_ char *target = NULL;
	struct image_store *s;
	int r;

	if (rootfd == -ENOENT) {
		target = stopped_target(ctx, c, &s, err);
		r = target ? container_in_snapshot(s, c->cfg->id, target, export_in_root, &outfd,
						   err)
			   : -EIO;
		container_unlock(c);
		return r;
	}
	container_unlock(c);
	return rootfd < 0 ? rootfd : container_export_tar(rootfd, outfd, err);
}

int berth_cmd_export(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	_cleanup_container_ struct container *c = NULL;
	_cleanup_close_ int fd = -1;
	const char *output = NULL;
	const struct opt_def defs[] = {
		{"output", 'o', OPT_STRING, &output, "FILE", "write to a file, instead of STDOUT"},
		END_OPTS,
	};
	struct berr *err = NULL;
	struct engine *e;
	int r;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "[options] CONTAINER", 1, 1, &pos));
	if (!output && isatty(STDOUT_FILENO)) {
		log_error_report("cowardly refusing to save to a terminal. Use the -o flag or "
				 "redirect");
		return 1;
	}
	if (!(e = berth_engine(ctx)))
		return 1;
	if ((r = container_open(e, pos[0], true, &c, &err)) < 0)
		return berth_report(r, &err);
	fd = output ? open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644)
		    : STDOUT_FILENO;
	if (fd < 0) {
		container_unlock(c);
		return berth_report(berr_sys(&err, errno, "cannot create '%s'", output), &err);
	}
	r = export_with(ctx, c, fd, &err);
	if (r < 0 && output)
		(void) unlink(output);
	if (!output)
		fd = -1; /* stdout stays open */
	return berth_report(r, &err);
}
