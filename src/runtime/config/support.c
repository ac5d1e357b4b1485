/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/config/support.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/strv.h"
#include "runtime/security/caps.h"

struct unapplied {
	const char *field;
	bool (*is_set)(const struct spec *s);
};

static bool has_intel_rdt(const struct spec *s)
{
	return s->linux.has_intel_rdt;
}

/* Fields berth recognises but does not apply (intelRdt is then refused, not warned). */
static const struct unapplied unapplied[] = {
	{"linux.intelRdt", has_intel_rdt},
};

bool support_field_applied(const char *field)
{
	for (size_t i = 0; i < ELEMENTSOF(unapplied); i++) {
		size_t len = strlen(unapplied[i].field);

		if (strncmp(field, unapplied[i].field, len) == 0 &&
		    (field[len] == '\0' || field[len] == '.' || field[len] == '['))
			return false;
	}
	return true;
}

int support_check_terminal(const struct spec_process *p, const char *what, bool detach,
			   bool has_console_socket, struct berr **err)
{
	/* The rules of runc's checkTerminal: containerd and Podman rely on them. */
	if (p->terminal && detach && !has_console_socket)
		return berr_set(err, EINVAL,
				"%s: a detached container needs --console-socket for its terminal",
				what);
	if (has_console_socket && !p->terminal)
		return berr_set(err, EINVAL, "--console-socket: %s is false: there is no terminal",
				what);
	if (has_console_socket && !detach)
		return berr_set(
			err, EINVAL,
			"--console-socket: only with --detach (in the foreground berth-runtime "
			"proxies the terminal itself)");
	if ((p->console_height.set && p->console_height.v > USHRT_MAX) ||
	    (p->console_width.set && p->console_width.v > USHRT_MAX))
		return berr_set(err, EINVAL, "%s: consoleSize: height and width must be at most %u",
				what, USHRT_MAX);
	return 0;
}

/*
 * config-linux.md: intelRdt without a mounted resctrl filesystem MUST be an error. berth
 * does not drive resctrl yet, so with one it is an error too, never silently ignored.
 */
static int intel_rdt_refuse(struct berr **err)
{
	_cleanup_free_ char *mountinfo = NULL;

	if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", 16u << 20, &mountinfo, NULL) >= 0 &&
	    !strstr(mountinfo, " - resctrl "))
		return berr_set(err, ENODEV,
				"config.json: linux.intelRdt: no resctrl filesystem is mounted "
				"(Intel RDT is not available on this host)");
	return berr_set(err, ENOTSUP, "config.json: linux.intelRdt: not supported yet");
}

static void warn_list(char *const *list, support_warn_fn warn)
{
	char msg[512];

	STRV_FOREACH (w, list) {
		snprintf(msg, sizeof(msg), "config.json: %s", *w);
		if (warn)
			warn(msg);
	}
}

/* Capabilities berth knows but this kernel does not: warned, then left out (caps.c). */
static void warn_kernel_caps(const struct spec_capabilities *c, support_warn_fn warn)
{
	uint64_t all = c->bounding | c->effective | c->permitted | c->inheritable | c->ambient;
	char msg[256];

	for (int cap = cap_last_kernel() + 1; cap < 64; cap++) {
		if (!(all & (1ULL << cap)) || !warn)
			continue;
		snprintf(msg, sizeof(msg),
			 "config.json: process.capabilities: %s is not supported by this kernel, "
			 "ignoring",
			 cap_name(cap) ? cap_name(cap) : "?");
		warn(msg);
	}
}

int support_check(const struct spec *s, bool detach, bool has_console_socket, support_warn_fn warn,
		  struct berr **err)
{
	char msg[256];
	int r;

	if (!s->process)
		return berr_set(err, EINVAL, "config.json: process: must be given");
	r = support_check_terminal(s->process, "config.json: process.terminal", detach,
				   has_console_socket, err);
	if (r < 0)
		return r;
	if (s->linux.has_intel_rdt)
		return intel_rdt_refuse(err);
	warn_list(s->warnings, warn);
	warn_list(s->process->warnings, warn);
	warn_kernel_caps(&s->process->capabilities, warn);
	for (size_t i = 0; i < ELEMENTSOF(unapplied); i++) {
		if (!warn || !unapplied[i].is_set(s))
			continue;
		snprintf(msg, sizeof(msg), "config.json: %s: not applied by this version, ignoring",
			 unapplied[i].field);
		warn(msg);
	}
	return 0;
}
