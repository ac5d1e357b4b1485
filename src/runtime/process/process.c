/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/process/process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/passwd.h"
#include "lib/safe_path.h"
#include "lib/strv.h"
#include "runtime/security/caps.h"

/* The home directory of uid in the container's /etc/passwd (at /: after pivot_root). */
static char *passwd_home(uid_t uid)
{
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *text = NULL;

	/* Only a regular file: the image may plant a FIFO (create would hang) or a device. */
	if (root < 0 || passwd_read_in_root(root, &text) < 0)
		return NULL;
	return passwd_field(text, uid, PASSWD_HOME);
}

static int build_env(const struct spec_process *p, char ***ret)
{
	_cleanup_strv_ char **env = strv_copy(p->env);
	_cleanup_free_ char *home = NULL;
	char *entry = NULL;

	if (!env && p->env)
		return -ENOMEM;
	if (!strv_env_get(env, "HOME")) {
		home = passwd_home(p->user.uid);
		if (asprintf(&entry, "HOME=%s", home ? home : "/") < 0)
			return -ENOMEM;
		if (strv_consume(&env, entry) < 0)
			return -ENOMEM;
	}
	if (!env && !(env = calloc(1, sizeof(char *))))
		return -ENOMEM;
	*ret = TAKE_PTR(env);
	return 0;
}

static bool is_executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

static int lookup_path(const char *name, const char *path_env, char **ret)
{
	_cleanup_free_ char *copy = NULL;
	char *save = NULL;

	if (strchr(name, '/')) {
		if (!is_executable(name))
			return access(name, F_OK) == 0 ? -EACCES : -ENOENT;
		*ret = strdup(name);
		return *ret ? 0 : -ENOMEM;
	}
	if (!path_env)
		return -ENOENT;
	copy = strdup(path_env);
	if (!copy)
		return -ENOMEM;
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *candidate = NULL;

		if (asprintf(&candidate, "%s/%s", *dir ? dir : ".", name) < 0)
			return -ENOMEM;
		if (is_executable(candidate)) {
			*ret = candidate;
			return 0;
		}
		free(candidate);
	}
	return -ENOENT;
}

int process_prepare_exec(const struct spec_process *p, char **ret_path, char ***ret_env,
			 struct berr **err)
{
	_cleanup_strv_ char **env = NULL;
	_cleanup_free_ char *path = NULL;
	int r;

	r = build_env(p, &env);
	if (r < 0)
		return berr_set(err, -r, "out of memory");
	r = lookup_path(p->args[0], strv_env_get(env, "PATH"), &path);
	/* Clients map these texts (Go's, as runc prints them) to exit codes 127 and 126. */
	if (r == -ENOENT && !strchr(p->args[0], '/'))
		return berr_set(err, ENOENT, "exec '%s': executable file not found in $PATH",
				p->args[0]);
	if (r < 0)
		return berr_sys(err, -r, "executable '%s'", p->args[0]);
	*ret_path = TAKE_PTR(path);
	*ret_env = TAKE_PTR(env);
	return 0;
}

/*
 * The cwd is resolved inside the container's root with magic links refused: a cwd like
 * /proc/self/fd/N must not reach a directory fd the runtime held (CVE-2024-21626).
 */
static int enter_cwd(const char *cwd, struct berr **err)
{
	_cleanup_close_ int root = -1, fd = -1;

	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return berr_sys(err, errno, "opening /");
	fd = safe_open_in_root(root, cwd, O_PATH | O_DIRECTORY, 0);
	/* A missing cwd is created inside the container, as runc does. */
	if (fd == -ENOENT)
		fd = safe_mkdir_p_in_root(root, cwd, 0755);
	if (fd < 0)
		return berr_sys(err, -fd, "changing to cwd '%s'", cwd);
	if (fchdir(fd) < 0)
		return berr_sys(err, errno, "changing to cwd '%s'", cwd);
	return 0;
}

