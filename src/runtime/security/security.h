/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Confining the container's processes: seccomp, AppArmor, SELinux and the
 * CVE-2019-5736 guard, in the order the kernel and the attacks demand. Both the
 * container's init and `exec` use it:
 *
 *   parent, before clone:         security_prepare()      compile, check, connect
 *   child, during setup:          security_set_labels()   LSM exec labels (host /proc)
 *   child, last step before exec: security_apply_before_exec()
 *                                 guard, user and capabilities, seccomp, listener
 *   parent, after clone:          security_plan_done()
 */
#ifndef BERTH_RUNTIME_SECURITY_H
#define BERTH_RUNTIME_SECURITY_H

#include <stdbool.h>

#include "lib/err.h"
#include "runtime/security/exec_guard.h"
#include "runtime/security/seccomp.h"

struct spec;
struct spec_process;

/* What the parent works out before clone, inherited by the child. */
struct security_plan {
	struct seccomp_program seccomp; /* empty without linux.seccomp */
	int listener_fd;		/* connected to listenerPath when a rule notifies, or -1 */
	const char *listener_metadata;	/* borrowed from the spec */
	struct file_id self;		/* the runtime's binary */
};

/* An empty plan (listener_fd -1): safe to pass to security_plan_done(). */
void security_plan_init(struct security_plan *plan);
void security_plan_done(struct security_plan *plan);

/*
 * In the runtime, before it clones the container's process (for the init, or for
 * `exec`; p is the process to run): make the runtime non-dumpable (the clone inherits
 * it, CVE-2019-5736), refuse LSM labels the host cannot apply, compile linux.seccomp
 * (cached under state_root_fd/@seccomp; -1: no cache), connect to its listener, and note
 * the runtime's binary. On failure the plan holds nothing to free beyond
 * security_plan_done().
 */
int security_prepare(const struct spec *s, const struct spec_process *p, int state_root_fd,
		     struct security_plan *plan, struct berr **err);

/*
 * In the child during setup, while the host's /proc is still at /proc (before
 * pivot_root): write the AppArmor and SELinux exec labels of p.
 */
int security_set_labels(const struct spec_process *p, struct berr **err);

/*
 * In the child, as its last step before execve(exec_path): refuse to execute the
 * runtime's binary (exec_guard_check, while still privileged), become p's user with p's
 * capabilities (process_set_identity and process_set_capabilities), install the seccomp
 * filter as late as the kernel allows, and hand the listener its fd with state. Without
 * noNewPrivileges the kernel wants CAP_SYS_ADMIN to install a filter, so then it goes
 * in just before the final capset (or, with no capabilities to keep, before the user
 * switch, as runc does); the syscalls after it must be allowed by the filter.
 */
int security_apply_before_exec(const struct security_plan *plan, const struct spec_process *p,
			       const char *exec_path, bool setgroups_allowed,
			       const struct seccomp_notify_state *st, struct berr **err);

#endif
