/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/support.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "lib/cleanup.h"

struct unapplied {
	const char *field;
	bool (*is_set)(const struct spec *s);
};

static bool has_io_priority(const struct spec *s)
{
	return s->process && s->process->io_priority.set;
}
static bool has_scheduler(const struct spec *s)
{
	return s->process && s->process->scheduler.set;
}
static bool has_affinity(const struct spec *s)
{
	return s->process &&
	       (s->process->exec_cpu_affinity_initial || s->process->exec_cpu_affinity_final);
}
static bool has_personality(const struct spec *s)
{
	return s->linux.has_personality;
}
static bool has_intel_rdt(const struct spec *s)
{
	return s->linux.has_intel_rdt;
}
static bool has_memory_policy(const struct spec *s)
{
	return s->linux.has_memory_policy;
}
static bool has_net_devices(const struct spec *s)
{
	return s->linux.n_net_devices > 0;
}
static bool has_sysctl(const struct spec *s)
{
	return s->linux.n_sysctl > 0;
}
static bool has_hooks(const struct spec *s)
{
	for (int k = 0; k < _HOOK_KIND_MAX; k++)
		if (s->hooks[k].n)
			return true;
	return false;
}
static bool has_idmap_mounts(const struct spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (s->mounts[i].opts.idmap)
			return true;
	return false;
}
static bool has_tmpcopyup(const struct spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (s->mounts[i].opts.tmpcopyup)
			return true;
	return false;
}
static bool has_time_offsets(const struct spec *s)
{
	return s->linux.time_boottime.set || s->linux.time_monotonic.set;
}

static const struct unapplied unapplied[] = {
	{"process.ioPriority", has_io_priority},
	{"process.scheduler", has_scheduler},
	{"process.execCPUAffinity", has_affinity},
	{"linux.personality", has_personality},
	{"linux.intelRdt", has_intel_rdt},
	{"linux.memoryPolicy", has_memory_policy},
	{"linux.netDevices", has_net_devices},
	{"linux.sysctl", has_sysctl},
	{"hooks", has_hooks},
	{"mounts[].options: idmap", has_idmap_mounts},
	{"mounts[].options: tmpcopyup", has_tmpcopyup},
	{"linux.timeOffsets", has_time_offsets},
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
	for (size_t i = 0; i < ELEMENTSOF(unapplied); i++) {
		if (!warn || !unapplied[i].is_set(s))
			continue;
		snprintf(msg, sizeof(msg), "config.json: %s: not applied by this version, ignoring",
			 unapplied[i].field);
		warn(msg);
	}
	return 0;
}
