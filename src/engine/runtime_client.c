/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/runtime_client.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/rootless.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/strv.h"

#define OUTPUT_MAX (8 << 20)

extern char **environ;

static bool executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

static char *path_lookup(const char *name)
{
	const char *path = getenv("PATH");
	_cleanup_strv_ char **dirs = strv_split(path ? path
						     : "/usr/local/sbin:/usr/local/bin:"
						       "/usr/sbin:/usr/bin:/sbin:/bin",
						":");

	STRV_FOREACH (d, dirs) {
		char *full;

		if (asprintf(&full, "%s/%s", *d, name) < 0)
			return NULL;
		if (executable(full))
			return full;
		free(full);
	}
	return NULL;
}

int runtime_resolve(const char *name, char **ret, struct berr **err)
{
	char self[PATH_MAX], *found;
	ssize_t n;

	if (strchr(name, '/')) {
		if (!executable(name))
			return berr_set(err, ENOENT, "runtime '%s' is not an executable file",
					name);
		found = realpath(name, NULL);
		if (!found)
			return berr_sys(err, errno, "runtime '%s'", name);
		*ret = found;
		return 0;
	}
	if (strcmp(name, "berth") == 0 || strcmp(name, "berth-runtime") == 0) {
		n = readlink("/proc/self/exe", self, sizeof(self) - 32);
		if (n > 0) {
			char *slash;

			self[n] = '\0';
			slash = strrchr(self, '/');
			if (slash) {
				strcpy(slash + 1, "berth-runtime");
				if (executable(self))
					return (*ret = strdup(self)) ? 0 : -ENOMEM;
			}
		}
		name = "berth-runtime";
	}
	found = path_lookup(name);
	if (!found)
		return berr_set(err, ENOENT, "unknown or invalid runtime name: %s", name);
	*ret = found;
	return 0;
}

/* Read both pipes until EOF into the optional outputs. */
static int drain(int out, int errfd, char **ret_out, char **ret_err)
{
	struct {
		int fd;
		char *buf;
		size_t len;
	} s[2] = {{out, NULL, 0}, {errfd, NULL, 0}};
	char chunk[4096];

	while (s[0].fd >= 0 || s[1].fd >= 0) {
		struct pollfd p[2] = {{.fd = s[0].fd, .events = POLLIN},
				      {.fd = s[1].fd, .events = POLLIN}};

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			ssize_t n;
			char *nb;

			if (s[i].fd < 0 || !p[i].revents)
				continue;
			n = read(s[i].fd, chunk, sizeof(chunk));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(s[i].fd);
				s[i].fd = -1;
				continue;
			}
			if (s[i].len + (size_t) n > OUTPUT_MAX)
				continue;
			nb = realloc(s[i].buf, s[i].len + (size_t) n + 1);
			if (!nb)
				continue;
			memcpy(nb + s[i].len, chunk, (size_t) n);
			s[i].len += (size_t) n;
			nb[s[i].len] = '\0';
			s[i].buf = nb;
		}
	}
	if (ret_out)
		*ret_out = s[0].buf ? s[0].buf : strdup("");
	else
		free(s[0].buf);
	if (ret_err)
		*ret_err = s[1].buf ? s[1].buf : strdup("");
	else
		free(s[1].buf);
	return 0;
}

static int build_argv(const struct oci_runtime *rt, char *const *args, char ***ret)
{
	_cleanup_strv_ char **v = NULL;

	if (strv_push_dup(&v, rt->path) < 0 || strv_push_dup(&v, "--root") < 0 ||
	    strv_push_dup(&v, rt->root) < 0)
		return -ENOMEM;
	if (rt->log && (strv_push_dup(&v, "--log") < 0 || strv_push_dup(&v, rt->log) < 0 ||
			strv_push_dup(&v, "--log-format") < 0 || strv_push_dup(&v, "json") < 0))
		return -ENOMEM;
	/*
	 * rootless berth runs the runtime as uid 0 of its user namespace: runc then takes
	 * the cgroups it may not create for an error unless told (berth-runtime sees it)
	 */
	if (rootless_mode() &&
	    (strv_push_dup(&v, "--rootless") < 0 || strv_push_dup(&v, "true") < 0))
		return -ENOMEM;
	STRV_FOREACH (a, args)
		if (strv_push_dup(&v, *a) < 0)
			return -ENOMEM;
	*ret = TAKE_PTR(v);
	return 0;
}

