/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The exec fifo between `create` and `start` (runc's exec.fifo, made in the state dir).
 *
 * create opens it O_RDWR and hands it to the init, which blocks reading it once it is
 * ready. start writes one byte: the init wakes, runs the startContainer hooks and
 * executes the process. The init keeps its fd (close-on-exec) until execve, so the fifo
 * has a reader until the process runs or the init fails:
 * - on success, execve closes it: start, holding the write end, sees POLLERR;
 * - on failure, the init writes its error message into the fifo, then exits: start sees
 *   POLLERR, and reads the message (start's write end keeps the pipe and its data).
 */
#ifndef BERTH_RUNTIME_EXEC_FIFO_H
#define BERTH_RUNTIME_EXEC_FIFO_H

#include "lib/err.h"

/*
 * Wake the init of container id (state dir dirfd) and wait until it has executed the
 * process (0) or failed (its message as the error). Removes the fifo either way.
 */
int exec_fifo_start(int dirfd, const char *id, struct berr **err);

#endif
