/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The foreground runtime (`run` and `exec` without --detach) while its process runs:
 * forward the signals it gets to the process, proxy the terminal if there is one, reap,
 * and give the process's exit code, as runc's signal handler does.
 */
#ifndef BERTH_RUNTIME_MONITOR_H
#define BERTH_RUNTIME_MONITOR_H

#include <signal.h>
#include <sys/types.h>

#include "lib/err.h"

struct terminal_proxy;

/*
 * Block every signal the monitor handles (all but KILL, STOP and the synchronous fault
 * signals), before the process is cloned so that none is lost. *ret_set is the blocked
 * set; *ret_old (optional) the mask before. The child restores an empty mask itself.
 */
int monitor_block_signals(sigset_t *ret_set, sigset_t *ret_old);

/*
 * Until pid (our child) exits: forward each signal in set to it, except SIGCHLD (reap),
 * SIGWINCH (resize tp's pty) and SIGPIPE (ours, not the container's); move tp's data
 * (tp may be NULL). *ret_code is its exit status, or 128 + the signal that killed it.
 */
int monitor_wait(pid_t pid, const sigset_t *set, struct terminal_proxy *tp, int *ret_code,
		 struct berr **err);

/* 128 + signal for a death by signal, the exit status otherwise (wait(2) status). */
int monitor_exit_code(int status);

#endif