static int wait_status(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/* Set up the child's stdio: fd or /dev/null for 0, pipes or fds for 1 and 2. */
static int add_stdio(posix_spawn_file_actions_t *fa, const struct runtime_spawn *s, int null_fd,
		     int out_w, int err_w)
{
	int in = s->stdio.in >= 0 ? s->stdio.in : null_fd;
	int out = out_w >= 0 ? out_w : s->stdio.out >= 0 ? s->stdio.out : null_fd;
	int errfd = err_w >= 0 ? err_w : s->stdio.err >= 0 ? s->stdio.err : null_fd;

	if (posix_spawn_file_actions_adddup2(fa, in, 0) ||
	    posix_spawn_file_actions_adddup2(fa, out, 1) ||
	    posix_spawn_file_actions_adddup2(fa, errfd, 2))
		return -ENOMEM;
	return 0;
}

int runtime_run(const struct oci_runtime *rt, const struct runtime_spawn *s, struct berr **err)
{
	_cleanup_strv_ char **argv = NULL;
	_cleanup_close_ int null_fd = -1;
	int out[2] = {-1, -1}, errp[2] = {-1, -1};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	pid_t pid;
	int r;

	if ((r = build_argv(rt, s->args, &argv)) < 0)
		return berr_set(err, -r, "out of memory");
	if (!s->inherit_stdio) {
		null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null_fd < 0)
			return berr_sys(err, errno, "cannot open /dev/null");
		if ((s->ret_stdout && pipe2(out, O_CLOEXEC) < 0) ||
		    (s->ret_stderr && pipe2(errp, O_CLOEXEC) < 0)) {
			r = berr_sys(err, errno, "cannot make a pipe");
			goto out_close;
		}
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	{
		sigset_t all;

		sigfillset(&all);
		posix_spawnattr_setsigdefault(&attr, &all);
	}
	r = 0;
	if (!s->inherit_stdio)
		r = add_stdio(&fa, s, null_fd, out[1], errp[1]);
	if (r >= 0 && rt->cwd && posix_spawn_file_actions_addchdir_np(&fa, rt->cwd))
		r = -ENOMEM;
	if (r >= 0)
		r = -posix_spawn(&pid, rt->path, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (r < 0) {
		r = berr_sys(err, -r, "cannot run the runtime '%s'", rt->path);
		goto out_close;
	}
	if (out[1] >= 0)
		close(TAKE_FD(out[1]));
	if (errp[1] >= 0)
		close(TAKE_FD(errp[1]));
	(void) drain(TAKE_FD(out[0]), TAKE_FD(errp[0]), s->ret_stdout, s->ret_stderr);
	r = wait_status(pid);
	if (r < 0)
		return berr_sys(err, -r, "waiting for the runtime");
	return r;
out_close:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	return r;
}

/* The runtime's own words for a failure: its stderr without its "runc: " prefix. */
static int fail_with(int status, const char *what, const char *text, struct berr **err)
{
	_cleanup_free_ char *copy = strdup(text ? text : "");
	char *t = copy;
	size_t n;

	if (!copy)
		return -ENOMEM;
	n = strlen(t);
	while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == ' '))
		t[--n] = '\0';
	/* keep the last line: the error itself, after any warnings */
	if (strrchr(t, '\n'))
		t = strrchr(t, '\n') + 1;
	if (!*t)
		return berr_set(err, EIO, "%s: the runtime exited with status %d", what, status);
	return berr_set(err, EIO, "%s: %s", what, t);
}

/* A simple call: args, stderr captured; 0 on status 0. */
static int call(const struct oci_runtime *rt, const char *what, char *const *args, char **ret_out,
		struct berr **err)
{
	_cleanup_free_ char *errtext = NULL, *outtext = NULL;
	struct oci_runtime plain = *rt;
	struct runtime_spawn s = {
		.args = args,
		.stdio = {-1, -1, -1},
		.ret_stdout = &outtext,
		.ret_stderr = &errtext,
	};
	int r;

	plain.log = NULL;
	r = runtime_run(&plain, &s, err);
	if (r < 0)
		return r;
	if (r != 0)
		return fail_with(r, what, errtext, err);
	if (ret_out)
		*ret_out = TAKE_PTR(outtext);
	return 0;
}

char *runtime_log_error(const char *path)
{
	_cleanup_free_ char *buf = NULL;
	char *msg = NULL;
	size_t len;

	if (!path || read_file_at(AT_FDCWD, path, OUTPUT_MAX, &buf, &len) < 0)
		return NULL;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		_cleanup_jdoc_ struct jdoc *doc = NULL;
		_cleanup_free_ char *level = NULL, *m = NULL;
		struct jnode root;

		if (jdoc_parse(line, strlen(line), "log", &doc, NULL) < 0)
			continue;
		jdoc_root(doc, &root);
		if (jnode_get_string(&root, "level", &level, NULL) <= 0 ||
		    strcmp(level, "error") != 0 || jnode_get_string(&root, "msg", &m, NULL) <= 0)
			continue;
		free(msg);
		msg = TAKE_PTR(m);
	}
	return msg;
}

