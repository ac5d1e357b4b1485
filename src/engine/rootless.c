/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/rootless.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/container.h"
#include "engine/subids.h"
#include "lib/cleanup.h"
#include "lib/crashpoint.h"
#include "lib/fd.h"
#include "lib/log.h"

#define PAUSE_COMM "berth-pause"

/* The user berth runs for: the host's uid, also inside the namespaces (ROOTLESS_ENV). */
static uid_t host_uid(void)
{
	const char *v = getenv(ROOTLESS_ENV);
	char *end;
	unsigned long u;

	if (v && *v) {
		errno = 0;
		u = strtoul(v, &end, 10);
		if (!errno && !*end && u < UINT_MAX)
			return (uid_t) u;
	}
	return getuid();
}

/* $VAR/berth when VAR is an absolute path, else $HOME/fallback/berth. */
static int xdg_dir(const char *var, const char *fallback, char **ret, struct berr **err)
{
	const char *v = getenv(var), *home = getenv("HOME");

	if (v && v[0] == '/')
		return asprintf(ret, "%s/berth", v) < 0 ? berr_set(err, ENOMEM, "out of memory")
							: 0;
	if (!home || home[0] != '/') {
		struct passwd *pw = getpwuid(host_uid());

		home = pw ? pw->pw_dir : NULL;
	}
	if (!home || home[0] != '/')
		return berr_set(err, ENOENT, "rootless: neither $%s nor $HOME is set", var);
	return asprintf(ret, "%s/%s/berth", home, fallback) < 0
		       ? berr_set(err, ENOMEM, "out of memory")
		       : 0;
}

int rootless_paths_get(struct rootless_paths *ret, struct berr **err)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");
	struct rootless_paths p = {0};
	int r;

	if ((r = xdg_dir("XDG_DATA_HOME", ".local/share", &p.data, err)) < 0 ||
	    (r = xdg_dir("XDG_CONFIG_HOME", ".config", &p.config, err)) < 0)
		goto fail;
	if (!rt || rt[0] != '/') {
		r = berr_set(err, ENOENT,
			     "rootless: $XDG_RUNTIME_DIR is not set (a directory of your own, "
			     "as /run/user/%u that systemd-logind makes at login)",
			     (unsigned) host_uid());
		goto fail;
	}
	if (asprintf(&p.run, "%s/berth", rt) < 0) {
		r = berr_set(err, ENOMEM, "out of memory");
		goto fail;
	}
	*ret = p;
	return 0;
fail:
	rootless_paths_done(&p);
	return r;
}

void rootless_paths_done(struct rootless_paths *p)
{
	free(p->data);
	free(p->run);
	free(p->config);
	*p = (struct rootless_paths){0};
}

/*
 * The first range of the user in path (/etc/subuid or /etc/subgid, keyed by the user's
 * name or uid in both, as newuidmap and newgidmap read them); 0: none.
 */
static int subid_range(const char *path, const char *name, uid_t uid, unsigned long *start,
		       unsigned long *count)
{
	struct subid_ranges r;
	char ids[16];

	snprintf(ids, sizeof(ids), "%u", (unsigned) uid);
	if (subids_read(path, name, ids, &r) < 0 || r.n == 0)
		return 0;
	*start = r.v[0].start;
	*count = r.v[0].count;
	return 1;
}

/* In /proc/PID: is it our pause process (its comm, our uid)? */
static bool is_our_pause(pid_t pid)
{
	_cleanup_free_ char *comm = NULL, *status = NULL;
	char path[64], want[64];
	const char *uid;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int) pid);
	if (read_file_at(AT_FDCWD, path, 256, &comm, NULL) < 0 ||
	    strcmp(comm, PAUSE_COMM "\n") != 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
	if (read_file_at(AT_FDCWD, path, 1 << 16, &status, NULL) < 0 ||
	    !(uid = strstr(status, "\nUid:\t")))
		return false;
	/* killed and not yet reaped: its namespaces are gone */
	if (strstr(status, "\nState:\tZ") || strstr(status, "\nState:\tX"))
		return false;
	/* as this process sees uids: the host's outside, the namespace's inside */
	snprintf(want, sizeof(want), "\nUid:\t%u\t", (unsigned) getuid());
	return strncmp(uid, want, strlen(want)) == 0;
}

