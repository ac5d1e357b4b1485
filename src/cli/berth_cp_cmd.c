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
#include "engine/container_copy.h"
#include "engine/container_cp_tar.h"
#include "engine/container_export.h"
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

/* One copy with c (locked; unlocked here): engine/container_copy.h. */
static int cp_with(struct berth_ctx *ctx, struct container *c, enum cp_mode mode, const char *src,
		   const char *dst, struct berr **err)
{
	return container_copy(berth_store(ctx), c, mode, src, dst, err);
}

/* cp - CTR:DIR: the tar on stdin is unpacked (nothing in it can climb out), then copied in. */
static int cp_in_tar(struct berth_ctx *ctx, const char *ctr, const char *dst, struct berr **err)
{
	_cleanup_free_ char *tmp = container_copy_tmpdir(err);
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
		r = container_copy_out_tar(berth_store(ctx), c, cpath, STDOUT_FILENO, &err);
	else
		r = cp_with(ctx, c, out ? CP_OUT : CP_IN, out ? cpath : pos[0],
			    out ? pos[1] : cpath, &err);
	return berth_report(r, &err);
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
	r = container_copy_export(berth_store(ctx), c, fd, &err);
	if (r < 0 && output)
		(void) unlink(output);
	if (!output)
		fd = -1; /* stdout stays open */
	return berth_report(r, &err);
}
