/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The values of `berth create/run`'s flags (src/engine/units.c, container_opts.c): each
 * line of the input is one flag, its first character says which (the table below), the
 * rest is its value. Every value also goes through each of units.c's parsers and the
 * -v/--mount parsers; the lines starting with 'F' make an --env-file (and a --label-file).
 * Then the whole set is checked into a container config, as `create` does, and the
 * config is written as the engine's config.json, parsed back and written again:
 * identical. The same flags are then an `update` of that config (container_update.c),
 * and the merged config goes round the same way.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine/container.h"
#include "engine/container_opts.h"
#include "engine/container_update.h"
#include "engine/network_opts.h"
#include "engine/units.h"
#include "net/mac.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LIST_MAX 16

/* the scalar flags, by letter 'a'.. */
static const size_t scalars[] = {
	offsetof(struct container_flags, name),
	offsetof(struct container_flags, hostname),
	offsetof(struct container_flags, domainname),
	offsetof(struct container_flags, user),
	offsetof(struct container_flags, workdir),
	offsetof(struct container_flags, entrypoint),
	offsetof(struct container_flags, runtime),
	offsetof(struct container_flags, cgroup_parent),
	offsetof(struct container_flags, network),
	offsetof(struct container_flags, userns),
	offsetof(struct container_flags, memory),
	offsetof(struct container_flags, memory_swap),
	offsetof(struct container_flags, memory_reservation),
	offsetof(struct container_flags, cpus),
	offsetof(struct container_flags, cpu_shares),
	offsetof(struct container_flags, cpu_period),
	offsetof(struct container_flags, cpu_quota),
	offsetof(struct container_flags, cpuset_cpus),
	offsetof(struct container_flags, cpuset_mems),
	offsetof(struct container_flags, pids_limit),
	offsetof(struct container_flags, blkio_weight),
	offsetof(struct container_flags, shm_size),
	offsetof(struct container_flags, stop_signal),
	offsetof(struct container_flags, stop_timeout),
	offsetof(struct container_flags, restart),
	offsetof(struct container_flags, log_driver),
};

/* the list flags, by their letter */
static const struct {
	char letter;
	size_t off;
} lists[] = {
	{'E', offsetof(struct container_flags, env)},
	{'V', offsetof(struct container_flags, volumes)},
	{'M', offsetof(struct container_flags, mounts)},
	{'T', offsetof(struct container_flags, tmpfs)},
	{'A', offsetof(struct container_flags, cap_add)},
	{'D', offsetof(struct container_flags, cap_drop)},
	{'S', offsetof(struct container_flags, security_opt)},
	{'L', offsetof(struct container_flags, labels)},
	{'U', offsetof(struct container_flags, ulimits)},
	{'Y', offsetof(struct container_flags, sysctls)},
	{'X', offsetof(struct container_flags, devices)},
	{'R', offsetof(struct container_flags, read_bps)},
	{'W', offsetof(struct container_flags, write_bps)},
	{'O', offsetof(struct container_flags, log_opts)},
	{'G', offsetof(struct container_flags, group_add)},
};

/* Each of units.c's parsers and the mount parsers on one value. */
static void each_parser(const char *v)
{
	struct restart_policy rp;
	struct ulimit ul = {0};
	unsigned char mac[MAC_LEN], again[MAC_LEN];
	char text[MAC_STR_MAX];
	struct ctr_mount m;
	struct berr *err = NULL;
	int64_t n;
	int sig;

#define TRY(call)                                                                                  \
	do {                                                                                       \
		if ((call) < 0) {                                                                  \
			berr_free(err);                                                            \
			err = NULL;                                                                \
		}                                                                                  \
	} while (0)
	TRY(units_parse_ram(v, false, &n, &err));
	TRY(units_parse_ram(v, true, &n, &err));
	TRY(units_parse_human(v, &n, &err));
	TRY(units_parse_cpus(v, &n, &err));
	if (units_parse_signal(v, &sig, &err) < 0) {
		berr_free(err);
		err = NULL;
	} else if (!units_signal_name(sig) && (sig < 1 || sig > 64)) {
		abort();
	}
	TRY(units_parse_duration(v, &n, &err));
	TRY(units_parse_since(v, 1700000000000000000LL, &n, &err));
	TRY(units_parse_int(v, -5, 1000000, "value", &n, &err));
	if (units_parse_ulimit(v, &ul, &err) < 0) {
		berr_free(err);
		err = NULL;
	} else if (!units_ulimit_rlimit(ul.name)) {
		abort(); /* a name --ulimit accepts must map to an RLIMIT_ */
	}
	free(ul.name);
	if (units_parse_restart(v, &rp, &err) < 0) {
		berr_free(err);
		err = NULL;
	} else if (!units_restart_name(rp.kind)) {
		abort();
	}
	TRY(container_parse_volume(v, &m, &err));
	ctr_mount_done(&m);
	TRY(container_parse_mount(v, &m, &err));
	ctr_mount_done(&m);
	TRY(network_opts_mac(v, &err));
	/* a MAC --mac-address takes is written as one it takes again, the same */
	if (mac_parse(v, mac) == 0 &&
	    (mac_parse(mac_format(mac, text), again) < 0 || memcmp(mac, again, MAC_LEN) != 0))
		abort();
#undef TRY
}

