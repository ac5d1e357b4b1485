/* SPDX-License-Identifier: Apache-2.0 */
/* The embedded default image: a root filesystem around Debian's busybox-static. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "image/image_build.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/strv.h"

extern char **environ;

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
			     "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
			     "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
static const char group[] = "root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n";

static const struct {
	const char *path;
	mode_t mode;
} dirs[] = {
	{"bin", 0755},	   {"dev", 0755},      {"etc", 0755}, {"home", 0755},	   {"proc", 0755},
	{"root", 0700},	   {"sbin", 0755},     {"sys", 0755}, {"tmp", 01777},	   {"usr", 0755},
	{"usr/bin", 0755}, {"usr/sbin", 0755}, {"var", 0755}, {"var/spool", 0755},
};

/* busybox --list-full: "bin/sh", "usr/bin/[", ... */
static int applets(const char *busybox, char ***ret)
{
	char *argv[] = {(char *) busybox, (char *) "--list-full", NULL};
	posix_spawn_file_actions_t fa;
	_cleanup_free_ char *out = NULL;
	_cleanup_strv_ char **v = NULL;
	int pipefd[2], status, r;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	r = posix_spawn(&pid, busybox, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	(void) close(pipefd[1]);
	if (r != 0) {
		(void) close(pipefd[0]);
		return -r;
	}
	r = read_fd_all(pipefd[0], 1 << 20, &out, NULL);
	(void) close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r < 0)
		return r;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -ENOEXEC;
	for (char *save = NULL, *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (*l && strcmp(l, "bin/busybox") != 0 && strv_push_dup(&v, l) < 0)
			return -ENOMEM;
	*ret = TAKE_PTR(v);
	return 0;
}

static int put_entry(struct archive *a, const char *path, mode_t type, mode_t mode, time_t mtime,
		     const char *symlink, const void *data, size_t size)
{
	struct archive_entry *e = archive_entry_new();
	int r = 0;

	if (!e)
		return -ENOMEM;
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, mode);
	archive_entry_set_mtime(e, mtime, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	if (symlink)
		archive_entry_set_symlink(e, symlink);
	archive_entry_set_size(e, (la_int64_t) size);
	if (archive_write_header(a, e) != ARCHIVE_OK ||
	    (size && archive_write_data(a, data, size) != (la_ssize_t) size))
		r = -EIO;
	archive_entry_free(e);
	return r;
}

/* The parents of an applet path ("usr/local/bin/x" needs usr/local). */
static int put_parents(struct archive *a, const char *path, time_t mtime, char ***seen)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = strchr(buf, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (!strv_contains(*seen, buf)) {
			if (strv_push_dup(seen, buf) < 0 ||
			    put_entry(a, buf, AE_IFDIR, 0755, mtime, NULL, NULL, 0) < 0)
				return -EIO;
		}
		*p = '/';
	}
	return 0;
}

static int write_rootfs(struct archive *a, const char *bin, size_t bin_len, char **list,
			time_t mtime)
{
	_cleanup_strv_ char **seen = NULL;
	int r = 0;

	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(dirs); i++) {
		r = put_entry(a, dirs[i].path, AE_IFDIR, dirs[i].mode, mtime, NULL, NULL, 0);
		if (r >= 0)
			r = strv_push_dup(&seen, dirs[i].path);
	}
	if (r >= 0)
		r = put_entry(a, "bin/busybox", AE_IFREG, 0755, mtime, NULL, bin, bin_len);
	if (r >= 0)
		r = put_entry(a, "etc/passwd", AE_IFREG, 0644, mtime, NULL, passwd, strlen(passwd));
	if (r >= 0)
		r = put_entry(a, "etc/group", AE_IFREG, 0644, mtime, NULL, group, strlen(group));
	STRV_FOREACH (p, list) {
		if (r >= 0)
			r = put_parents(a, *p, mtime, &seen);
		if (r >= 0)
			r = put_entry(a, *p, AE_IFLNK, 0777, mtime, "/bin/busybox", NULL, 0);
	}
	return r;
}

/* The rootfs as a tar in an unnamed temporary file of the store; returns its fd. */
static int make_tar(struct image_store *s, const char *busybox, time_t *ret_mtime,
		    struct berr **err)
{
	_cleanup_free_ char *bin = NULL;
	_cleanup_strv_ char **list = NULL;
	_cleanup_close_ int fd = -1;
	struct archive *a;
	struct stat st;
	size_t len;
	int r;

	if (stat(busybox, &st) < 0)
		return berr_sys(err, errno, "'%s' (install busybox-static)", busybox);
	r = read_file_at(AT_FDCWD, busybox, 64u << 20, &bin, &len);
	if (r >= 0)
		r = applets(busybox, &list);
	if (r < 0)
		return berr_sys(err, -r, "cannot run '%s --list-full'", busybox);
	fd = openat(s->dirfd, "tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return berr_sys(err, errno, "cannot create a temporary file in '%s/tmp'", s->path);
	a = archive_write_new();
	if (!a)
		return -ENOMEM;
	archive_write_set_format_pax_restricted(a);
	r = archive_write_open_fd(a, fd) == ARCHIVE_OK ? 0 : -EIO;
	if (r >= 0)
		r = write_rootfs(a, bin, len, list, st.st_mtime);
	if (archive_write_close(a) != ARCHIVE_OK && r >= 0)
		r = -EIO;
	archive_write_free(a);
	if (r < 0)
		return berr_sys(err, -r, "cannot write the busybox root filesystem");
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	*ret_mtime = st.st_mtime;
	return TAKE_FD(fd);
}

int image_create_busybox(struct image_store *s, const char *busybox, const char *name,
			 char ret_id[DIGEST_MAX], struct berr **err)
{
	char *cmd[] = {(char *) "sh", NULL};
	char *env[] = {(char *) "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		       NULL};
	_cleanup_close_ int fd = -1;
	char created[64];
	struct tm tm;
	time_t mtime;

	fd = make_tar(s, busybox ? busybox : "/bin/busybox", &mtime, err);
	if (fd < 0)
		return fd;
	gmtime_r(&mtime, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return image_import(
		s, fd,
		&(struct image_import_opts){
			.name = name ? name : "busybox:latest",
			.created = created,
			.created_by = "berth image create-busybox (Debian busybox-static)",
			.cmd = cmd,
			.env = env,
		},
		ret_id, err);
}
