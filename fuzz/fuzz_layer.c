/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Layer tarballs (image-spec layer.md): the entry names' cleaning, then the whole unpack
 * (libarchive's tar headers, gzip and zstd, and berth's checks of each entry: paths,
 * links, whiteouts, xattrs, devices) into a fresh tmpfs.
 *
 * Unpacking writes files as root, and a bug could write outside the layer: that is what
 * this target looks for. So it runs in a mount namespace of its own where every mount is
 * read-only but the directories libFuzzer writes to (its corpus and artifacts, given on
 * the command line, and the current directory), and each input is unpacked into a
 * detached tmpfs (fsmount: reachable only through its fd) of at most 64 MiB.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/layer_unpack.h"
#include "runtime/rootfs/mount_api.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what)
{
	fprintf(stderr, "fuzz_layer: %s: %s (run it as root)\n", what, strerror(errno));
	exit(1);
}

/* A path libFuzzer writes to stays writable: bind it on itself before / goes read-only. */
static void keep_writable(const char *arg, char (*keep)[PATH_MAX], size_t *n, size_t max)
{
	const char *p = strchr(arg, '=') && arg[0] == '-' ? strchr(arg, '=') + 1 : arg;
	char path[PATH_MAX];
	struct stat st;

	if (*n >= max || !realpath(p, path))
		return;
	if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode)) {
		char *slash = strrchr(path, '/');

		if (!slash || slash == path)
			return;
		*slash = '\0';
	}
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		die(path);
	memcpy(keep[(*n)++], path, sizeof(path));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char keep[64][PATH_MAX];
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
	struct mount_attr rw = {.attr_clr = MOUNT_ATTR_RDONLY};
	size_t n = 0;

	if (unshare(CLONE_NEWNS) < 0)
		die("unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("making / private");
	keep_writable(".", keep, &n, 64);
	for (int i = 1; i < *argc; i++)
		keep_writable((*argv)[i], keep, &n, 64);
	if (sys_mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &ro) < 0)
		die("making / read-only");
	for (size_t i = 0; i < n; i++)
		if (sys_mount_setattr(AT_FDCWD, keep[i], AT_RECURSIVE, &rw) < 0)
			die(keep[i]);
	return 0;
}

static int fresh_tmpfs(void)
{
	int fs = sys_fsopen("tmpfs", FSOPEN_CLOEXEC), mnt;

	if (fs < 0 || sys_fsconfig(fs, FSCONFIG_SET_STRING, "size", "64m", 0) < 0 ||
	    sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		die("tmpfs");
	mnt = sys_fsmount(fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		die("fsmount");
	(void) close(fs);
	return mnt;
}

/* layer_clean_path: the result never climbs out, never starts or ends with '/'. */
static void check_clean_path(const uint8_t *data, size_t size)
{
	char name[PATH_MAX + 64], out[PATH_MAX];
	size_t len = size < sizeof(name) - 1 ? size : sizeof(name) - 1;
	size_t olen;

	memcpy(name, data, len);
	name[len] = '\0';
	if (layer_clean_path(name, out, sizeof(out)) < 0)
		return;
	olen = strlen(out);
	if (olen && (out[0] == '/' || out[olen - 1] == '/'))
		abort();
	for (const char *c = out; *c;) {
		size_t l = strcspn(c, "/");

		if ((l == 2 && c[0] == '.' && c[1] == '.') || (l == 1 && c[0] == '.') || l == 0)
			abort();
		c += l;
		c += *c == '/';
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct layer_unpack_result res;
	struct berr *err = NULL;
	int dest;

	check_clean_path(data, size);
	dest = fresh_tmpfs();
	if (layer_unpack_buffer(data, size, dest, &res, &err) < 0)
		berr_free(err);
	(void) close(dest);
	return 0;
}