pid_t rootless_pause_pid(const char *run_dir)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	long pid;
	char *end;

	if (asprintf(&path, "%s/pause.pid", run_dir) < 0 ||
	    read_file_at(AT_FDCWD, path, 64, &text, NULL) < 0)
		return -ESRCH;
	pid = strtol(text, &end, 10);
	if (pid <= 0 || pid > INT_MAX || (*end && *end != '\n') || !is_our_pause((pid_t) pid))
		return -ESRCH;
	return (pid_t) pid;
}

struct pause_msg {
	int err; /* 0, or the errno of the step that failed */
	pid_t pid;
};

static void send_msg(int fd, int e)
{
	struct pause_msg m = {.err = e, .pid = getpid()};

	(void) !write(fd, &m, sizeof(m));
}

/*
 * The pause process: a user namespace (mapped by the parent), a mount namespace it owns,
 * then nothing but waiting, until SIGTERM or SIGKILL.
 */
static _Noreturn void pause_main(int w, int rd)
{
	sigset_t none;
	char b;
	int null;

	if (unshare(CLONE_NEWUSER) < 0) {
		send_msg(w, errno);
		_exit(1);
	}
	send_msg(w, 0);
	if (read(rd, &b, 1) != 1) /* the maps are written */
		_exit(1);
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) {
		send_msg(w, errno);
		_exit(1);
	}
	send_msg(w, 0);
	/*
	 * Kept only once its pid is recorded: a berth killed before that closes the pipe,
	 * and an unrecorded pause process, which nothing would ever stop, goes too.
	 */
	(void) prctl(PR_SET_NAME, PAUSE_COMM, 0, 0, 0);
	if (read(rd, &b, 1) != 1 || b != 'g')
		_exit(1);
	(void) chdir("/");
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		(void) dup2(null, 0);
		(void) dup2(null, 1);
		(void) dup2(null, 2);
	}
	/* nothing of the command that made it: no lock, no pipe, no terminal */
	if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0)
		for (int fd = 3; fd < 1024; fd++)
			(void) close(fd);
	(void) signal(SIGINT, SIG_IGN);
	(void) signal(SIGHUP, SIG_IGN);
	(void) signal(SIGPIPE, SIG_IGN);
	(void) signal(SIGTERM, SIG_DFL);
	sigemptyset(&none);
	(void) sigprocmask(SIG_SETMASK, &none, NULL);
	for (;;)
		pause();
}

/* Run argv (newuidmap or newgidmap) and wait: 0, or a message. */
static int run_helper(char *const argv[], struct berr **err)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return berr_sys(err, errno, "cannot fork %s", argv[0]);
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return berr_sys(err, errno, "waiting for %s", argv[0]);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return berr_set(err, ENOENT,
				"rootless: %s is not installed (Debian's package uidmap)", argv[0]);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return berr_set(err, EPERM, "rootless: %s refused the mapping (see above)",
				argv[0]);
	return 0;
}

static int write_proc(pid_t pid, const char *file, const char *text)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, file);
	return write_file_at(AT_FDCWD, path, text, O_WRONLY);
}

/*
 * The pause process's maps: container 0 is the user, 1.. the user's subordinate ids
 * (newuidmap/newgidmap check them against /etc/subuid and /etc/subgid); with none, only
 * the user is mapped, and berth says what that costs.
 */
