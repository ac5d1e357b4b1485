/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/host_check.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/strv.h"

#define CPUSET_MAX 1024

int host_parse_cpuset(const char *s, uint64_t bits[16])
{
	memset(bits, 0, 16 * sizeof(uint64_t));
	if (!*s)
		return -EINVAL;
	for (const char *p = s; *p;) {
		char *end;
		unsigned long a, b;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		a = b = strtoul(p, &end, 10);
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				return -EINVAL;
			b = strtoul(end + 1, &end, 10);
		}
		if (a > b || b >= CPUSET_MAX || (*end && *end != ','))
			return -EINVAL;
		for (unsigned long i = a; i <= b; i++)
			bits[i / 64] |= 1ULL << (i % 64);
		p = *end ? end + 1 : end;
		if (*end && !*p)
			return -EINVAL;
	}
	return 0;
}

/* The first line of path, without its newline ("" when unreadable). */
static void read_line(const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);

	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* Is every CPU (node) of want in the online list at path? */
static int check_cpuset(const char *want, const char *path, const char *what, const char *noun,
			struct berr **err)
{
	uint64_t w[16], have[16];
	char online[256];

	if (host_parse_cpuset(want, w) < 0)
		return berr_set(err, EINVAL, "Invalid value %s for cpuset %s: invalid format: %s",
				want, what, want);
	read_line(path, online, sizeof(online));
	if (!*online || host_parse_cpuset(online, have) < 0)
		return 0; /* nothing to compare with: the kernel says at start */
	for (size_t i = 0; i < 16; i++)
		if (w[i] & ~have[i])
			return berr_set(
				err, EINVAL,
				"Requested %s are not available - requested %s, available: %s",
				noun, want, online);
	return 0;
}

/* Is word one of the comma- or space-separated words of list? */
static bool has_word(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = list; *p; p += strcspn(p, ", "), p += strspn(p, ", "))
		if (strncmp(p, word, len) == 0 &&
		    (p[len] == '\0' || p[len] == ',' || p[len] == ' '))
			return true;
	return false;
}

/* docker's sysinfo: blkio.weight (or BFQ's) in the v1 hierarchy, else cgroup2's io. */
static bool blkio_weight_supported(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	bool v1 = false, io = false;
	size_t cap = 0;

	while (f && getline(&line, &cap, f) > 0) {
		char mp[512], fstype[64], super[512], path[600], ctrls[256];
		const char *dash = strstr(line, " - ");

		if (!dash || sscanf(line, "%*s %*s %*s %*s %511s", mp) != 1 ||
		    sscanf(dash, " - %63s %*s %511s", fstype, super) != 2)
			continue;
		if (strcmp(fstype, "cgroup") == 0 && has_word(super, "blkio")) {
			v1 = true;
			snprintf(path, sizeof(path), "%s/blkio.weight", mp);
			if (access(path, F_OK) == 0)
				return true;
			snprintf(path, sizeof(path), "%s/blkio.bfq.weight", mp);
			if (access(path, F_OK) == 0)
				return true;
			/* BFQ gives only non-root cgroups their weight file */
			if (access("/sys/module/bfq", F_OK) == 0)
				return true;
		} else if (strcmp(fstype, "cgroup2") == 0) {
			snprintf(path, sizeof(path), "%s/cgroup.controllers", mp);
			read_line(path, ctrls, sizeof(ctrls));
			io = io || has_word(ctrls, "io");
		}
	}
	return !v1 && io;
}

void host_facts_read(struct host_facts *ret)
{
	struct utsname uts;
	cpu_set_t set;

	*ret = (struct host_facts){
		.ncpu = sched_getaffinity(0, sizeof(set), &set) == 0
				? CPU_COUNT(&set)
				: (int) sysconf(_SC_NPROCESSORS_ONLN),
		.cpus_online = "/sys/devices/system/cpu/online",
		.mems_online = "/sys/devices/system/node/online",
		.blkio_weight = blkio_weight_supported(),
		.oom_kill_disable = access("/sys/fs/cgroup/memory/memory.oom_control", F_OK) == 0,
	};
	if (uname(&uts) == 0)
		snprintf(ret->machine, sizeof(ret->machine), "%s", uts.machine);
}

