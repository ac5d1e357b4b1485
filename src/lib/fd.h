/* SPDX-License-Identifier: Apache-2.0 */
/* File descriptor and small-file helpers. Every fd they create is O_CLOEXEC. */
#ifndef BERTH_LIB_FD_H
#define BERTH_LIB_FD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"

/*
 * Read the whole file at dirfd/path (at most max bytes; larger is -EFBIG) into a
 * NUL-terminated malloc'd buffer. *ret_len (optional) gets the length.
 */
int read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len);

/* Read all of fd (up to max bytes) as read_file_at() does. */
int read_fd_all(int fd, size_t max, char **ret, size_t *ret_len);

/* Write all len bytes to fd, retrying on EINTR and short writes. */
int write_all(int fd, const void *buf, size_t len);

/*
 * One write() to a pipe from a threaded process (a non-blocking one may take part of buf):
 * the bytes taken, or -errno; a reader gone is -EPIPE, with the SIGPIPE held off for the
 * calling thread (blocked, then consumed), never a signal that ends the whole process.
 */
ssize_t write_nosigpipe(int fd, const void *buf, size_t len);

/* Open dirfd/path with flags|O_CLOEXEC|O_NOCTTY and write data (a string) to it. */
int write_file_at(int dirfd, const char *path, const char *data, int flags);

/*
 * Replace dirfd/name atomically: write to a temporary file beside it, then rename over.
 * When durable is true the file is fsync'd before the rename and the directory after
 * it, so that after a power cut name holds the old content or the new, never an empty
 * or partial file.
 */
int write_file_atomic_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
			 bool durable);

/* Duplicate fd to the lowest free number >= min, close-on-exec. */
int fd_dup_min(int fd, int min);

/* Mark every fd >= from close-on-exec (close_range with a fallback over /proc/self/fd). */
int fd_cloexec_from(int from);

/* Set or clear O_CLOEXEC on fd. */
int fd_set_cloexec(int fd, bool on);

#endif
