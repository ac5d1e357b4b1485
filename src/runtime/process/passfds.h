/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File descriptors passed into the container beyond stdio, as runc passes them:
 * systemd socket activation (LISTEN_FDS for this pid: fds 3.. go to the container, which
 * gets LISTEN_FDS and LISTEN_PID), then --preserve-fds N more. Every other fd is closed
 * at exec (fd_cloexec_from).
 */
#ifndef BERTH_RUNTIME_PASSFDS_H
#define BERTH_RUNTIME_PASSFDS_H

#include "lib/err.h"

/* Most fds berth passes (listen + preserved): a bound for user-given counts. */
#define PASSFDS_MAX 65536

/*
 * The number of socket-activation fds handed to this process: LISTEN_FDS when
 * LISTEN_PID is our pid (as sd_listen_fds checks), else 0. -EINVAL for a malformed value.
 */
int passfds_listen_count(struct berr **err);

/* Check that fds 3 .. 3+n-1 are open (n = listen + preserved), as runc does. */
int passfds_check(int listen_fds, int preserve_fds, struct berr **err);

/*
 * In the container's init, before exec: set LISTEN_FDS=n and LISTEN_PID=<its pid> in
 * *env (replacing any given), when n > 0. -ENOMEM on failure.
 */
int passfds_listen_env(char ***env, int listen_fds);

#endif
