/* SPDX-License-Identifier: Apache-2.0 */
/* The signal state a program gets from berth: none blocked, none ignored. */
#ifndef BERTH_LIB_SIGNALS_H
#define BERTH_LIB_SIGNALS_H

/*
 * Unblock every signal and set the ones ignored back to their default action. execve keeps
 * both the mask and SIG_IGN (handlers it resets itself), so without this a container would
 * inherit whatever the caller ignored (nohup, a shell's background job: SIGHUP, SIGINT,
 * SIGQUIT) and a shell in it could not even trap them. runc resets the ignored ones too.
 * Call it in the child, right before execve. Cannot fail in a way that matters: a signal
 * the kernel or libc reserves is skipped.
 */
void signals_reset_for_exec(void);

#endif
