/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Linux namespaces: the spec's names, /proc names and clone flags in one table, and
 * the steps that create or join them.
 */
#ifndef BERTH_RUNTIME_NAMESPACES_H
#define BERTH_RUNTIME_NAMESPACES_H

#include <stdbool.h>

#include "lib/err.h"
#include "runtime/config/spec.h"

struct ns_info {
	const char *spec_name; /* "network" */
	const char *proc_name; /* "net", as in /proc/PID/ns/ */
	int clone_flag;	       /* CLONE_NEWNET */
};

extern const struct ns_info ns_info[_NS_TYPE_MAX];

/* enum ns_type for a spec name ("mount", "network", ...), or -EINVAL. */
int ns_type_from_spec_name(const char *name);

struct spec_linux;

/*
 * Open the namespace files named by `path` in the config (before anything changes the
 * mount namespace). fds[t] is -1 for types not joined. On error nothing stays open.
 */
int namespaces_open_paths(const struct spec_linux *l, int fds[_NS_TYPE_MAX], struct berr **err);

/* Close every fd of fds and set it to -1. */
void namespaces_close(int fds[_NS_TYPE_MAX]);

/*
 * setns() into every open fd of fds whose type is in the mask of types (bit 1<<t), in
 * enum order; closes each fd it used.
 */
int namespaces_join(int fds[_NS_TYPE_MAX], unsigned types, struct berr **err);

/* CLONE_NEW* flags for the namespaces the config asks to create (no path). */
int namespaces_new_flags(const struct spec_linux *l);

/*
 * The CLONE_NEW* flags to clone the init with: the new namespaces except the cgroup one
 * (the init unshares it once it is in its cgroup) and a time namespace with offsets
 * (its offsets can only be written before a process enters it: see
 * namespaces_enter_time).
 */
int namespaces_clone_flags(const struct spec_linux *l);

/*
 * In the init: create the time namespace with linux.timeOffsets. unshare(CLONE_NEWTIME)
 * only makes it the namespace of our children; the offsets are written while it is
 * still empty, then setns() into time_for_children moves the init itself in. No-op
 * without offsets.
 */
int namespaces_enter_time(const struct spec_linux *l, struct berr **err);

#endif
