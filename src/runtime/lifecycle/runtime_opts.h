/* SPDX-License-Identifier: Apache-2.0 */
/* The runtime's global options, shared by every operation (lifecycle.h and the rest). */
#ifndef BERTH_RUNTIME_RUNTIME_OPTS_H
#define BERTH_RUNTIME_RUNTIME_OPTS_H

#include <stdbool.h>

typedef void (*warn_fn)(const char *message);

/* Global options (runc's --root, --systemd-cgroup, ...). */
struct runtime_opts {
	const char *root;    /* state directory root, e.g. /run/berth */
	bool systemd_cgroup; /* --systemd-cgroup */
	warn_fn warn;	     /* reports config fields berth does not apply */
};

#endif
