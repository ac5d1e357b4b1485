/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AppArmor and SELinux: process.apparmorProfile, process.selinuxLabel and
 * linux.mountLabel.
 *
 * The labels for the user process are written to the calling thread's attr/exec files
 * during setup, through the host's /proc before pivot_root, so that nothing in the
 * container's rootfs (a fake /proc, CVE-2019-16884 and CVE-2023-27561) can redirect
 * the writes. The kernel applies them at the next execve.
 */
#ifndef BERTH_RUNTIME_LSM_H
#define BERTH_RUNTIME_LSM_H

#include <stdbool.h>

#include "lib/err.h"

struct spec;
struct spec_process;

/* Whether the host runs AppArmor / SELinux; rootfd is the host's "/" (a test's temp dir). */
bool lsm_apparmor_enabled(int rootfd);
bool lsm_selinux_enabled(int rootfd);

/*
 * Before anything is created: fail when the config asks for a label the host cannot
 * apply ("process.apparmorProfile: AppArmor is not enabled on this host").
 */
int lsm_check(const struct spec *s, const struct spec_process *p, int rootfd, struct berr **err);

/* Whether mounts of this filesystem type get linux.mountLabel as context= (as runc). */
bool lsm_mount_takes_context(const char *type);

/*
 * The mount data for a mount of type with linux.mountLabel label: data plus
 * context="<label>". *ret is malloc'd, or NULL when data is to be used unchanged.
 */
int lsm_mount_data(const char *type, const char *data, const char *label, char **ret);

/*
 * Write the exec labels of p into attr_dirfd, the calling thread's attr directory
 * (/proc/thread-self/attr): AppArmor's "exec <profile>" into apparmor/exec (or exec
 * on kernels without the per-LSM directory), SELinux's label into exec.
 */
int lsm_set_exec_labels(int attr_dirfd, const struct spec_process *p, struct berr **err);

#endif
