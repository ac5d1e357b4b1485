/* SPDX-License-Identifier: Apache-2.0 */
/* Processes seen through /proc: start times (so a reused pid is not taken for ours). */
#ifndef BERTH_ENGINE_PROC_H
#define BERTH_ENGINE_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Field 22 of /proc/PID/stat (clock ticks after boot); 0 when the process is gone. */
uint64_t proc_starttime(pid_t pid);

/* True when pid runs and started at start (0 = do not compare). */
bool proc_alive(pid_t pid, uint64_t start);

/* A pidfd for pid if it still is the process that started at start; -errno otherwise. */
int proc_pidfd(pid_t pid, uint64_t start);

/* Wait until the pidfd's process exits, at most timeout_ms (-1: forever). 1: exited, 0: not. */
int proc_wait_pidfd(int pidfd, int timeout_ms);

#endif
