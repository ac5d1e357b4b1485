/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/cgroup/cgroup_join.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "runtime/cgroup/cgroup.h"

void cgroup_join_open(const struct cgroup_manager *m, struct cgroup_join *j)
{
	j->n = 0;
	if (!m)
		return;
	for (size_t i = 0; i < m->layout->n; i++) {
		const struct cgroup_hier *h = &m->layout->v[i];
		_cleanup_free_ char *dir = NULL, *tasks = NULL;
		int fd = -1;

		if (h->v2)
			continue;
		dir = cgroup_dir(h, m->path);
		if (j->n < CGROUP_JOIN_MAX && dir && asprintf(&tasks, "%s/tasks", dir) >= 0)
			fd = open(tasks, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (fd < 0) {
			cgroup_join_done(j); /* the manager's enter moves the child, and says why */
			return;
		}
		j->where[j->n] = h->mountpoint;
		j->fds[j->n++] = fd;
	}
}

int cgroup_join_self(struct cgroup_join *j, struct berr **err)
{
	int r = 0;

	for (size_t i = 0; i < j->n && r >= 0; i++) {
		r = write_all(j->fds[i], "0", 1);
		if (r < 0)
			r = berr_sys(err, -r, "moving into the container's cgroup in '%s'",
				     j->where[i]);
	}
	cgroup_join_done(j);
	return r;
}

void cgroup_join_done(struct cgroup_join *j)
{
	for (size_t i = 0; i < j->n; i++)
		(void) close(j->fds[i]);
	j->n = 0;
}
