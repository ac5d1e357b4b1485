/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/lifecycle/lifecycle_hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "runtime/lifecycle/hooks.h"

/* config.json larger than this was refused at create: the copy cannot be larger. */
#define SAVED_CONFIG_MAX (16u << 20)

int lifecycle_saved_config(int dirfd, const char *needle, struct spec **ret, struct berr **err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	*ret = NULL;
	r = read_file_at(dirfd, STATE_CONFIG, SAVED_CONFIG_MAX, &text, &len);
	if (r == -ENOENT)
		return 0; /* made by a berth without hooks support */
	if (r < 0)
		return berr_sys(err, -r, "reading the saved %s", STATE_CONFIG);
	/* Cheap test first: most containers have no hooks, and start must stay fast. */
	if (!strstr(text, needle))
		return 0;
	r = oci_config_parse(text, len, ret, err);
	return r < 0 ? berr_wrap(err, "the saved config") : 0;
}

static void fill(const struct spec *s, const struct container_state *st, const char *status,
		 pid_t pid, struct hook_state *hs)
{
	*hs = (struct hook_state){
		.id = st->id,
		.status = status,
		.pid = pid,
		.bundle = st->bundle,
		.annotations = s->annotations,
		.n_annotations = s->n_annotations,
	};
}

int lifecycle_create_hooks(const struct spec *s, const struct container_state *st,
			   struct berr **err)
{
	struct hook_state hs;
	int r;

	fill(s, st, "creating", st->pid, &hs);
	r = hooks_run_state(s, HOOK_PRESTART, &hs, err);
	if (r < 0)
		return r;
	return hooks_run_state(s, HOOK_CREATE_RUNTIME, &hs, err);
}

/* SIGKILL the init, if it is still the process create started. */
static void stop_init(const struct container_state *st)
{
	_cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, st->pid, 0);

	if (pidfd >= 0 && state_pid_alive(st))
		(void) syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	else if (pidfd < 0 && errno == ENOSYS && state_pid_alive(st))
		(void) kill(st->pid, SIGKILL); /* no pidfds: before Linux 5.3, valgrind */
}

int lifecycle_poststart(const struct spec *s, const struct container_state *st, struct berr **err)
{
	struct hook_state hs;
	int r;

	fill(s, st, "running", st->pid, &hs);
	r = hooks_run_state(s, HOOK_POSTSTART, &hs, err);
	if (r < 0) {
		stop_init(st);
		return berr_wrap(err, "container '%s' stopped", st->id);
	}
	return 0;
}

int lifecycle_poststart_saved(int dirfd, const struct container_state *st, struct berr **err)
{
	_cleanup_spec_ struct spec *s = NULL;
	int r;

	r = lifecycle_saved_config(dirfd, "\"poststart\"", &s, err);
	if (r < 0 || !s)
		return r;
	return lifecycle_poststart(s, st, err);
}

void lifecycle_poststop(const struct spec *s, const struct container_state *st, warn_fn warn)
{
	_cleanup_free_ char *json = NULL;
	struct hook_state hs;

	if (!s || !hooks_have(s, HOOK_POSTSTOP))
		return;
	fill(s, st, "stopped", 0, &hs);
	json = hooks_state_json(&hs);
	if (json)
		hooks_run_warn(s, HOOK_POSTSTOP, json, warn);
}
