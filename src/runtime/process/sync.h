/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sync socket between berth-runtime and the container's init during setup: a
 * SOCK_SEQPACKET pair, one message a step. The init cannot return to main(), so it
 * reports a failure as a SYNC_ERROR message carrying the struct berr, and the parent
 * prints it (STYLE.md §3).
 */
#ifndef BERTH_RUNTIME_SYNC_H
#define BERTH_RUNTIME_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

enum sync_msg {
	SYNC_GO = 1,	    /* parent -> init: ids mapped, cgroup joined: go on */
	SYNC_READY,	    /* init -> parent: set up, waiting for start */
	SYNC_START,	    /* parent -> init: run the user process (foreground `run`) */
	SYNC_ERROR,	    /* init -> parent: setup failed; payload is the error */
	SYNC_HOOKS,	    /* init -> parent: run hooks of the kind in the payload */
	SYNC_HOOKS_DONE,    /* parent -> init: the hooks ran */
	SYNC_PID,	    /* intermediate -> parent: the init's pid (spawn.c) */
	SYNC_MOUNT_SOURCES, /* parent -> init: bind sources opened for it (bind_sources.h) */
};

#define SYNC_MAX_PAYLOAD 4096
#define SYNC_MAX_FDS 250 /* the kernel's SCM_MAX_FD is 253 */

/* Create the pair (CLOEXEC). fds[0] is the parent's end, fds[1] the init's. */
int sync_pair(int fds[2], struct berr **err);

int sync_send(int fd, uint32_t type, const void *payload, size_t len);

/* Send e as a SYNC_ERROR. */
void sync_send_error(int fd, const struct berr *e);

/*
 * Receive one message. *ret_len gets the payload length. -EPIPE when the other side
 * closed its end (the init died, or the parent is gone).
 */
int sync_recv(int fd, uint32_t *ret_type, void *buf, size_t size, size_t *ret_len);

/*
 * Wait for a message of type want. A SYNC_ERROR becomes the error (with its text),
 * EOF becomes "container init exited during setup".
 */
int sync_expect(int fd, uint32_t want, void *buf, size_t size, size_t *ret_len, struct berr **err);

/* Like sync_expect, for a message of either type; *ret_type says which came. */
int sync_expect_either(int fd, uint32_t a, uint32_t b, uint32_t *ret_type, struct berr **err);

/* Send n (<= SYNC_MAX_FDS) fds with SCM_RIGHTS in a message of type; its payload is n. */
int sync_send_fds(int fd, uint32_t type, const int *fds, size_t n);

/*
 * Receive a message of type want carrying fds (sync_send_fds): at most max of them into
 * fds (CLOEXEC, the caller's), *ret_n how many. Fewer or more than announced is an error,
 * a SYNC_ERROR becomes the error, as in sync_expect.
 */
int sync_expect_fds(int fd, uint32_t want, int *fds, size_t max, size_t *ret_n, struct berr **err);

#endif
