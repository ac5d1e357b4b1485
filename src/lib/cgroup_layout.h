/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which cgroup hierarchies the host has, read from /proc/self/mountinfo: pure v1 (one
 * hierarchy per controller, or a few co-mounted), pure v2 (one unified tree), or hybrid
 * (v1 controllers plus a cgroup2 tree, as systemd's hybrid layout and this machine).
 */
#ifndef BERTH_LIB_CGROUP_LAYOUT_H
#define BERTH_LIB_CGROUP_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

enum cgroup_mode {
	CGROUP_MODE_NONE, /* no cgroup filesystem mounted */
	CGROUP_MODE_V1,
	CGROUP_MODE_HYBRID,
	CGROUP_MODE_V2,
};

struct cgroup_hier {
	char *mountpoint; /* /sys/fs/cgroup/memory */
	char *root;	  /* the hierarchy path mounted there ("/" normally) */
	char *options;	  /* v1 super options naming it: "memory", "cpu,cpuacct", "name=systemd" */
	char **controllers; /* v1 controllers (none for a named hierarchy) */
	bool v2;
};

struct cgroup_layout {
	enum cgroup_mode mode;
	struct cgroup_hier *v;
	size_t n;
	const struct cgroup_hier *unified; /* the cgroup2 hierarchy, if any */
};

/* Parse mountinfo text. On success *ret is owned by the caller (cgroup_layout_free). */
int cgroup_layout_parse(const char *mountinfo, struct cgroup_layout **ret, struct berr **err);

/* Read /proc/self/mountinfo and parse it. */
int cgroup_layout_detect(struct cgroup_layout **ret, struct berr **err);

struct cgroup_layout *cgroup_layout_free(struct cgroup_layout *l);

/* The v1 hierarchy that has controller (e.g. "memory"), or NULL. */
const struct cgroup_hier *cgroup_layout_find_v1(const struct cgroup_layout *l,
						const char *controller);

const char *cgroup_mode_name(enum cgroup_mode m);

#endif