static int write_maps(pid_t pid, struct berr **err)
{
	uid_t uid = host_uid();
	gid_t gid = getgid();
	struct passwd *pw = getpwuid(uid);
	unsigned long us = 0, uc = 0, gs = 0, gc = 0;
	char a[8][24], text[64];
	int r;

	if (subid_range("/etc/subuid", pw ? pw->pw_name : NULL, uid, &us, &uc) &&
	    subid_range("/etc/subgid", pw ? pw->pw_name : NULL, uid, &gs, &gc)) {
		char *uargv[] = {"newuidmap", a[0], "0", a[1], "1", "1", a[2], a[3], NULL};
		char *gargv[] = {"newgidmap", a[0], "0", a[4], "1", "1", a[5], a[6], NULL};

		snprintf(a[0], sizeof(a[0]), "%d", (int) pid);
		snprintf(a[1], sizeof(a[1]), "%u", (unsigned) uid);
		snprintf(a[2], sizeof(a[2]), "%lu", us);
		snprintf(a[3], sizeof(a[3]), "%lu", uc);
		snprintf(a[4], sizeof(a[4]), "%u", (unsigned) gid);
		snprintf(a[5], sizeof(a[5]), "%lu", gs);
		snprintf(a[6], sizeof(a[6]), "%lu", gc);
		if ((r = run_helper(uargv, err)) < 0 || (r = run_helper(gargv, err)) < 0)
			return r;
		return 0;
	}
	log_warn("rootless: no subordinate ids for %s in /etc/subuid and /etc/subgid: only "
		 "your own uid and gid are mapped, and an image whose files belong to other "
		 "users cannot be used (add a line such as '%s:100000:65536' to both)",
		 pw ? pw->pw_name : "you", pw ? pw->pw_name : "USER");
	if ((r = write_proc(pid, "setgroups", "deny")) < 0)
		return berr_sys(err, -r, "rootless: writing setgroups");
	snprintf(text, sizeof(text), "0 %u 1\n", (unsigned) uid);
	if ((r = write_proc(pid, "uid_map", text)) < 0)
		return berr_sys(err, -r, "rootless: writing uid_map");
	snprintf(text, sizeof(text), "0 %u 1\n", (unsigned) gid);
	if ((r = write_proc(pid, "gid_map", text)) < 0)
		return berr_sys(err, -r, "rootless: writing gid_map");
	return 0;
}

static int read_msg(int fd, struct pause_msg *m)
{
	ssize_t n;

	while ((n = read(fd, m, sizeof(*m))) < 0 && errno == EINTR)
		;
	return n == (ssize_t) sizeof(*m) ? 0 : -EIO;
}

/* Start the pause process; its pid in *ret (and in RUN_DIR/pause.pid). */
static int pause_start(int run_fd, pid_t *ret, struct berr **err)
{
	_cleanup_close_ int up_r = -1, up_w = -1, down_r = -1, down_w = -1;
	struct pause_msg m = {0};
	char text[24];
	int p[2], status, r;
	pid_t mid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return berr_sys(err, errno, "pipe");
	up_r = p[0], up_w = p[1];
	if (pipe2(p, O_CLOEXEC) < 0)
		return berr_sys(err, errno, "pipe");
	down_r = p[0], down_w = p[1];
	mid = fork();
	if (mid < 0)
		return berr_sys(err, errno, "cannot fork the pause process");
	if (mid == 0) {
		/* its own session, and no parent of ours: it outlives this command */
		pid_t pid;

		(void) setsid();
		pid = fork();
		if (pid != 0)
			_exit(pid < 0);
		close(up_r);
		close(down_w);
		pause_main(up_w, down_r);
	}
	while (waitpid(mid, &status, 0) < 0 && errno == EINTR)
		;
	close(TAKE_FD(up_w));
	close(TAKE_FD(down_r));
	if (read_msg(up_r, &m) < 0 || m.err)
		return berr_sys(err, m.err ? m.err : EIO, "rootless: cannot make a user namespace");
	crashpoint("rootless-pause-forked");
	r = write_maps(m.pid, err);
	if (r < 0) {
		(void) kill(m.pid, SIGKILL);
		return r;
	}
	if (write(down_w, "m", 1) != 1 || read_msg(up_r, &m) < 0 || m.err) {
		(void) kill(m.pid, SIGKILL);
		return berr_sys(err, m.err ? m.err : EIO,
				"rootless: cannot make the mount namespace");
	}
	snprintf(text, sizeof(text), "%d\n", (int) m.pid);
	r = write_file_atomic_at(run_fd, "pause.pid", text, strlen(text), 0600, false);
	if (r < 0) {
		(void) kill(m.pid, SIGKILL);
		return berr_sys(err, -r, "rootless: cannot write pause.pid");
	}
	crashpoint("rootless-pause-recorded");
	if (write(down_w, "g", 1) != 1) {
		(void) kill(m.pid, SIGKILL);
		return berr_sys(err, errno, "rootless: cannot start the pause process");
	}
	*ret = m.pid;
	return 0;
}

