/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/lifecycle/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/passwd.h"

#define STATE_MAX_SIZE (1u << 20)
#define ID_MAX_LEN 1024

static const char *const status_names[_STATUS_MAX] = {
	[STATUS_CREATING] = "creating", [STATUS_CREATED] = "created", [STATUS_RUNNING] = "running",
	[STATUS_PAUSED] = "paused",	[STATUS_STOPPED] = "stopped",
};

const char *status_name(enum container_status s)
{
	return s < _STATUS_MAX ? status_names[s] : "unknown";
}

bool state_id_valid(const char *id)
{
	size_t len = strlen(id);

	if (len == 0 || len > ID_MAX_LEN || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return false;
	for (const char *p = id; *p; p++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '+' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

int state_root_open(const char *root, bool create, int *ret_fd, struct berr **err)
{
	int fd;

	if (create) {
		/* mkdir -p: every missing parent of the root, then the root itself. */
		_cleanup_free_ char *copy = strdup(root);

		if (!copy)
			return berr_set(err, ENOMEM, "out of memory");
		for (char *p = copy + 1; *p; p++) {
			if (*p != '/')
				continue;
			*p = '\0';
			if (mkdir(copy, 0711) < 0 && errno != EEXIST)
				return berr_sys(err, errno, "creating state root '%s'", copy);
			*p = '/';
		}
		if (mkdir(root, 0700) < 0 && errno != EEXIST)
			return berr_sys(err, errno, "creating state root '%s'", root);
	}
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, errno, "opening state root '%s'", root);
	*ret_fd = fd;
	return 0;
}

static int lock_dir(int dirfd, bool exclusive)
{
	while (flock(dirfd, exclusive ? LOCK_EX : LOCK_SH) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int state_dir_create(int rootfd, const char *id, int *ret_dirfd, struct berr **err)
{
	_cleanup_close_ int fd = -1;
	int r;

	if (mkdirat(rootfd, id, 0700) < 0) {
		if (errno == EEXIST)
			return berr_set(err, EEXIST, "container '%s' already exists", id);
		return berr_sys(err, errno, "creating state directory for '%s'", id);
	}
	fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || (r = lock_dir(fd, true)) < 0) {
		int e = fd < 0 ? errno : -r;

		(void) unlinkat(rootfd, id, AT_REMOVEDIR);
		return berr_sys(err, e, "opening state directory for '%s'", id);
	}
	*ret_dirfd = TAKE_FD(fd);
	return 0;
}

int state_dir_open(int rootfd, const char *id, bool exclusive, int *ret_dirfd, struct berr **err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r;

	if (!state_id_valid(id))
		return berr_set(err, EINVAL, "invalid container id '%s'", id);
	fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return berr_set(err, ENOENT, "container '%s' does not exist", id);
		return berr_sys(err, errno, "opening state directory of '%s'", id);
	}
	r = lock_dir(fd, exclusive);
	if (r < 0)
		return berr_sys(err, -r, "locking state directory of '%s'", id);
	/* It may have been deleted while we waited for the lock. */
	if (fstat(fd, &st) < 0 || st.st_nlink == 0)
		return berr_set(err, ENOENT, "container '%s' does not exist", id);
	*ret_dirfd = TAKE_FD(fd);
	return 0;
}

int state_dir_remove(int rootfd, const char *id)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd;

	fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	d = fdopendir(fd);
	if (!d) {
		(void) close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		(void) unlinkat(dirfd(d), de->d_name, 0);
	}
	if (unlinkat(rootfd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

char *rfc3339_now(void)
{
	struct timespec now;
	struct tm tm;
	char buf[64], *out = NULL;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	if (asprintf(&out, "%s.%09ldZ", buf, now.tv_nsec) < 0)
		return NULL;
	return out;
}

static struct jwriter *annotations_json(const struct container_state *st)
{
	struct jwriter *a = jw_object();

	for (size_t i = 0; i < st->n_annotations; i++)
		jw_str(a, st->annotations[i].key, st->annotations[i].value);
	return a;
}

char *state_file_json(const struct container_state *st)
{
	_cleanup_jw_ struct jwriter *o = jw_object();

	jw_str(o, "ociVersion", BERTH_OCI_VERSION);
	jw_str(o, "id", st->id);
	jw_int(o, "pid", st->pid);
	jw_uint(o, "startTime", st->start_time);
	jw_str(o, "bundle", st->bundle);
	jw_str(o, "rootfs", st->rootfs);
	jw_str(o, "created", st->created);
	jw_uint(o, "owner", st->owner);
	jw_str(o, "phase", status_name(st->phase));
	jw_put(o, "annotations", annotations_json(st));
	jw_str(o, "cgroupPath", st->cgroup_path);
	jw_bool(o, "cgroupCreated", st->cgroup_created);
	jw_bool(o, "ownPidNs", st->own_pid_ns);
	jw_bool(o, "noNewKeyring", st->no_new_keyring);
	return jw_to_string(o, false);
}

int state_save(int dirfd, const struct container_state *st, struct berr **err)
{
	_cleanup_free_ char *text = state_file_json(st);
	int r;

	if (!text)
		return berr_set(err, ENOMEM, "out of memory");
	r = write_file_atomic_at(dirfd, STATE_FILE, text, strlen(text), 0600, false);
	if (r < 0)
		return berr_sys(err, -r, "writing %s", STATE_FILE);
	return 0;
}

static int state_fields(const struct jnode *top, struct container_state *st, struct berr **err)
{
	_cleanup_free_ char *phase = NULL;
	struct jnode m;
	int64_t pid = 0;
	uint32_t owner = 0;
	int r;

	if (!jnode_is_object(top))
		return berr_set(err, EINVAL, "must be an object");
	if ((r = jnode_get_string(top, "id", &st->id, err)) < 0 ||
	    (r = jnode_get_int64(top, "pid", &pid, err)) < 0 ||
	    (r = jnode_get_uint64(top, "startTime", &st->start_time, err)) < 0 ||
	    (r = jnode_get_string(top, "bundle", &st->bundle, err)) < 0 ||
	    (r = jnode_get_string(top, "rootfs", &st->rootfs, err)) < 0 ||
	    (r = jnode_get_string(top, "created", &st->created, err)) < 0 ||
	    (r = jnode_get_uint32(top, "owner", &owner, err)) < 0 ||
	    (r = jnode_get_string(top, "phase", &phase, err)) < 0 ||
	    (r = jnode_get_string(top, "cgroupPath", &st->cgroup_path, err)) < 0 ||
	    (r = jnode_get_bool(top, "cgroupCreated", &st->cgroup_created, err)) < 0 ||
	    (r = jnode_get_bool(top, "ownPidNs", &st->own_pid_ns, err)) < 0 ||
	    (r = jnode_get_bool(top, "noNewKeyring", &st->no_new_keyring, err)) < 0)
		return r;
	if (!st->id || !st->bundle)
		return berr_set(err, EINVAL, "id and bundle must be given");
	if (pid < 0 || pid > INT32_MAX)
		return berr_set(err, EINVAL, "pid: out of range");
	st->pid = (pid_t) pid;
	st->owner = owner;
	st->phase = STATUS_CREATING;
	for (int i = 0; phase && i < _STATUS_MAX; i++)
		if (strcmp(phase, status_names[i]) == 0)
			st->phase = (enum container_status) i;
	jnode_member(top, "annotations", &m);
	return oci_parse_kv_map(&m, &st->annotations, &st->n_annotations, err);
}

int state_parse(const char *text, size_t len, struct container_state **ret, struct berr **err)
{
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	_cleanup_state_ struct container_state *st = NULL;
	struct jnode top;
	int r;

	r = jdoc_parse(text, len, STATE_FILE, &doc, err);
	if (r < 0)
		return r;
	st = calloc(1, sizeof(*st));
	if (!st)
		return berr_set(err, ENOMEM, "out of memory");
	st->exit_code = -1;
	jdoc_root(doc, &top);
	r = state_fields(&top, st, err);
	if (r < 0)
		return berr_wrap(err, STATE_FILE);
	*ret = TAKE_PTR(st);
	return 0;
}

int state_load(int dirfd, struct container_state **ret, struct berr **err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	r = read_file_at(dirfd, STATE_FILE, STATE_MAX_SIZE, &text, &len);
	/* A create killed before its first state write: nothing ran (as runc's ErrNotExist). */
	if (r == -ENOENT)
		return berr_set(err, ENOENT, "container does not exist (no %s)", STATE_FILE);
	if (r < 0)
		return berr_sys(err, -r, "reading %s", STATE_FILE);
	return state_parse(text, len, ret, err);
}

struct container_state *state_free(struct container_state *st)
{
	if (!st)
		return NULL;
	free(st->id);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	kv_free_array(st->annotations, st->n_annotations);
	free(st->cgroup_path);
	free(st);
	return NULL;
}

int proc_start_time(pid_t pid, uint64_t *ret)
{
	char path[64], state;
	_cleanup_free_ char *text = NULL;
	const char *p;
	unsigned long long start;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
	r = read_file_at(AT_FDCWD, path, 4096, &text, NULL);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	/* comm (field 2) may hold spaces and parentheses: parse after the last ')'. */
	p = strrchr(text, ')');
	if (!p || sscanf(p + 1, " %c", &state) != 1)
		return -EINVAL;
	if (state == 'Z' || state == 'X')
		return -ESRCH;
	p += 2;
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -EINVAL;
		p++;
	}
	if (sscanf(p, "%llu", &start) != 1)
		return -EINVAL;
	*ret = start;
	return 0;
}

bool state_pid_alive(const struct container_state *st)
{
	uint64_t start;

	if (st->pid <= 0 || proc_start_time(st->pid, &start) < 0)
		return false;
	return start == st->start_time;
}

enum container_status state_status(const struct container_state *st)
{
	if (st->pid <= 0)
		return STATUS_CREATING;
	if (!state_pid_alive(st))
		return STATUS_STOPPED;
	return st->phase;
}

char *state_to_json(const struct container_state *st, enum container_status status, bool pretty)
{
	_cleanup_jw_ struct jwriter *o = jw_object();
	/* Not getpwuid: no NSS modules in the static runtime. */
	_cleanup_free_ char *owner = passwd_host_name(st->owner);
	bool has_pid =
		status == STATUS_CREATED || status == STATUS_RUNNING || status == STATUS_PAUSED;

	jw_str(o, "ociVersion", BERTH_OCI_VERSION);
	jw_str(o, "id", st->id);
	jw_int(o, "pid", has_pid ? st->pid : 0);
	jw_str(o, "status", status_name(status));
	jw_str(o, "bundle", st->bundle);
	jw_str(o, "rootfs", st->rootfs);
	jw_str(o, "created", st->created);
	jw_str(o, "owner", owner ? owner : "");
	if (st->n_annotations)
		jw_put(o, "annotations", annotations_json(st));
	return jw_to_string(o, pretty);
}

int state_open_container(const char *root, const char *id, bool exclusive, int *ret_rootfd,
			 int *ret_dirfd, struct container_state **ret_st, struct berr **err)
{
	_cleanup_close_ int rootfd = -1, dirfd = -1;
	int r;

	if (!state_id_valid(id))
		return berr_set(err, EINVAL, "invalid container id '%s'", id);
	r = state_root_open(root, false, &rootfd, err);
	if (r == -ENOENT)
		return berr_set(err, ENOENT, "container '%s' does not exist", id);
	if (r < 0)
		return r;
	r = state_dir_open(rootfd, id, exclusive, &dirfd, err);
	if (r < 0)
		return r;
	if (ret_st) {
		r = state_load(dirfd, ret_st, err);
		if (r < 0)
			return r;
	}
	if (ret_rootfd)
		*ret_rootfd = TAKE_FD(rootfd);
	*ret_dirfd = TAKE_FD(dirfd);
	return 0;
}