int runtime_create(const struct oci_runtime *rt, const struct runtime_create_opts *o,
		   struct berr **err)
{
	char *args[] = {"create",
			"--bundle",
			(char *) o->bundle,
			"--pid-file",
			(char *) o->pid_file,
			o->console_socket ? "--console-socket" : (char *) o->id,
			(char *) o->console_socket,
			(char *) o->id,
			NULL};
	struct runtime_spawn s = {.args = args, .stdio = o->stdio};
	_cleanup_free_ char *msg = NULL;
	int r;

	if (!o->console_socket)
		args[6] = NULL;
	if (rt->log)
		(void) truncate(rt->log, 0);
	r = runtime_run(rt, &s, err);
	if (r <= 0)
		return r;
	msg = runtime_log_error(rt->log);
	if (msg)
		return berr_set(err, EIO, "%s", msg);
	return berr_set(err, EIO, "the runtime's create exited with status %d", r);
}

int runtime_start(const struct oci_runtime *rt, const char *id, struct berr **err)
{
	char *args[] = {"start", (char *) id, NULL};

	return call(rt, "start", args, NULL, err);
}

int runtime_kill(const struct oci_runtime *rt, const char *id, int sig, bool all, struct berr **err)
{
	char signo[16];
	char *args[] = {"kill", all ? "--all" : (char *) id, all ? (char *) id : signo,
			all ? signo : NULL, NULL};

	snprintf(signo, sizeof(signo), "%d", sig);
	return call(rt, "kill", args, NULL, err);
}

int runtime_delete(const struct oci_runtime *rt, const char *id, bool force, struct berr **err)
{
	char *args[] = {"delete", force ? "--force" : (char *) id, force ? (char *) id : NULL,
			NULL};
	_cleanup_berr_ struct berr *e = NULL;
	_cleanup_free_ char *status = NULL;
	int r;

	r = call(rt, "delete", args, NULL, &e);
	if (r >= 0)
		return 0;
	/* "container does not exist": already gone is what we wanted */
	if (runtime_status(rt, id, &status, NULL) == -ENOENT)
		return 0;
	*err = TAKE_PTR(e);
	return r;
}

int runtime_pause(const struct oci_runtime *rt, const char *id, struct berr **err)
{
	char *args[] = {"pause", (char *) id, NULL};

	return call(rt, "pause", args, NULL, err);
}

int runtime_update(const struct oci_runtime *rt, const char *id, const char *resources,
		   struct berr **err)
{
	char *args[] = {"update", "--resources", (char *) resources, (char *) id, NULL};

	return call(rt, "update", args, NULL, err);
}

int runtime_resume(const struct oci_runtime *rt, const char *id, struct berr **err)
{
	char *args[] = {"resume", (char *) id, NULL};

	return call(rt, "resume", args, NULL, err);
}

int runtime_status(const struct oci_runtime *rt, const char *id, char **ret, struct berr **err)
{
	char *args[] = {"state", (char *) id, NULL};
	_cleanup_free_ char *out = NULL;
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	_cleanup_berr_ struct berr *e = NULL;
	struct jnode root;
	int r;

	r = call(rt, "state", args, &out, &e);
	if (r < 0) {
		if (e && (strstr(e->msg, "does not exist") || strstr(e->msg, "not exist") ||
			  strstr(e->msg, "No such")))
			return berr_set(err, ENOENT, "%s", e->msg);
		if (err)
			*err = TAKE_PTR(e);
		return r;
	}
	r = jdoc_parse(out, strlen(out), "state", &doc, err);
	if (r < 0)
		return r;
	jdoc_root(doc, &root);
	r = jnode_get_string(&root, "status", ret, err);
	if (r == 0)
		return berr_set(err, EIO, "the runtime's state has no status");
	return r < 0 ? r : 0;
}

int runtime_ps(const struct oci_runtime *rt, const char *id, pid_t **ret, size_t *ret_n,
	       struct berr **err)
{
	char *args[] = {"ps", "--format", "json", (char *) id, NULL};
	_cleanup_free_ char *out = NULL;
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	struct jnode root;
	size_t n;
	int r;

	r = call(rt, "ps", args, &out, err);
	if (r < 0)
		return r;
	r = jdoc_parse(out, strlen(out), "ps", &doc, err);
	if (r < 0)
		return r;
	jdoc_root(doc, &root);
	n = jnode_array_len(&root);
	pids = calloc(n + 1, sizeof(pid_t));
	if (!pids)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct jnode e;
		int64_t v;

		jnode_array_at(&root, i, &e);
		if (jnode_int64(&e, &v, err) < 0)
			return -EINVAL;
		pids[i] = (pid_t) v;
	}
	*ret = TAKE_PTR(pids);
	*ret_n = n;
	return 0;
}

int runtime_stats(const struct oci_runtime *rt, const char *id, char **ret, struct berr **err)
{
	char *args[] = {"events", "--stats", (char *) id, NULL};

	return call(rt, "events", args, ret, err);
}
