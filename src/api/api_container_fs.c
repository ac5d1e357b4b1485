/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's files: GET /containers/{id}/export, and the archive endpoints docker cp
 * uses (HEAD: the stat of a path, GET: a tar of it, PUT: a tar unpacked into a
 * directory), through engine/container_copy.h as `berth cp` and `berth export`: paths
 * resolved in the container's root, symlinks never followed out of it. A tar is written
 * to an unlinked file first, so that a failure is still an error status, then sent.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#include "api/api_internal.h"
#include "engine/container_copy.h"
#include "image/layer_unpack.h"
#include "image/registry_auth.h"
#include "lib/cleanup.h"
#include "lib/rmtree.h"
#include "lib/timefmt.h"

int api_tar_file(struct berr **err)
{
	const char *tmp = secure_getenv("TMPDIR");
	int fd;

	if (!tmp || !*tmp)
		tmp = "/tmp";
	fd = open(tmp, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	return fd < 0 ? berr_sys(err, errno, "cannot create a file in '%s'", tmp) : fd;
}

/* Queue resp (200) with dockerd's headers and the path's stat header if any. */
static int queue(struct api_req *r, struct MHD_Response *resp, const char *type,
		 const char *stat_header)
{
	enum MHD_Result ok;

	api_reply_headers(resp, type);
	if (stat_header)
		(void) MHD_add_response_header(resp, "X-Docker-Container-Path-Stat", stat_header);
	ok = MHD_queue_response(r->conn, 200, resp);
	MHD_destroy_response(resp);
	r->replied = true;
	return ok == MHD_YES ? 0 : -EIO;
}

int api_reply_tar(struct api_req *r, int fd, const char *stat_header)
{
	struct MHD_Response *resp;
	off_t size = lseek(fd, 0, SEEK_END);

	if (size < 0 || !(resp = MHD_create_response_from_fd_at_offset64((uint64_t) size, fd, 0))) {
		(void) close(fd);
		return -EIO;
	}
	return queue(r, resp, "application/x-tar", stat_header);
}

int api_container_export(struct api_req *r)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_close_ int fd = -1;
	int ret;

	if (api_container_open(r, false, &c) < 0)
		return 0;
	if ((fd = api_tar_file(&err)) < 0 ||
	    (ret = container_copy_export(berth_store(r->ctx), c, fd, &err)) < 0) {
		if (fd < 0)
			container_unlock(c);
		return api_reply_berr(r, fd < 0 ? fd : ret, err);
	}
	return api_reply_tar(r, TAKE_FD(fd), NULL);
}

/* Go's os.FileMode of st_mode: the permission bits, then a bit per type and special bit. */
static uint32_t go_file_mode(mode_t m)
{
	uint32_t g = m & 0777;

	if (S_ISDIR(m))
		g |= 1u << 31;
	else if (S_ISLNK(m))
		g |= 1u << 27;
	else if (S_ISBLK(m))
		g |= 1u << 26;
	else if (S_ISCHR(m))
		g |= (1u << 26) | (1u << 21);
	else if (S_ISFIFO(m))
		g |= 1u << 25;
	else if (S_ISSOCK(m))
		g |= 1u << 24;
	if (m & S_ISUID)
		g |= 1u << 23;
	if (m & S_ISGID)
		g |= 1u << 22;
	if (m & S_ISVTX)
		g |= 1u << 20;
	return g;
}

/* docker's X-Docker-Container-Path-Stat: base64 of {name,size,mode,mtime,linkTarget}. */
static char *stat_header(const struct cp_stat *st)
{
	_cleanup_jw_ struct jwriter *o = jw_object();
	_cleanup_free_ char *json = NULL;
	char mtime[64];

	jw_str(o, "name", st->name);
	jw_int(o, "size", st->size);
	jw_uint(o, "mode", go_file_mode(st->mode));
	jw_str(o, "mtime", rfc3339_ns(st->mtime_ns, mtime, sizeof(mtime)));
	jw_str(o, "linkTarget", st->link_target);
	if (!(json = jw_to_string(o, false)))
		return NULL;
	return base64_encode(json, strlen(json));
}