static void config_round_trip(const struct container_config *c)
{
	static char *const sh[] = {"sh", NULL}; /* a compound literal in the if would end there */
	struct container_config *c2 = NULL;
	struct container_config copy = *c;
	struct berr *err = NULL;
	char *a, *b;

	/* the fields create fills in before config.json is written */
	copy.id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	if (!copy.name)
		copy.name = "fuzz";
	if (!copy.runtime_path)
		copy.runtime_path = "/usr/bin/berth-runtime";
	if (!copy.args)
		copy.args = (char **) sh;
	a = container_config_to_json(&copy);
	if (!a)
		abort();
	if (container_config_from_json(a, strlen(a), &c2, &err) < 0) {
		fprintf(stderr, "config.json written by berth is refused: %s\n%s\n",
			err ? err->msg : "?", a);
		abort();
	}
	b = container_config_to_json(c2);
	if (!b || strcmp(a, b) != 0) {
		fprintf(stderr, "config.json round trip differs:\n%s\n%s\n", a, b);
		abort();
	}
	free(a);
	free(b);
	container_config_free(c2);
}

/* The flags as `berth update` of c: parsed, merged, the runtime's JSON, the round trip. */
static void update_round_trip(const struct container_flags *f, struct container_config *c)
{
	struct container_update u;
	struct berr *err = NULL;
	char *json;

	if (container_update_parse(f, &u, &err) < 0 || container_update_merge(c, &u, &err) < 0) {
		berr_free(err);
		return;
	}
	json = container_update_resources_json(c, &u, true);
	if (!json)
		abort();
	free(json);
	config_round_trip(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *vals[sizeof(lists) / sizeof(lists[0])][LIST_MAX + 1];
	size_t nvals[sizeof(lists) / sizeof(lists[0])] = {0};
	char *command[LIST_MAX + 1];
	size_t ncommand = 0;
	char envfile[32], *envfiles[] = {envfile, NULL};
	struct container_flags f = {.image = "busybox"};
	struct container_config *c = NULL;
	struct berr *err = NULL;
	char *buf, *line, *save = NULL;
	int memfd = -1;

	if (size > 4096)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char k = line[0];
		char *v = line + 1;

		each_parser(v);
		if (k >= 'a' && k < 'a' + (char) (sizeof(scalars) / sizeof(scalars[0]))) {
			*(const char **) ((char *) &f + scalars[k - 'a']) = v;
		} else if (k == 'I') {
			f.image = v;
		} else if (k == 'C') {
			if (ncommand < LIST_MAX)
				command[ncommand++] = v;
		} else if (k == 'B') {
			f.detach = v[0] & 1, f.rm = v[0] & 2, f.interactive = v[0] & 4;
			f.tty = v[0] & 8, f.read_only = v[0] & 16, f.privileged = v[0] & 32;
			f.init = v[0] & 64;
			f.oom_kill_disable = v[0] && (v[1] & 1);
		} else if (k == 'F') {
			if (memfd < 0 && (memfd = memfd_create("env-file", MFD_CLOEXEC)) < 0)
				abort();
			if (write(memfd, v, strlen(v)) < 0 || write(memfd, "\n", 1) < 0)
				abort();
		} else {
			for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
				if (lists[i].letter == k && nvals[i] < LIST_MAX)
					vals[i][nvals[i]++] = v;
		}
	}
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (nvals[i]) {
			vals[i][nvals[i]] = NULL;
			*(char ***) ((char *) &f + lists[i].off) = vals[i];
		}
	if (ncommand) {
		command[ncommand] = NULL;
		f.command = command;
	}
	if (memfd >= 0) {
		snprintf(envfile, sizeof(envfile), "/proc/self/fd/%d", memfd);
		f.env_file = envfiles;
		f.label_files = envfiles;
	}
	if (container_flags_to_config(&f, &c, &err) < 0) {
		berr_free(err);
	} else {
		config_round_trip(c);
		update_round_trip(&f, c);
		container_config_free(c);
	}
	if (memfd >= 0)
		close(memfd);
	free(buf);
	return 0;
}
