/* SPDX-License-Identifier: Apache-2.0 */
/* docker top: ps on the host, its lines for the container's pids (container_top.h). */
#include "engine/container_top.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/container_runtime.h"
#include "engine/runtime_client.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/strv.h"

/* The PID column's index in ps's header line, or -1. */
static int pid_column(const char *header)
{
	_cleanup_strv_ char **cols = strv_split(header, " ");
	int i = 0;

	STRV_FOREACH (col, cols) {
		if (!**col)
			continue;
		if (strcmp(*col, "PID") == 0)
			return i;
		i++;
	}
	return -1;
}

static bool line_has_pid(const char *line, int col, const pid_t *pids, size_t n)
{
	_cleanup_strv_ char **cols = strv_split(line, " ");
	int i = 0;

	STRV_FOREACH (f, cols) {
		if (!**f)
			continue;
		if (i++ != col)
			continue;
		for (size_t k = 0; k < n; k++)
			if (atoi(*f) == pids[k])
				return true;
		return false;
	}
	return false;
}

/* docker top: ps on the host (default -ef), its lines for the container's pids. */
static int run_ps(char *const *ps_args, char **ret)
{
	_cleanup_strv_ char **argv = NULL;
	int p[2], status;
	pid_t pid;
	posix_spawn_file_actions_t fa;
	extern char **environ;
	size_t len;
	int r;

	if (strv_push_dup(&argv, "ps") < 0)
		return -ENOMEM;
	if (!ps_args || !*ps_args) {
		if (strv_push_dup(&argv, "-ef") < 0)
			return -ENOMEM;
	} else
		STRV_FOREACH (a, ps_args)
			if (strv_push_dup(&argv, *a) < 0)
				return -ENOMEM;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	r = posix_spawnp(&pid, "ps", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (r != 0) {
		close(p[0]);
		return -r;
	}
	r = read_fd_all(p[0], 16 << 20, ret, &len);
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return r;
}

int container_top(struct engine *e, const struct container *c, char *const *ps_args, char ***ret,
		  struct berr **err)
{
	_cleanup_strv_ char **lines = NULL, **out = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	_cleanup_free_ char *text = NULL;
	struct container_rt rt;
	size_t n = 0;
	int col, r;

	if (container_rt_init(e, c, &rt) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	r = runtime_ps(&rt.rt, c->cfg->id, &pids, &n, err);
	container_rt_done(&rt);
	if (r < 0)
		return r;
	if ((r = run_ps(ps_args, &text)) < 0)
		return berr_sys(err, -r, "cannot run ps");
	lines = strv_split(text, "\n");
	if (!lines || !lines[0] || (col = pid_column(lines[0])) < 0)
		return berr_set(err, EINVAL, "Couldn't find PID field in ps output");
	if (strv_push_dup(&out, lines[0]) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	STRV_FOREACH (l, lines + 1)
		if (**l && line_has_pid(*l, col, pids, n) && strv_push_dup(&out, *l) < 0)
			return berr_set(err, ENOMEM, "out of memory");
	*ret = TAKE_PTR(out);
	return 0;
}