int host_check_config(struct container_config *cfg, const struct host_facts *h,
		      char ***ret_warnings, struct berr **err)
{
	int r;

	*ret_warnings = NULL;
	if (cfg->nano_cpus > 0 && h->ncpu > 0 && cfg->nano_cpus > (int64_t) h->ncpu * 1000000000)
		return berr_set(err, EINVAL,
				"Range of CPUs is from 0.01 to %d.00, as there are only %d CPUs "
				"available",
				h->ncpu, h->ncpu);
	if (cfg->cpuset_cpus &&
	    (r = check_cpuset(cfg->cpuset_cpus, h->cpus_online, "cpus", "CPUs", err)) < 0)
		return r;
	if (cfg->cpuset_mems &&
	    (r = check_cpuset(cfg->cpuset_mems, h->mems_online, "mems", "memory nodes", err)) < 0)
		return r;
	if (cfg->oom_kill_disable && !h->oom_kill_disable) {
		cfg->oom_kill_disable = false;
		if (strv_push_dup(ret_warnings, "Your kernel does not support OomKillDisable. "
						"OomKillDisable discarded.") < 0)
			return -ENOMEM;
	}
	if (cfg->oom_kill_disable && !cfg->memory &&
	    strv_push_dup(ret_warnings,
			  "OOM killer is disabled for the container, but no memory limit is set, "
			  "this can result in the system running out of resources.") < 0)
		return -ENOMEM;
	if (cfg->network == NETWORK_HOST && (cfg->publish || cfg->publish_all)) {
		strv_free(cfg->publish);
		cfg->publish = NULL;
		cfg->publish_all = false;
		if (strv_push_dup(ret_warnings, "Published ports are discarded when using host "
						"network mode") < 0)
			return -ENOMEM;
	}
	/* dockerd takes them and has no use for them: the donor's resolv.conf is bound */
	if (cfg->network == NETWORK_CONTAINER && (cfg->dns_search || cfg->dns_options) &&
	    strv_push_dup(ret_warnings, "DNS search domains and options have no effect when "
					"sharing another container's network namespace") < 0)
		return -ENOMEM;
	if (cfg->blkio_weight && !h->blkio_weight) {
		cfg->blkio_weight = 0;
		if (strv_push_dup(ret_warnings, "Your kernel does not support Block I/O weight or "
						"the cgroup is not mounted. Weight discarded.") < 0)
			return -ENOMEM;
	}
	return 0;
}

/* containerd's normalisation of an architecture name, with its default variant. */
static const struct {
	const char *names[3];
	const char *arch;
	const char *variants[5]; /* accepted variants, NULL-terminated */
} arches[] = {
	{{"x86_64", "x86-64", "amd64"}, "amd64", {"v1", "v2", "v3", "v4", NULL}},
	{{"aarch64", "arm64", NULL}, "arm64", {"v8", NULL}},
	{{"i386", "i686", "386"}, "386", {NULL}},
	{{"ppc64le", NULL, NULL}, "ppc64le", {NULL}},
	{{"s390x", NULL, NULL}, "s390x", {NULL}},
	{{"riscv64", NULL, NULL}, "riscv64", {NULL}},
};

static int arch_index(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(arches); i++)
		for (size_t n = 0; n < ELEMENTSOF(arches[i].names); n++)
			if (arches[i].names[n] && strcasecmp(arches[i].names[n], name) == 0)
				return (int) i;
	return -1;
}

static bool variant_ok(int arch, const char *variant)
{
	if (!variant)
		return true;
	for (size_t v = 0; arches[arch].variants[v]; v++)
		if (strcasecmp(arches[arch].variants[v], variant) == 0)
			return true;
	return false;
}

int host_check_platform(const char *platform, const struct host_facts *h, struct berr **err)
{
	_cleanup_free_ char *copy = strdup(platform);
	char *os, *arch, *variant, *extra, *save = NULL;
	int host = arch_index(h->machine), want;

	if (!copy)
		return -ENOMEM;
	os = strtok_r(copy, "/", &save);
	arch = strtok_r(NULL, "/", &save);
	variant = strtok_r(NULL, "/", &save);
	extra = strtok_r(NULL, "/", &save);
	if (!os || extra || strchr(platform, ' '))
		return berr_set(err, EINVAL,
				"\"%s\": unknown operating system or architecture: invalid "
				"argument",
				platform);
	want = arch ? arch_index(arch) : host;
	if (strcasecmp(os, "linux") == 0 && want >= 0 && want == host && variant_ok(want, variant))
		return 0;
	return berr_set(err, EINVAL,
			"platform \"%s\" is not supported: berth runs containers of this host's "
			"platform only (linux/%s)",
			platform, host >= 0 ? arches[host].arch : h->machine);
}
