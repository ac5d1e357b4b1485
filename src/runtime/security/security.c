/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/security/security.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "runtime/security/lsm.h"
#include "runtime/config/oci_config.h"
#include "runtime/process/process.h"

#define SECCOMP_CACHE_DIR "@seccomp" /* '@' is not allowed in container ids */

void security_plan_init(struct security_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	plan->listener_fd = -1;
}

void security_plan_done(struct security_plan *plan)
{
	seccomp_program_done(&plan->seccomp);
	if (plan->listener_fd >= 0)
		(void) close(plan->listener_fd);
	security_plan_init(plan);
}

/* The cache directory under the state root, or -1 (then every create compiles). */
static int open_cache(int state_root_fd)
{
	if (state_root_fd < 0)
		return -1;
	if (mkdirat(state_root_fd, SECCOMP_CACHE_DIR, 0700) < 0 && errno != EEXIST)
		return -1;
	return openat(state_root_fd, SECCOMP_CACHE_DIR,
		      O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int security_prepare(const struct spec *s, const struct spec_process *p, int state_root_fd,
		     struct security_plan *plan, struct berr **err)
{
	const struct spec_seccomp *sc = &s->linux.seccomp;
	_cleanup_close_ int host = -1, cache = -1;
	int r;

	/*
	 * Why: the child is a clone of this process until its execve, and inherits this
	 * flag. Not dumpable, no other process in the container can open its
	 * /proc/PID/exe (the host's berth-runtime, CVE-2019-5736), /proc/PID/mem or its
	 * fds, nor ptrace it, even one with CAP_SYS_PTRACE in the container's user
	 * namespace. The kernel makes the user's program dumpable again at execve.
	 * Rootless, the runtime must still write the init's /proc/PID/uid_map and setgroups,
	 * which a non-dumpable process's owner cannot: the init drops the flag itself at
	 * SYNC_GO, before anything of the container runs (init_child.c).
	 */
	if (geteuid() == 0 && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return berr_sys(err, errno, "making the runtime non-dumpable");
	host = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (host < 0)
		return berr_sys(err, errno, "opening /");
	if ((r = lsm_check(s, p, host, err)) < 0 || (r = exec_guard_self(&plan->self, err)) < 0)
		return r;
	if (sc->set) {
		cache = open_cache(state_root_fd);
		r = seccomp_prepare(sc, cache, &plan->seccomp, err);
		if (r < 0)
			return berr_wrap(err, "config.json: linux.seccomp");
	}
	if (plan->seccomp.notify) {
		r = seccomp_notify_connect(sc->listener_path, &plan->listener_fd, err);
		if (r < 0)
			return berr_wrap(err, "config.json: linux.seccomp.listenerPath");
		plan->listener_metadata = sc->listener_metadata;
	}
	return 0;
}

int security_set_labels(const struct spec_process *p, struct berr **err)
{
	_cleanup_close_ int attr = -1;

	if (!(p->apparmor_profile && *p->apparmor_profile) &&
	    !(p->selinux_label && *p->selinux_label))
		return 0;
	attr = open("/proc/thread-self/attr", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (attr < 0)
		return berr_sys(err, errno, "opening /proc/thread-self/attr");
	return lsm_set_exec_labels(attr, p, err);
}

/* Without noNewPrivileges the kernel wants CAP_SYS_ADMIN in the effective set. */
static int raise_sys_admin(struct berr **err)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &hdr, d) < 0)
		return berr_sys(err, errno, "reading capabilities");
	if (!(d[0].permitted & (1u << CAP_SYS_ADMIN)))
		return berr_set(err, EPERM,
				"loading the seccomp filter: needs process.noNewPrivileges or "
				"CAP_SYS_ADMIN");
	d[0].effective |= 1u << CAP_SYS_ADMIN;
	if (syscall(SYS_capset, &hdr, d) < 0)
		return berr_sys(err, errno, "raising CAP_SYS_ADMIN to load the seccomp filter");
	return 0;
}

static int install(const struct security_plan *plan, const struct seccomp_notify_state *st,
		   struct berr **err)
{
	int notify_fd = -1, r;

	r = seccomp_install(&plan->seccomp, &notify_fd, err);
	if (r < 0 || notify_fd < 0)
		return r;
	/* From here the filter applies: only sendmsg and close until execve. */
	r = seccomp_notify_send(plan->listener_fd, notify_fd, st, err);
	(void) close(notify_fd);
	(void) close(plan->listener_fd);
	return r;
}

enum load_point {
	LOAD_LAST,	  /* after everything: no_new_privs, or CAP_SYS_ADMIN kept */
	LOAD_BEFORE_CAPS, /* after the user switch, with CAP_SYS_ADMIN raised from permitted */
	LOAD_BEFORE_USER, /* nothing to keep capabilities with: before the user switch */
};

static enum load_point load_point(const struct spec_process *p)
{
	if (p->no_new_privileges)
		return LOAD_LAST;
	if (p->has_capabilities)
		return (p->capabilities.effective & (1ULL << CAP_SYS_ADMIN)) ? LOAD_LAST
									     : LOAD_BEFORE_CAPS;
	return p->user.uid == 0 ? LOAD_LAST : LOAD_BEFORE_USER;
}

int security_apply_before_exec(const struct security_plan *plan, const struct spec_process *p,
			       const char *exec_path, bool setgroups_allowed,
			       const struct seccomp_notify_state *st, struct berr **err)
{
	bool filter = plan->seccomp.insns != NULL;
	enum load_point at = load_point(p);
	int r;

	/* Still privileged: every file of the interpreter chain can be read. */
	r = exec_guard_check(&plan->self, exec_path, p->cwd, err);
	if (r < 0)
		return r;
	if (filter && at == LOAD_BEFORE_USER && (r = install(plan, st, err)) < 0)
		return r;
	r = process_set_identity(p, setgroups_allowed, err);
	if (r < 0)
		return r;
	if (filter && at == LOAD_BEFORE_CAPS &&
	    ((r = raise_sys_admin(err)) < 0 || (r = install(plan, st, err)) < 0))
		return r;
	r = process_set_capabilities(p, err);
	if (r < 0)
		return r;
	if (filter && at == LOAD_LAST)
		return install(plan, st, err);
	return 0;
}
