/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/lifecycle/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/signals.h"
#include "runtime/process/container.h"
#include "runtime/process/sync.h"

/* How much of a failed hook's output goes into the error message. */
#define HOOK_OUTPUT_MAX 1024

extern char **environ;

char *hooks_state_json(const struct hook_state *st)
{
	_cleanup_jw_ struct jwriter *o = jw_object();

	jw_str(o, "ociVersion", BERTH_OCI_VERSION);
	jw_str(o, "id", st->id);
	jw_str(o, "status", st->status);
	if (st->pid > 0)
		jw_int(o, "pid", st->pid);
	jw_str(o, "bundle", st->bundle);
	if (st->n_annotations) {
		struct jwriter *a = jw_object();

		for (size_t i = 0; i < st->n_annotations; i++)
			jw_str(a, st->annotations[i].key, st->annotations[i].value);
		jw_put(o, "annotations", a);
	}
	return jw_to_string(o, false);
}

bool hooks_have(const struct spec *s, enum hook_kind k)
{
	return s->hooks[k].n > 0;
}

/* A sealed-off memory file with text in it, positioned at 0: the hook's stdin. */
static int memfd_with(const char *name, const char *text)
{
	_cleanup_close_ int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (text && write_all(fd, text, strlen(text)) < 0)
		return -errno;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	return TAKE_FD(fd);
}

static _Noreturn void exec_hook(const struct spec_hook *h, int in, int out)
{
	char *default_argv[] = {h->path, NULL};

	/* Hooks start clean: none blocked (run blocks the ones it forwards), none ignored. */
	signals_reset_for_exec();
	if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
	    dup2(out, STDERR_FILENO) < 0)
		_exit(127);
	/* As runc: without env the hook gets the runtime's environment. */
	execve(h->path, h->args && h->args[0] ? h->args : default_argv, h->env ? h->env : environ);
	dprintf(STDERR_FILENO, "cannot execute: %s", strerror(errno));
	_exit(127);
}

/* Wait for pid, at most timeout seconds (<= 0: forever). -ETIMEDOUT after a SIGKILL. */
static int wait_hook(pid_t pid, int64_t timeout, int *ret_status)
{
	_cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
	int r = 1;

	if (pidfd >= 0 && timeout > 0) {
		struct pollfd p = {.fd = pidfd, .events = POLLIN};

		do
			r = poll(&p, 1, (int) (timeout * 1000));
		while (r < 0 && errno == EINTR);
		if (r == 0)
			(void) kill(pid, SIGKILL);
	}
	while (waitpid(pid, ret_status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return r == 0 ? -ETIMEDOUT : 0;
}

/* The first bytes of what the hook wrote, trailing newlines cut: "" when nothing. */
static void read_output(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	if (n < 0)
		n = 0;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
}

static int run_one(const struct spec_hook *h, const char *state_json, struct berr **err)
{
	_cleanup_close_ int in = -1, out = -1;
	char output[HOOK_OUTPUT_MAX];
	int status = 0, r;
	pid_t pid;

	in = memfd_with("berth-hook-state", state_json);
	out = memfd_with("berth-hook-output", NULL);
	if (in < 0 || out < 0)
		return berr_sys(err, -(in < 0 ? in : out), "preparing its stdin and stdout");
	pid = fork();
	if (pid < 0)
		return berr_sys(err, errno, "fork");
	if (pid == 0)
		exec_hook(h, in, out);
	r = wait_hook(pid, h->timeout.set ? h->timeout.v : 0, &status);
	read_output(out, output, sizeof(output));
	if (r == -ETIMEDOUT)
		return berr_set(err, ETIMEDOUT, "timed out after %lld s (killed)%s%s",
				(long long) h->timeout.v, *output ? ": " : "", output);
	if (r < 0)
		return berr_sys(err, -r, "waiting for it");
	if (WIFSIGNALED(status))
		return berr_set(err, ECANCELED, "killed by signal %d%s%s", WTERMSIG(status),
				*output ? ": " : "", output);
	if (WEXITSTATUS(status) != 0)
		return berr_set(err, ECANCELED, "exited with status %d%s%s", WEXITSTATUS(status),
				*output ? ": " : "", output);
	return 0;
}

int hooks_run(const struct spec *s, enum hook_kind k, const char *state_json, struct berr **err)
{
	for (size_t i = 0; i < s->hooks[k].n; i++) {
		const struct spec_hook *h = &s->hooks[k].v[i];
		int r = run_one(h, state_json, err);

		if (r < 0)
			return berr_wrap(err, "hooks.%s[%zu] '%s'", hook_kind_name(k), i, h->path);
	}
	return 0;
}

void hooks_run_warn(const struct spec *s, enum hook_kind k, const char *state_json,
		    hooks_warn_fn warn)
{
	for (size_t i = 0; i < s->hooks[k].n; i++) {
		const struct spec_hook *h = &s->hooks[k].v[i];
		_cleanup_berr_ struct berr *err = NULL;
		char msg[HOOK_OUTPUT_MAX + 256];

		if (run_one(h, state_json, &err) >= 0)
			continue;
		snprintf(msg, sizeof(msg), "hooks.%s[%zu] '%s': %s, ignoring", hook_kind_name(k), i,
			 h->path, err ? err->msg : "failed");
		if (warn)
			warn(msg);
	}
}

int hooks_run_state(const struct spec *s, enum hook_kind k, const struct hook_state *st,
		    struct berr **err)
{
	_cleanup_free_ char *json = NULL;

	if (!hooks_have(s, k))
		return 0;
	json = hooks_state_json(st);
	if (!json)
		return berr_set(err, ENOMEM, "out of memory");
	return hooks_run(s, k, json, err);
}

/* The state as the init sees it: the pid in the container's pid namespace. */
static void init_state(const struct container_ctx *c, const char *status, struct hook_state *st)
{
	*st = (struct hook_state){
		.id = c->id,
		.status = status,
		.pid = getpid(),
		.bundle = c->bundle,
		.annotations = c->spec->annotations,
		.n_annotations = c->spec->n_annotations,
	};
}

int hooks_init_create(const struct container_ctx *c, struct berr **err)
{
	const struct spec *s = c->spec;
	struct hook_state st;
	int r;

	if (!hooks_have(s, HOOK_PRESTART) && !hooks_have(s, HOOK_CREATE_RUNTIME) &&
	    !hooks_have(s, HOOK_CREATE_CONTAINER))
		return 0;
	/* Also without runtime hooks: the parent learns that hooks ran (poststop on failure). */
	if (sync_send(c->sync_fd, SYNC_HOOKS, NULL, 0) < 0)
		return berr_sys(err, errno, "asking for the create hooks");
	r = sync_expect(c->sync_fd, SYNC_HOOKS_DONE, NULL, 0, NULL, err);
	if (r < 0)
		return r;
	init_state(c, "creating", &st);
	return hooks_run_state(s, HOOK_CREATE_CONTAINER, &st, err);
}

int hooks_init_start(const struct container_ctx *c, struct berr **err)
{
	struct hook_state st;

	init_state(c, "created", &st);
	return hooks_run_state(c->spec, HOOK_START_CONTAINER, &st, err);
}
