/* SPDX-License-Identifier: Apache-2.0 */
/* The aardvark-dns process of an engine root and its configuration files (dns.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "net/dns.h"

#define AARDVARK_BIN "/usr/lib/podman/aardvark-dns"
#define AARDVARK_PID "aardvark.pid"
#define DNS_FILE_MAX (IPAM_MAX * 512)
#define WAIT_STEP_NS 5000000L
#define WAIT_STEPS 400 /* 2 s */

/* dns.lock: held by every change of dns/ and of aardvark (network.h's lock is not needed). */
static int dns_lock(const struct net_root *nr, struct berr **err)
{
	_cleanup_close_ int fd =
		openat(nr->rootfd, "dns.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return berr_sys(err, errno, "cannot open '%s/dns.lock'", nr->root);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return berr_sys(err, errno, "cannot lock '%s/dns.lock'", nr->root);
	return TAKE_FD(fd);
}

static int dns_dir(const struct net_root *nr, struct berr **err)
{
	int fd;

	if (mkdirat(nr->rootfd, "dns", 0700) < 0 && errno != EEXIST)
		return berr_sys(err, errno, "cannot create '%s/dns'", nr->root);
	fd = openat(nr->rootfd, "dns", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? berr_sys(err, errno, "cannot open '%s/dns'", nr->root) : fd;
}

/* keep(): a line whose container directory is gone is left from a killed berth */
static bool container_exists(const char *id, void *userdata)
{
	char path[32 + IPAM_ID_LEN];
	struct stat st;

	snprintf(path, sizeof(path), "containers/%s", id);
	return fstatat(*(int *) userdata, path, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT;
}

/* Rewrite dirfd/file; *ret_changed says whether its text changed. */
static int update_file(int dirfd, int rootfd, const char *file, uint32_t gateway, const char *id,
		       const char *line, bool *ret_changed, struct berr **err)
{
	_cleanup_free_ char *old = NULL, *text = NULL;
	int r = read_file_at(dirfd, file, DNS_FILE_MAX, &old, NULL);

	if (r < 0 && r != -ENOENT)
		return berr_sys(err, -r, "cannot read the name server's file 'dns/%s'", file);
	if (dns_file_update(old, gateway, id, line, container_exists, &rootfd, &text) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	*ret_changed = !old != !text || (old && strcmp(old, text) != 0);
	if (!*ret_changed)
		return 0;
	if (!text)
		r = unlinkat(dirfd, file, 0) < 0 && errno != ENOENT ? -errno : 0;
	else
		r = write_file_atomic_at(dirfd, file, text, strlen(text), 0600, false);
	return r < 0 ? berr_sys(err, -r, "cannot write the name server's file 'dns/%s'", file) : 0;
}

static bool is_network_file(const char *name)
{
	return name[0] != '.' && strcmp(name, AARDVARK_PID) != 0;
}

static bool any_network_file(int dirfd)
{
	_cleanup_closedir_ DIR *d = NULL;
	/* a fresh open: a dup would share (and find at its end) another reader's position */
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			(void) close(fd);
		return true; /* cannot tell: keep it running */
	}
	while ((de = readdir(d)))
		if (is_network_file(de->d_name))
			return true;
	return false;
}

/* The pid in dns/aardvark.pid when it is an aardvark-dns serving dir; else 0. */
static pid_t aardvark_pid(int dirfd, const char *dir)
{
	_cleanup_free_ char *text = NULL, *cmdline = NULL;
	char proc[64];
	size_t len;
	long pid;

	if (read_file_at(dirfd, AARDVARK_PID, 64, &text, NULL) < 0 ||
	    (pid = strtol(text, NULL, 10)) <= 0)
		return 0;
	snprintf(proc, sizeof(proc), "/proc/%ld/cmdline", pid);
	if (read_file_at(AT_FDCWD, proc, 8192, &cmdline, &len) < 0 || len == 0)
		return 0;
	/* argv: aardvark-dns --config DIR -p 53 run */
	for (size_t i = 0; i < len; i += strlen(cmdline + i) + 1)
		if (strcmp(cmdline + i, dir) == 0 && strstr(cmdline, "aardvark-dns"))
			return (pid_t) pid;
	return 0;
}

static void nap(void)
{
	(void) nanosleep(&(struct timespec){.tv_nsec = WAIT_STEP_NS}, NULL);
}

/*
 * aardvark says it is ready before it installs its SIGHUP handler: a SIGHUP in between
 * would kill it. Wait (2 s at most) until SigCgt has SIGHUP.
 */
static void wait_hup_handler(pid_t pid)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/%d/status", (int) pid);
	for (int i = 0; i < WAIT_STEPS; i++, nap()) {
		_cleanup_free_ char *st = NULL;
		const char *p;

		if (read_file_at(AT_FDCWD, proc, 1 << 16, &st, NULL) < 0)
			return;
		if ((p = strstr(st, "SigCgt:")) &&
		    (strtoull(p + 7, NULL, 16) & (1ULL << (SIGHUP - 1))))
			return;
	}
}

static bool gone(pid_t pid)
{
	_cleanup_free_ char *st = NULL;
	char proc[64];
	const char *p;

	snprintf(proc, sizeof(proc), "/proc/%d/stat", (int) pid);
	if (read_file_at(AT_FDCWD, proc, 4096, &st, NULL) < 0)
		return true;
	p = strrchr(st, ')');
	return p && p[1] == ' ' && p[2] == 'Z';
}

static void aardvark_stop(int dirfd, pid_t pid)
{
	(void) kill(pid, SIGTERM);
	for (int i = 0; i < WAIT_STEPS && !gone(pid); i++)
		nap();
	(void) unlinkat(dirfd, AARDVARK_PID, 0);
}

/* `aardvark-dns --config DIR -p 53 run`: it forks, and exits once the server has its pid file. */
static int aardvark_start(const char *dir, struct berr **err)
{
	int status;
	pid_t pid;

	if (access(AARDVARK_BIN, X_OK) < 0)
		return berr_sys(err, errno,
				"name resolution on user-defined networks needs aardvark-dns "
				"('%s')",
				AARDVARK_BIN);
	if ((pid = fork()) < 0)
		return berr_sys(err, errno, "cannot fork aardvark-dns");
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		sigset_t none;

		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
			_exit(127);
		/*
		 * A server for the whole root, whoever starts it: the monitor (whose signalfd
		 * blocks SIGHUP, which would then never reload it), a `berth run` in a terminal
		 * (whose Ctrl-C goes to its process group): its own session, no blocked or
		 * ignored signal, and no fd of ours but its stdio.
		 */
		sigemptyset(&none);
		(void) sigprocmask(SIG_SETMASK, &none, NULL);
		(void) signal(SIGHUP, SIG_DFL);
		(void) signal(SIGINT, SIG_DFL);
		(void) signal(SIGTERM, SIG_DFL);
		(void) setsid();
		(void) syscall(SYS_close_range, 3U, ~0U, 0U);
		execl(AARDVARK_BIN, "aardvark-dns", "--config", dir, "-p", "53", "run",
		      (char *) NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return berr_sys(err, errno, "cannot wait for aardvark-dns");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return berr_set(err, EIO, "aardvark-dns --config '%s' failed to start (status %d)",
				dir, status);
	return 0;
}

/* Started, reloaded or stopped as the files say (dns.h). */
static int aardvark_sync(int dirfd, const char *dir, struct berr **err)
{
	pid_t pid = aardvark_pid(dirfd, dir);

	if (!any_network_file(dirfd)) {
		if (pid > 0)
			aardvark_stop(dirfd, pid);
		(void) unlinkat(dirfd, AARDVARK_PID, 0);
		return 0;
	}
	if (pid > 0) {
		wait_hup_handler(pid);
		if (kill(pid, SIGHUP) == 0)
			return 0;
	}
	(void) unlinkat(dirfd, AARDVARK_PID, 0);
	return aardvark_start(dir, err);
}

int dns_server_update(const struct net_root *nr, const struct network *n, const char *id,
		      const char *line, struct berr **err)
{
	_cleanup_close_ int lock = -1, dirfd = -1;
	_cleanup_free_ char *dir = NULL;
	bool changed;
	int r;

	if ((lock = dns_lock(nr, err)) < 0)
		return lock;
	if ((dirfd = dns_dir(nr, err)) < 0)
		return dirfd;
	if (asprintf(&dir, "%s/dns", nr->root) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	if ((r = update_file(dirfd, nr->rootfd, n->id, n->gateway, id, line, &changed, err)) < 0)
		return r;
	return aardvark_sync(dirfd, dir, err);
}

void dns_server_forget(const struct net_root *nr, const char *id)
{
	_cleanup_close_ int lock = dns_lock(nr, NULL), dirfd = -1;
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_free_ char *dir = NULL;
	bool any = false, changed;
	struct dirent *de;
	int fd;

	if (lock < 0 || faccessat(nr->rootfd, "dns", F_OK, 0) < 0 ||
	    (dirfd = dns_dir(nr, NULL)) < 0 || asprintf(&dir, "%s/dns", nr->root) < 0)
		return;
	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	if (!(d = fdopendir(fd))) {
		(void) close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (is_network_file(de->d_name) &&
		    update_file(dirfd, nr->rootfd, de->d_name, 0, id, NULL, &changed, NULL) == 0)
			any = any || changed;
	if (any)
		(void) aardvark_sync(dirfd, dir, NULL);
}
