/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/rootfs/bind_sources.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "runtime/rootfs/mounts.h"
#include "runtime/process/sync.h"

static bool wanted(const struct spec_mount *m)
{
	return mounts_is_bind(m) && m->source && !m->opts.idmap;
}

static size_t count_wanted(const struct spec *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_mounts; i++)
		n += wanted(&s->mounts[i]);
	return n;
}

bool bind_sources_wanted(const struct spec *s, int clone_flags)
{
	/* a user namespace made or joined (by path: clone_flags lacks CLONE_NEWUSER) */
	return s->linux.ns[NS_USER].enabled && (clone_flags & CLONE_NEWNS) && count_wanted(s);
}

static void close_all(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		(void) close(fds[i]);
}

/* The helper, in the init's mount namespace: every source, SYNC_MAX_FDS at a time. */
static int open_and_send(const struct spec *s, int sock, struct berr **err)
{
	int fds[SYNC_MAX_FDS];
	size_t n = 0;
	int r = 0;

	for (size_t i = 0; i < s->n_mounts && r >= 0; i++) {
		const struct spec_mount *m = &s->mounts[i];

		if (!wanted(m))
			continue;
		fds[n] = open(m->source, O_PATH | O_CLOEXEC);
		if (fds[n] < 0) {
			r = berr_sys(err, errno, "mounts[%zu]: opening bind source '%s'", i,
				     m->source);
			break;
		}
		if (++n == SYNC_MAX_FDS) {
			r = sync_send_fds(sock, SYNC_MOUNT_SOURCES, fds, n);
			close_all(fds, n);
			n = 0;
		}
	}
	if (r >= 0 && n)
		r = sync_send_fds(sock, SYNC_MOUNT_SOURCES, fds, n);
	close_all(fds, n);
	if (r < 0 && !*err)
		r = berr_sys(err, -r, "passing bind sources");
	return r;
}

_Noreturn static void helper(const struct spec *s, pid_t init, int sock)
{
	struct berr *err = NULL;
	char path[64];
	int ns, r;

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int) init);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0) {
		r = berr_sys(&err, errno, "opening '%s'", path);
	} else if (setns(ns, CLONE_NEWNS) < 0) {
		/* Not ours to enter (rootless): the init opens the sources itself. */
		if (errno == EPERM)
			_exit(sync_send_fds(sock, SYNC_MOUNT_SOURCES, NULL, 0) < 0);
		r = berr_sys(&err, errno, "entering the container's mount namespace");
	} else {
		r = open_and_send(s, sock, &err);
	}
	if (r < 0)
		sync_send_error(sock, err);
	_exit(r < 0);
}

/* Parent: forward what the helper sends, until every source or its refusal came. */
static int forward(int from, int to, size_t want, struct berr **err)
{
	int fds[SYNC_MAX_FDS];
	size_t got = 0, n;
	int r;

	do {
		r = sync_expect_fds(from, SYNC_MOUNT_SOURCES, fds, SYNC_MAX_FDS, &n, err);
		if (r == -EPIPE) /* "container init exited": not the init, the helper */
			return berr_set(err, EPIPE, "the bind source opener exited");
		if (r < 0)
			return r;
		r = sync_send_fds(to, SYNC_MOUNT_SOURCES, fds, n);
		close_all(fds, n);
		if (r < 0)
			return berr_sys(err, -r, "passing bind sources to the init");
		got += n;
	} while (n && got < want);
	return 0;
}

int bind_sources_send(const struct spec *s, pid_t init, int sync_fd, struct berr **err)
{
	int sp[2], status, r;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return berr_sys(err, errno, "creating a socket for the bind sources");
	pid = fork();
	if (pid < 0) {
		r = berr_sys(err, errno, "forking to open the bind sources");
		close_all(sp, 2);
		return r;
	}
	if (pid == 0) {
		(void) close(sp[0]);
		helper(s, init, sp[1]);
	}
	(void) close(sp[1]);
	r = forward(sp[0], sync_fd, count_wanted(s), err);
	(void) close(sp[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return r;
}

int *bind_sources_close(int *fds, size_t n)
{
	for (size_t i = 0; fds && i < n; i++)
		if (fds[i] >= 0)
			(void) close(fds[i]);
	free(fds);
	return NULL;
}

int bind_sources_receive(const struct spec *s, int sync_fd, int **ret_fds, struct berr **err)
{
	int batch[SYNC_MAX_FDS];
	size_t want = count_wanted(s), got = 0, n = 0, k = 0, i = 0;
	int *fds;
	int r;

	*ret_fds = NULL;
	r = sync_expect_fds(sync_fd, SYNC_MOUNT_SOURCES, batch, SYNC_MAX_FDS, &n, err);
	if (r < 0 || n == 0) /* refused: open them by path */
		return r;
	fds = malloc(s->n_mounts * sizeof(int));
	if (!fds) {
		close_all(batch, n);
		return berr_set(err, ENOMEM, "out of memory");
	}
	for (size_t j = 0; j < s->n_mounts; j++)
		fds[j] = -1;
	for (;;) {
		for (; k < n && i < s->n_mounts; i++)
			if (wanted(&s->mounts[i]))
				fds[i] = batch[k++], got++;
		if (k < n || got == want)
			break;
		r = sync_expect_fds(sync_fd, SYNC_MOUNT_SOURCES, batch, SYNC_MAX_FDS, &n, err);
		if (r < 0 || n == 0) {
			r = r < 0 ? r
				  : berr_set(err, EPROTO, "bind sources: %zu of %zu", got, want);
			goto fail;
		}
		k = 0;
	}
	if (k < n) {
		r = berr_set(err, EPROTO, "bind sources: more than the %zu expected", want);
		close_all(batch + k, n - k);
		goto fail;
	}
	*ret_fds = fds;
	return 0;
fail:
	bind_sources_close(fds, s->n_mounts);
	return r;
}
