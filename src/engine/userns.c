/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/userns.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/engine_config.h"
#include "engine/subids.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

static int parse_u32(const char *s, char end, uint32_t *ret, const char **ret_next)
{
	char *e;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &e, 10);
	if (errno || *e != end || v > UINT32_MAX)
		return -EINVAL;
	*ret = (uint32_t) v;
	*ret_next = end ? e + 1 : e;
	return 0;
}

int userns_parse_range(const char *flag, const char *s, struct idmap_range *ret, struct berr **err)
{
	struct idmap_range m;
	const char *p = s;

	if (parse_u32(p, ':', &m.container, &p) < 0 || parse_u32(p, ':', &m.host, &p) < 0 ||
	    parse_u32(p, '\0', &m.size, &p) < 0)
		return berr_set(err, EINVAL, "invalid %s '%s': want CONTAINER:HOST:SIZE (numbers)",
				flag, s);
	if (m.size == 0)
		return berr_set(err, EINVAL, "invalid %s '%s': the size must not be 0", flag, s);
	if ((uint64_t) m.container + m.size > UINT32_MAX || (uint64_t) m.host + m.size > UINT32_MAX)
		return berr_set(err, EINVAL, "invalid %s '%s': the range passes 4294967295", flag,
				s);
	*ret = m;
	return 0;
}

static bool overlap(uint32_t a, uint32_t an, uint32_t b, uint32_t bn)
{
	return (uint64_t) a < (uint64_t) b + bn && (uint64_t) b < (uint64_t) a + an;
}

/* Each entry parses, ranges do not overlap on either side, and container id 0 is mapped. */
static int check_maps(const char *flag, char *const *v, struct berr **err)
{
	struct idmap_range m[USERNS_MAX_MAPS];
	size_t n = 0;
	bool root = false;
	int r;

	STRV_FOREACH (s, v) {
		if (n == USERNS_MAX_MAPS)
			return berr_set(err, EINVAL, "%s: at most %d mappings", flag,
					USERNS_MAX_MAPS);
		if ((r = userns_parse_range(flag, *s, &m[n], err)) < 0)
			return r;
		for (size_t i = 0; i < n; i++)
			if (overlap(m[i].container, m[i].size, m[n].container, m[n].size) ||
			    overlap(m[i].host, m[i].size, m[n].host, m[n].size))
				return berr_set(err, EINVAL, "%s '%s' overlaps '%s'", flag, *s,
						v[i]);
		root |= m[n].container == 0;
		n++;
	}
	if (!root)
		return berr_set(err, EINVAL, "%s: container id 0 (root) must be mapped", flag);
	return 0;
}

static int parse_auto_size(const char *mode, struct berr **err)
{
	uint32_t size;
	const char *p;

	if (strcmp(mode, "auto") == 0)
		return 0;
	if (strncmp(mode, "auto:size=", 10) != 0 || parse_u32(mode + 10, '\0', &size, &p) < 0 ||
	    size == 0 || size > (1u << 24))
		return berr_set(err, EINVAL,
				"invalid --userns '%s': want auto or auto:size=N (1 to 16777216)",
				mode);
	return 0;
}

static int check_mode(const char *mode, bool maps, struct berr **err)
{
	int r;

	if (mode && *mode && strcmp(mode, "host") != 0) {
		if (strncmp(mode, "auto", 4) != 0)
			return berr_set(err, EINVAL,
					"invalid USER mode: '%s' (host, auto[:size=N])", mode);
		if ((r = parse_auto_size(mode, err)) < 0)
			return r;
		if (maps)
			return berr_set(
				err, EINVAL,
				"--userns=auto cannot be combined with --uidmap or --gidmap");
	} else if (mode && strcmp(mode, "host") == 0 && maps) {
		return berr_set(err, EINVAL,
				"--userns=host cannot be combined with --uidmap or --gidmap");
	}
	return 0;
}

/* Check and keep the maps (uflag and gflag name them in messages). */
static int use_maps(const char *uflag, char *const *uidmap, const char *gflag, char *const *gidmap,
		    struct container_config *c, struct berr **err)
{
	int r;

	if ((r = check_maps(uflag, uidmap, err)) < 0 || (r = check_maps(gflag, gidmap, err)) < 0)
		return r;
	if (!(c->uid_map = strv_copy(uidmap)) || !(c->gid_map = strv_copy(gidmap)))
		return -ENOMEM;
	return 0;
}

/*
 * docker under userns-remap: a privileged container must opt out with --userns=host
 * (its capabilities would be the user namespace's, its devices unusable).
 */
static int from_remap(const struct userns_flags *f, struct container_config *c, struct berr **err)
{
	const char *remap = f->config->userns_remap;
	_cleanup_strv_ char **uid = NULL, **gid = NULL;
	int r;

	if (f->privileged)
		return berr_set(
			err, EINVAL,
			"privileged mode is incompatible with user namespaces.  You must run "
			"the container in the host namespace when running privileged mode");
	c->userns_remap = true;
	if (strcmp(remap, "auto") == 0)
		return (c->userns = strdup("auto")) ? 0 : -ENOMEM;
	if ((r = userns_remap_maps(remap, &uid, &gid, err)) < 0 ||
	    (r = use_maps(subids_path(SUBID_UID), uid, subids_path(SUBID_GID), gid, c, err)) < 0)
		return r == -ENOMEM ? r : berr_wrap(err, "%s: userns-remap", f->config->path);
	return 0;
}