static int join(pid_t pid, struct berr **err)
{
	_cleanup_close_ int ufd = -1, mfd = -1;
	_cleanup_free_ char *cwd = getcwd(NULL, 0);
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int) pid);
	ufd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int) pid);
	mfd = open(path, O_RDONLY | O_CLOEXEC);
	if (ufd < 0 || mfd < 0)
		return berr_sys(err, errno, "rootless: cannot open the namespaces of pid %d",
				(int) pid);
	if (setns(ufd, CLONE_NEWUSER) < 0)
		return berr_sys(err, errno, "rootless: cannot join the user namespace");
	if (setns(mfd, CLONE_NEWNS) < 0)
		return berr_sys(err, errno, "rootless: cannot join the mount namespace");
	/* setns put us at the namespace's root: back where the user was */
	if (!cwd || chdir(cwd) < 0)
		(void) chdir("/");
	return 0;
}

int rootless_enter(const char *run_dir, struct berr **err)
{
	_cleanup_close_ int run_fd = -1, lock = -1;
	char uid[24];
	struct stat st;
	pid_t pid;
	int r;

	if (getenv(ROOTLESS_ENV) || geteuid() == 0)
		return 0;
	if (mkdir(run_dir, 0700) < 0 && errno != EEXIST)
		return berr_sys(err, errno, "rootless: cannot create '%s'", run_dir);
	run_fd = open(run_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (run_fd < 0)
		return berr_sys(err, errno, "rootless: cannot open '%s'", run_dir);
	if (fstat(run_fd, &st) < 0 || st.st_uid != getuid() || (st.st_mode & 077))
		return berr_set(err, EPERM,
				"rootless: '%s' must be a directory of yours that no one else "
				"may enter (mode 0700)",
				run_dir);
	lock = openat(run_fd, "pause.lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lock < 0)
		return berr_sys(err, errno, "rootless: cannot open '%s/pause.lock'", run_dir);
	while (flock(lock, LOCK_EX) < 0)
		if (errno != EINTR)
			return berr_sys(err, errno, "rootless: cannot lock '%s/pause.lock'",
					run_dir);
	pid = rootless_pause_pid(run_dir);
	if (pid < 0 && (r = pause_start(run_fd, &pid, err)) < 0)
		return r;
	snprintf(uid, sizeof(uid), "%u", (unsigned) getuid());
	if ((r = join(pid, err)) < 0)
		return r;
	if (setenv(ROOTLESS_ENV, uid, 1) < 0)
		return berr_sys(err, errno, "setenv");
	return 0;
}

int rootless_check_config(const struct container_config *c, struct berr **err)
{
	if (!rootless_mode())
		return 0;
	if ((c->userns && strcmp(c->userns, "host") != 0) || c->uid_map || c->gid_map)
		return berr_set(
			err, ENOTSUP,
			"--userns, --uidmap and --gidmap: rootless berth's containers share "
			"the user's namespace; a namespace of their own is not supported yet");
	if (c->memory || c->memory_swap || c->memory_reservation || c->nano_cpus || c->cpu_shares ||
	    c->cpu_period || c->cpu_quota || c->pids_limit > 0 || c->blkio_weight ||
	    c->cpuset_cpus || c->cpuset_mems || c->oom_kill_disable)
		log_warn("rootless: resource limits are not applied: berth has no cgroup of its "
			 "own to set them in (cgroup v2 delegation is not supported yet)");
	return 0;
}