/* A user namespace joined by path may have setgroups denied by its creator. */
static bool setgroups_denied_here(void)
{
	_cleanup_free_ char *text = NULL;

	return read_file_at(AT_FDCWD, "/proc/self/setgroups", 64, &text, NULL) >= 0 &&
	       strncmp(text, "deny", 4) == 0;
}

static int set_ids(const struct spec_process *p, bool setgroups_allowed, struct berr **err)
{
	const struct spec_user *u = &p->user;

	if (!setgroups_allowed && u->n_additional_gids)
		return berr_set(
			err, EPERM,
			"process.user.additionalGids: cannot be set: setgroups is denied in "
			"this user namespace (rootless, mapping only the caller's ids)");
	if (setgroups_allowed &&
	    setgroups(u->n_additional_gids, (const gid_t *) u->additional_gids) < 0 &&
	    !(errno == EPERM && !u->n_additional_gids && setgroups_denied_here()))
		return berr_sys(err, errno, "setting additional groups");
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return berr_sys(err, errno, "setting gid %u", u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return berr_sys(err, errno, "setting uid %u", u->uid);
	return 0;
}

/*
 * Why this order: dropping from the bounding set needs CAP_SETPCAP, which the uid
 * change would clear; PR_SET_KEEPCAPS keeps the permitted set across setresuid so the
 * final capset can still grant what the config asks (runc's finalizeNamespace).
 * Inheritable stays empty unless the config names it (CVE-2022-29162).
 */
int process_set_identity(const struct spec_process *p, bool setgroups_allowed, struct berr **err)
{
	bool cwd_done;
	int r;

	if (p->has_capabilities) {
		r = caps_drop_bounding(p->capabilities.bounding, err);
		if (r < 0)
			return r;
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
			return berr_sys(err, errno, "keeping capabilities");
	}
	/*
	 * The cwd first while still privileged, as runc: a cwd the user may not search
	 * (/root 0700 for uid 42) is still entered. Where root may not (root-squashed NFS),
	 * again as the user after the switch.
	 */
	r = enter_cwd(p->cwd, err);
	if (r == -EACCES || r == -EPERM)
		berr_clear(err);
	else if (r < 0)
		return r;
	cwd_done = r >= 0;
	r = set_ids(p, setgroups_allowed, err);
	if (r < 0)
		return r;
	return cwd_done ? 0 : enter_cwd(p->cwd, err);
}

int process_set_capabilities(const struct spec_process *p, struct berr **err)
{
	int r;

	if (p->has_capabilities) {
		if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
			return berr_sys(err, errno, "clearing keep-capabilities");
		r = caps_apply(&p->capabilities, err);
		if (r < 0)
			return r;
	}
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return berr_sys(err, errno, "setting no_new_privs");
	umask(p->user.umask.set ? (mode_t) p->user.umask.v : 022);
	return 0;
}

int process_become_user(const struct spec_process *p, bool setgroups_allowed, struct berr **err)
{
	int r = process_set_identity(p, setgroups_allowed, err);

	return r < 0 ? r : process_set_capabilities(p, err);
}

int process_set_oom_score_adj(pid_t pid, const struct spec_process *p, struct berr **err)
{
	char buf[16], path[64];
	int r;

	if (!p->oom_score_adj.set)
		return 0;
	snprintf(buf, sizeof(buf), "%d", p->oom_score_adj.v);
	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int) pid);
	else
		snprintf(path, sizeof(path), "/proc/self/oom_score_adj");
	r = write_file_at(AT_FDCWD, path, buf, O_WRONLY);
	if (r == -EACCES || r == -EPERM)
		return berr_set(
			err, -r,
			"process.oomScoreAdj: %d is below the runtime's own value, and "
			"lowering it needs CAP_SYS_RESOURCE, which berth-runtime does not have",
			p->oom_score_adj.v);
	if (r < 0)
		return berr_sys(err, -r, "process.oomScoreAdj: setting %d", p->oom_score_adj.v);
	return 0;
}
