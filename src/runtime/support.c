/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/support.h"

#include <errno.h>
#include <stdio.h>

#include "lib/cleanup.h"

struct unapplied {
	const char *field;
	bool (*is_set)(const struct spec *s);
};

static bool has_resources(const struct spec *s)
{
	return s->linux.resources.set;
}
static bool has_seccomp(const struct spec *s)
{
	return s->linux.seccomp.set;
}
static bool has_apparmor(const struct spec *s)
{
	return s->process && s->process->apparmor_profile && *s->process->apparmor_profile;
}
static bool has_selinux(const struct spec *s)
{
	return s->process && s->process->selinux_label && *s->process->selinux_label;
}
static bool has_mount_label(const struct spec *s)
{
	return s->linux.mount_label && *s->linux.mount_label;
}
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

static const struct unapplied unapplied[] = {
	{"linux.resources", has_resources},
	{"linux.seccomp", has_seccomp},
	{"process.apparmorProfile", has_apparmor},
	{"process.selinuxLabel", has_selinux},
	{"linux.mountLabel", has_mount_label},
	{"process.ioPriority", has_io_priority},
	{"process.scheduler", has_scheduler},
	{"process.execCPUAffinity", has_affinity},
	{"linux.personality", has_personality},
	{"linux.intelRdt", has_intel_rdt},
	{"linux.memoryPolicy", has_memory_policy},
	{"linux.netDevices", has_net_devices},
};

int support_check(const struct spec *s, bool detach, bool has_console_socket, support_warn_fn warn,
		  struct berr **err)
{
	char msg[256];

	if (!s->process)
		return berr_set(err, EINVAL, "config.json: process: must be given");
	if (s->process->terminal && !has_console_socket)
		return berr_set(
			err, EINVAL,
			"config.json: process.terminal: a terminal needs --console-socket%s",
			detach ? "" : " (terminal proxying is not supported yet)");
	if (s->process->terminal)
		return berr_set(err, ENOTSUP, "config.json: process.terminal: not supported yet");
	for (size_t i = 0; i < ELEMENTSOF(unapplied); i++) {
		if (!warn || !unapplied[i].is_set(s))
			continue;
		snprintf(msg, sizeof(msg), "config.json: %s: not applied by this version, ignoring",
			 unapplied[i].field);
		warn(msg);
	}
	return 0;
}