/*
 * The stat of ?path= in parts[1] (*ret_st, malloc'd) and its header (*ret_hdr); replies
 * on failure (400 without a path, 404 when it is not there).
 */
static int path_stat(struct api_req *r, const char **ret_path, struct cp_stat **ret_st,
		     char **ret_hdr)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	const char *path = api_query(r, "path");
	int ret;

	if (!path || !*path)
		return api_reply_error(r, 400, "the path parameter is required") < 0 ? -EIO
										     : -EINVAL;
	if (!(*ret_st = calloc(1, sizeof(**ret_st))))
		return -ENOMEM;
	if (api_container_open(r, false, &c) < 0)
		return -ENOENT;
	if ((ret = container_copy_stat(berth_store(r->ctx), c, path, *ret_st, &err)) < 0) {
		if (ret == -ENOENT || ret == -ENOTDIR)
			api_reply_error(r, 404, "Could not find the file %s in container %s", path,
					r->parts[1]);
		else
			api_reply_berr(r, ret, err);
		return ret;
	}
	*ret_path = path;
	return (*ret_hdr = stat_header(*ret_st)) ? 0 : -ENOMEM;
}

int api_container_archive_stat(struct api_req *r)
{
	_cleanup_free_ struct cp_stat *st = NULL;
	_cleanup_free_ char *hdr = NULL;
	struct MHD_Response *resp;
	const char *path;
	int ret;

	if ((ret = path_stat(r, &path, &st, &hdr)) < 0)
		return r->replied ? 0 : ret;
	if (!(resp = MHD_create_response_from_buffer(0, (void *) "", MHD_RESPMEM_PERSISTENT)))
		return -ENOMEM;
	return queue(r, resp, NULL, hdr);
}

int api_container_archive_get(struct api_req *r)
{
	_cleanup_free_ struct cp_stat *st = NULL;
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_free_ char *hdr = NULL;
	_cleanup_close_ int fd = -1;
	const char *path;
	int ret;

	if ((ret = path_stat(r, &path, &st, &hdr)) < 0)
		return r->replied ? 0 : ret;
	if (api_container_open(r, false, &c) < 0)
		return 0;
	if ((fd = api_tar_file(&err)) < 0) {
		container_unlock(c);
		return api_reply_berr(r, fd, err);
	}
	if ((ret = container_copy_out_tar(berth_store(r->ctx), c, path, fd, &err)) < 0)
		return api_reply_berr(r, ret, err);
	return api_reply_tar(r, TAKE_FD(fd), hdr);
}

int api_unpack_body(struct api_req *r, char **ret, struct berr **err)
{
	_cleanup_free_ char *tmp = container_copy_tmpdir(err);
	_cleanup_close_ int tmpfd = -1;
	int ret_r;

	if (!tmp)
		return -EIO;
	if ((tmpfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		ret_r = berr_sys(err, errno, "cannot open '%s'", tmp);
	else
		ret_r = layer_unpack_archive_fd(r->body_fd, tmpfd, err);
	if (ret_r < 0) {
		(void) rm_rf_at(AT_FDCWD, tmp);
		return ret_r;
	}
	*ret = TAKE_PTR(tmp);
	return 0;
}

int api_container_archive_put(struct api_req *r)
{
	_cleanup_free_ struct cp_stat *st = NULL;
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_free_ char *hdr = NULL, *tmp = NULL;
	const char *path;
	int ret;

	if (r->body_fd < 0)
		return -EIO;
	if ((ret = path_stat(r, &path, &st, &hdr)) < 0)
		return r->replied ? 0 : ret;
	if (!S_ISDIR(st->mode))
		return api_reply_error(r, 400, "extraction point is not a directory");
	if ((ret = api_unpack_body(r, &tmp, &err)) < 0)
		return api_reply_berr(r, EINVAL, err);
	if (api_container_open(r, false, &c) >= 0) {
		ret = container_copy(berth_store(r->ctx), c, CP_IN_CONTENTS, tmp, path, &err);
		if (ret < 0)
			api_reply_berr(r, ret, err);
		else
			api_reply_empty(r, 200);
	}
	(void) rm_rf_at(AT_FDCWD, tmp);
	return 0;
}