int userns_from_flags(const struct userns_flags *f, struct container_config *c, struct berr **err)
{
	bool maps = f->uidmap || f->gidmap;
	/* podman: one of the two alone maps gids as uids (and the other way round) */
	char *const *uid = f->uidmap ? f->uidmap : f->gidmap;
	char *const *gid = f->gidmap ? f->gidmap : f->uidmap;
	int r;

	if ((r = check_mode(f->mode, maps, err)) < 0)
		return r;
	if (maps) {
		if ((r = use_maps("--uidmap", uid, "--gidmap", gid, c, err)) < 0)
			return r;
		return (c->userns = strdup("private")) ? 0 : -ENOMEM;
	}
	if (f->mode && *f->mode)
		return (c->userns = strdup(f->mode)) ? 0 : -ENOMEM;
	if (f->config && f->config->userns_remap)
		return from_remap(f, c, err);
	return 0;
}

bool userns_enabled(const struct container_config *c)
{
	return c->uid_map && c->uid_map[0];
}

bool userns_wanted(const struct container_config *c)
{
	return userns_enabled(c) || (c->userns && strcmp(c->userns, "host") != 0);
}

static uint32_t root_of(char *const *v)
{
	struct idmap_range m;

	STRV_FOREACH (s, v)
		if (userns_parse_range("map", *s, &m, NULL) >= 0 && m.container == 0)
			return m.host;
	return 0;
}

void userns_root_ids(const struct container_config *c, uid_t *ret_uid, gid_t *ret_gid)
{
	*ret_uid = userns_enabled(c) ? (uid_t) root_of(c->uid_map) : 0;
	*ret_gid = userns_enabled(c) ? (gid_t) root_of(c->gid_map) : 0;
}

static int write_map(pid_t pid, const char *file, char *const *v)
{
	char path[64], text[USERNS_MAX_MAPS * 40] = "";
	size_t len = 0;
	_cleanup_close_ int fd = -1;
	struct idmap_range m;

	STRV_FOREACH (s, v) {
		if (userns_parse_range("map", *s, &m, NULL) < 0)
			return -EINVAL;
		len += (size_t) snprintf(text + len, sizeof(text) - len,
					 "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n", m.container,
					 m.host, m.size);
		if (len >= sizeof(text))
			return -E2BIG;
	}
	snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return write(fd, text, len) == (ssize_t) len ? 0 : -errno;
}

int userns_open_fd(const struct container_config *c, int *ret_fd, struct berr **err)
{
	_cleanup_close_ int hold_rd = -1, hold_wr = -1;
	int p[2], r, fd = -1;
	char path[64];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return berr_sys(err, errno, "cannot make a pipe");
	hold_rd = p[0];
	hold_wr = p[1];
	/* a child in a new user namespace that lives until the pipe closes */
	pid = (pid_t) syscall(SYS_clone, (unsigned long) (CLONE_NEWUSER | SIGCHLD), NULL, NULL,
			      NULL, NULL);
	if (pid < 0)
		return berr_sys(err, errno,
				"cannot create a user namespace for the idmapped mounts");
	if (pid == 0) {
		char byte;

		(void) close(hold_wr);
		(void) read(hold_rd, &byte, 1);
		_exit(0);
	}
	r = write_map(pid, "uid_map", c->uid_map);
	if (r >= 0)
		r = write_map(pid, "gid_map", c->gid_map);
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int) pid);
	if (r >= 0 && (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		r = -errno;
	(void) close(TAKE_FD(hold_wr));
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (r < 0)
		return berr_sys(err, -r, "cannot write the user namespace's mapping");
	*ret_fd = fd;
	return 0;
}

static int mkdir_mode(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	struct stat st;

	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return -errno;
	if (lstat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if ((st.st_uid != uid || st.st_gid != gid) && lchown(path, uid, gid) < 0)
		return -errno;
	if ((st.st_mode & 07777) != mode && chmod(path, mode) < 0)
		return -errno;
	return 0;
}

int userns_bind_rootfs(const struct container_config *c, const char *bundle_rootfs,
		       struct berr **err)
{
	_cleanup_free_ char *dir = NULL, *target = NULL;
	uid_t uid;
	gid_t gid;
	int r;

	if (asprintf(&dir, "%s/%s", USERNS_RUN_DIR, c->id) < 0 ||
	    asprintf(&target, "%s/rootfs", dir) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	userns_root_ids(c, &uid, &gid);
	if ((r = mkdir_mode(USERNS_RUN_DIR, 0711, 0, 0)) < 0 ||
	    (r = mkdir_mode(dir, 0700, uid, gid)) < 0 ||
	    (r = mkdir_mode(target, 0755, uid, gid)) < 0)
		return berr_sys(err, -r, "cannot make '%s' for the container's root", target);
	if (mount(bundle_rootfs, target, NULL, MS_BIND | MS_REC, NULL) < 0)
		return berr_sys(err, errno, "cannot bind the rootfs on '%s'", target);
	return 0;
}
