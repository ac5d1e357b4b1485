/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/container_cp_tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/cleanup.h"

static void archive_writep(struct archive **a)
{
	if (*a)
		(void) archive_write_free(*a);
}

static void archive_readp(struct archive **a)
{
	if (*a)
		(void) archive_read_free(*a);
}

static void archive_entryp(struct archive_entry **e)
{
	if (*e)
		archive_entry_free(*e);
}

static int fail(struct archive *a, struct berr **err)
{
	int e = archive_errno(a) > 0 ? archive_errno(a) : EIO;

	return berr_set(err, e, "writing the tar stream: %s", archive_error_string(a));
}

static int copy_data(struct archive *disk, struct archive *out, struct berr **err)
{
	char buf[65536];
	la_ssize_t n;

	while ((n = archive_read_data(disk, buf, sizeof(buf))) > 0)
		if (archive_write_data(out, buf, (size_t) n) != n)
			return fail(out, err);
	return n < 0 ? fail(disk, err) : 0;
}

/* The entry's name below dir, or NULL for dir itself. */
static const char *relative_name(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	if (strncmp(path, dir, len) != 0 || path[len] != '/')
		return NULL;
	return path + len + 1;
}

static int write_entries(struct archive *disk, struct archive *out, const char *dir,
			 struct berr **err)
{
	for (;;) {
		_cleanup_(archive_entryp) struct archive_entry *e = archive_entry_new();
		const char *name;
		int r;

		if (!e)
			return berr_set(err, ENOMEM, "out of memory");
		r = archive_read_next_header2(disk, e);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return fail(disk, err);
		(void) archive_read_disk_descend(disk);
		name = relative_name(archive_entry_pathname(e), dir);
		if (!name || !*name)
			continue;
		archive_entry_copy_pathname(e, name);
		if (archive_write_header(out, e) < ARCHIVE_WARN)
			return fail(out, err);
		if (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0 &&
		    (r = copy_data(disk, out, err)) < 0)
			return r;
	}
}

int cp_tar_write_dir(const char *dir, int outfd, struct berr **err)
{
	_cleanup_(archive_writep) struct archive *out = archive_write_new();
	_cleanup_(archive_readp) struct archive *disk = archive_read_disk_new();
	int r;

	if (!out || !disk)
		return berr_set(err, ENOMEM, "out of memory");
	if (archive_write_set_format_pax_restricted(out) != ARCHIVE_OK ||
	    archive_write_open_fd(out, outfd) != ARCHIVE_OK)
		return fail(out, err);
	(void) archive_read_disk_set_symlink_physical(disk);
	(void) archive_read_disk_set_standard_lookup(disk);
	if (archive_read_disk_open(disk, dir) != ARCHIVE_OK)
		return fail(disk, err);
	r = write_entries(disk, out, dir, err);
	(void) archive_read_close(disk);
	if (r < 0)
		return r;
	if (archive_write_close(out) != ARCHIVE_OK)
		return fail(out, err);
	return 0;
}
