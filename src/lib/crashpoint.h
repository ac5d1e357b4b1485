/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fault injection for the crash-consistency tests: named points in the engine's
 * multi-step operations (create, start, rm, rmi, load) where `berth` may be killed.
 * Inert unless the environment asks (read with secure_getenv, so never for setuid):
 *
 *   BERTH_CRASH_AT=NAME      the process sends itself SIGKILL on reaching point NAME
 *   BERTH_CRASH_TRACE=FILE   each point reached is appended to FILE, one name a line
 *   BERTH_PAUSE_AT=NAME      the process stops itself (SIGSTOP) at point NAME, so that a
 *                            test can act in that window and then send SIGCONT
 *
 * The tests first trace a command to learn its points, then kill it at each of them
 * and check that the next commands repair what is left.
 */
#ifndef BERTH_LIB_CRASHPOINT_H
#define BERTH_LIB_CRASHPOINT_H

/* Reached point name: record it, or die there, when the environment says so. */
void crashpoint(const char *name);

#endif
