/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/process/idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/strv.h"

char *idmap_format(const struct id_mappings *m)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return NULL;
	for (size_t i = 0; i < m->n; i++)
		fprintf(f, "%u %u %u\n", m->v[i].container_id, m->v[i].host_id, m->v[i].size);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf ? buf : strdup("");
}

static int write_map(pid_t pid, const char *file, const struct id_mappings *m)
{
	_cleanup_free_ char *text = idmap_format(m);
	char path[64];

	if (!text)
		return -ENOMEM;
	snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, file);
	return write_file_at(AT_FDCWD, path, text, O_WRONLY);
}

/* newuidmap PID cid hid size ... (the setuid helpers from the uidmap package). */
static int run_helper(const char *helper, pid_t pid, const struct id_mappings *m)
{
	_cleanup_strv_ char **argv = NULL;
	char buf[32];
	pid_t child;
	int status;

	if (strv_push_dup(&argv, helper) < 0)
		return -ENOMEM;
	snprintf(buf, sizeof(buf), "%d", (int) pid);
	if (strv_push_dup(&argv, buf) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < m->n; i++) {
		uint32_t f[3] = {m->v[i].container_id, m->v[i].host_id, m->v[i].size};

		for (int k = 0; k < 3; k++) {
			snprintf(buf, sizeof(buf), "%u", f[k]);
			if (strv_push_dup(&argv, buf) < 0)
				return -ENOMEM;
		}
	}
	child = fork();
	if (child < 0)
		return -errno;
	if (child == 0) {
		execvp(helper, argv);
		_exit(127);
	}
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return -ENOENT; /* not installed */
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EPERM;
}

static bool maps_only_self(const struct spec_linux *l)
{
	return l->uid_mappings.n == 1 && l->gid_mappings.n == 1 && l->uid_mappings.v[0].size == 1 &&
	       l->gid_mappings.v[0].size == 1 && l->uid_mappings.v[0].host_id == geteuid() &&
	       l->gid_mappings.v[0].host_id == getegid();
}

bool idmap_denies_setgroups(const struct spec_linux *l)
{
	return geteuid() != 0 && maps_only_self(l);
}

int idmap_write(pid_t pid, const struct spec_linux *l, bool *ret_setgroups_denied,
		struct berr **err)
{
	char path[64];
	int r;

	*ret_setgroups_denied = false;
	if (idmap_denies_setgroups(l)) {
		/* An unprivileged process may map only itself, and only without setgroups. */
		snprintf(path, sizeof(path), "/proc/%d/setgroups", (int) pid);
		r = write_file_at(AT_FDCWD, path, "deny", O_WRONLY);
		if (r < 0)
			return berr_sys(err, -r, "writing setgroups");
		*ret_setgroups_denied = true;
	}
	if (geteuid() == 0 || *ret_setgroups_denied) {
		r = write_map(pid, "uid_map", &l->uid_mappings);
		if (r < 0)
			return berr_sys(err, -r, "writing uid_map");
		r = write_map(pid, "gid_map", &l->gid_mappings);
		if (r < 0)
			return berr_sys(err, -r, "writing gid_map");
		return 0;
	}
	r = run_helper("newuidmap", pid, &l->uid_mappings);
	if (r >= 0)
		r = run_helper("newgidmap", pid, &l->gid_mappings);
	if (r == -ENOENT)
		return berr_set(err, EPERM,
				"linux.uidMappings: an unprivileged user may map only its own uid "
				"and gid (size 1); other mappings need newuidmap and newgidmap "
				"(package uidmap), which are not installed");
	if (r < 0)
		return berr_set(err, EPERM,
				"linux.uidMappings: newuidmap/newgidmap refused the mappings "
				"(see /etc/subuid and /etc/subgid)");
	return 0;
}

int idmap_userns_fd(const struct id_mappings *uid, const struct id_mappings *gid, int *ret_fd,
		    struct berr **err)
{
	_cleanup_close_ int hold_rd = -1, hold_wr = -1;
	int pipefd[2], r, fd;
	char path[64];
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return berr_sys(err, errno, "pipe");
	hold_rd = pipefd[0];
	hold_wr = pipefd[1];
	/* A child in a new user namespace that lives until we close the pipe. */
	pid = (pid_t) syscall(SYS_clone, (unsigned long) (CLONE_NEWUSER | SIGCHLD), NULL, NULL,
			      NULL, NULL);
	if (pid < 0)
		return berr_sys(err, errno, "creating a user namespace for the mapping");
	if (pid == 0) {
		char byte;

		(void) close(hold_wr);
		(void) read(hold_rd, &byte, 1);
		_exit(0);
	}
	r = write_map(pid, "uid_map", uid);
	if (r >= 0)
		r = write_map(pid, "gid_map", gid);
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int) pid);
	fd = r < 0 ? -1 : open(path, O_RDONLY | O_CLOEXEC);
	if (r >= 0 && fd < 0)
		r = -errno;
	(void) close(TAKE_FD(hold_wr));
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (r < 0)
		return berr_sys(err, -r, "writing the mapping");
	*ret_fd = fd;
	return 0;
}
