/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The runner of `berth build`'s RUN steps: the engine's own commands (create, start -a,
 * wait, rm) run as child processes of this binary, so a step's container is made,
 * attached and cleaned up exactly as `berth run` does it.
 */
#include "cli/berth_build_run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/strv.h"

static char **engine_argv(const struct build_cli *bc, const char *cmd)
{
	char **v = NULL;

	if (strv_push_dup(&v, "/proc/self/exe") < 0 || strv_push_dup(&v, "--root") < 0 ||
	    strv_push_dup(&v, bc->root) < 0 || strv_push_dup(&v, cmd) < 0)
		return strv_free(v);
	return v;
}

/* Run argv; its stdout into *ret_out when asked, else to ours (or /dev/null when quiet). */
static int spawn(const struct build_cli *bc, char *const *argv, char **ret_out, int *ret_code)
{
	int p[2] = {-1, -1}, status;
	pid_t pid;

	if (ret_out && pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (null >= 0)
			(void) dup2(null, STDIN_FILENO);
		if (ret_out)
			(void) dup2(p[1], STDOUT_FILENO);
		else if (bc->quiet && null >= 0)
			(void) dup2(null, STDOUT_FILENO);
		if (bc->quiet && null >= 0)
			(void) dup2(null, STDERR_FILENO);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	if (ret_out) {
		size_t len;

		close(p[1]);
		if (read_fd_all(p[0], 4096, ret_out, &len) < 0)
			*ret_out = NULL;
		close(p[0]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	*ret_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return 0;
}

static int run_create(void *ud, const char *image, char *const *argv, char *const *env,
		      char **ret_id, struct berr **err)
{
	const struct build_cli *bc = ud;
	_cleanup_strv_ char **v = engine_argv(bc, "create");
	_cleanup_free_ char *out = NULL;
	int code = 0, r = v ? 0 : -ENOMEM;

	if (r >= 0 && bc->runtime)
		r = strv_push_dup(&v, "--runtime") < 0 ? -ENOMEM : strv_push_dup(&v, bc->runtime);
	if (r >= 0 && bc->cgroup_parent)
		r = strv_push_dup(&v, "--cgroup-parent") < 0 ? -ENOMEM
							     : strv_push_dup(&v, bc->cgroup_parent);
	if (r >= 0)
		r = strv_push_dup(&v, "--network") < 0 ? -ENOMEM : strv_push_dup(&v, bc->network);
	if (r >= 0)
		r = strv_push_dup(&v, "--entrypoint") < 0 ? -ENOMEM : strv_push_dup(&v, argv[0]);
	STRV_FOREACH (e, env)
		if (r >= 0)
			r = strv_push_dup(&v, "-e") < 0 ? -ENOMEM : strv_push_dup(&v, *e);
	if (r >= 0)
		r = strv_push_dup(&v, image);
	for (size_t i = 1; r >= 0 && argv[i]; i++)
		r = strv_push_dup(&v, argv[i]);
	if (r < 0)
		return berr_set(err, ENOMEM, "out of memory");
	r = spawn(bc, v, &out, &code);
	if (r < 0 || code != 0 || !out || strlen(out) < 12)
		return berr_set(err, EIO, "cannot create the container of the step");
	out[strcspn(out, "\n")] = '\0';
	*ret_id = TAKE_PTR(out);
	return 0;
}

static int run_start(void *ud, const char *id, int *ret_code, struct berr **err)
{
	const struct build_cli *bc = ud;
	_cleanup_strv_ char **start = engine_argv(bc, "start"), **wait = engine_argv(bc, "wait");
	_cleanup_free_ char *out = NULL;
	int code = 0;

	if (!start || !wait || strv_push_dup(&start, "-a") < 0 || strv_push_dup(&start, id) < 0 ||
	    strv_push_dup(&wait, id) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	fflush(stdout);
	if (spawn(bc, start, NULL, &code) < 0 || spawn(bc, wait, &out, &code) < 0 || code != 0 ||
	    !out)
		return berr_set(err, EIO, "cannot run the container of the step");
	*ret_code = atoi(out);
	return 0;
}

static void run_remove(void *ud, const char *id)
{
	const struct build_cli *bc = ud;
	_cleanup_strv_ char **v = engine_argv(bc, "rm");
	_cleanup_free_ char *out = NULL;
	int code;

	if (v && strv_push_dup(&v, "-f") >= 0 && strv_push_dup(&v, id) >= 0)
		(void) spawn(bc, v, &out, &code);
}

static void progress(void *ud, const char *line)
{
	(void) ud;
	printf("%s\n", line);
	fflush(stdout);
}

void berth_build_runner(struct build_cli *bc, struct build_runner *ret)
{
	*ret = (struct build_runner){
		.ud = bc,
		.create = run_create,
		.start = run_start,
		.remove = run_remove,
		.progress = bc->quiet ? NULL : progress,
	};
}
