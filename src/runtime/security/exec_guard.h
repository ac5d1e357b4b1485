/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CVE-2019-5736: the container must never run, and so never reach through
 * /proc/PID/exe, the berth-runtime binary of the host.
 *
 * berth does not re-execute itself: the container's process is a clone of
 * berth-runtime until its execve. Two things keep the host binary out of reach:
 * - the runtime is not dumpable from before the clone until that execve, so no other
 *   process in the container can open /proc/PID/exe, /proc/PID/mem or ptrace it;
 * - right before execve, exec_guard_check() refuses a program that is (or whose #!
 *   interpreter chain leads to) the runtime's own binary: the `#!/proc/self/exe`
 *   entrypoint that would run the host binary inside the container.
 * SECURITY.md explains the choice against a sealed memfd copy and re-exec.
 */
#ifndef BERTH_RUNTIME_EXEC_GUARD_H
#define BERTH_RUNTIME_EXEC_GUARD_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/err.h"

/* The identity of a file: what exec_guard_check compares. */
struct file_id {
	dev_t dev;
	ino_t ino;
	bool set;
};

/* The runtime's own binary (/proc/self/exe), to call before clone. */
int exec_guard_self(struct file_id *ret, struct berr **err);

/*
 * Refuse to execute path (relative ones from cwd, as execve resolves them) when it, or
 * an interpreter named by its "#!" line (and theirs, as deep as the kernel goes), is
 * the file self. Returns 0 when path is something else or cannot be inspected (execve
 * then reports it), -EPERM with *err set when it is the runtime.
 */
int exec_guard_check(const struct file_id *self, const char *path, const char *cwd,
		     struct berr **err);

/*
 * The interpreter of a "#!" script from its first bytes, as the kernel's binfmt_script
 * reads it, into buf. Returns false when buf is not a script or names no interpreter.
 */
bool exec_guard_interpreter(const char *head, size_t len, char *buf, size_t size);

#endif
