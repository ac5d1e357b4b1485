/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The values of docker's flags, parsed as docker parses them (go-units and the CLI's
 * opts package): sizes ("512m", "1.5g"), CPUs ("1.5"), signals ("SIGTERM", "9"),
 * ulimits ("nofile=1024:2048"), restart policies ("on-failure:3"), durations ("10s").
 * Each parser returns -EINVAL with a message in docker's words for a bad value.
 */
#ifndef BERTH_ENGINE_UNITS_H
#define BERTH_ENGINE_UNITS_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"

/*
 * A size with binary units, as go-units RAMInBytes: "1024", "512k", "1.5g", "2MiB",
 * "10 MB" (k, m, g, t, p are 1024-based whatever the suffix says). Negative values are
 * refused unless allow_minus_one and s is "-1" (then *ret is -1).
 */
int units_parse_ram(const char *s, bool allow_minus_one, int64_t *ret, struct berr **err);

/* A size with decimal units, as go-units FromHumanSize ("1kb" is 1000): for --log-opt. */
int units_parse_human(const char *s, int64_t *ret, struct berr **err);

/* --cpus: a decimal number of CPUs as nanoCPUs ("1.5" -> 1500000000). */
int units_parse_cpus(const char *s, int64_t *ret, struct berr **err);

/* A signal by name ("TERM", "SIGTERM", "sigkill") or number (1..64). */
int units_parse_signal(const char *s, int *ret, struct berr **err);

/* The name of signal sig without "SIG" ("TERM"), or NULL. */
const char *units_signal_name(int sig);

/* A duration as Go writes it ("10s", "1m30s", "500ms", "2h") in nanoseconds. */
int units_parse_duration(const char *s, int64_t *ret, struct berr **err);

/*
 * A point in time for --since/--until: RFC 3339 ("2024-01-02T15:04:05Z"), a Unix
 * timestamp ("1700000000.5"), or a duration before now ("10m"). Nanoseconds since
 * the epoch.
 */
int units_parse_since(const char *s, int64_t now_ns, int64_t *ret, struct berr **err);

/* A decimal integer in [min, max]. what names the value in the message. */
int units_parse_int(const char *s, int64_t min, int64_t max, const char *what, int64_t *ret,
		    struct berr **err);

struct ulimit {
	char *name; /* "nofile" */
	int64_t soft, hard;
};

/* --ulimit NAME=SOFT[:HARD]; the name must be one docker knows. */
int units_parse_ulimit(const char *s, struct ulimit *ret, struct berr **err);

/* The RLIMIT_* name the OCI config uses for a docker ulimit name ("RLIMIT_NOFILE"). */
const char *units_ulimit_rlimit(const char *name);

enum restart_kind {
	RESTART_NO,
	RESTART_ON_FAILURE,
	RESTART_ALWAYS,
	RESTART_UNLESS_STOPPED,
	_RESTART_KIND_MAX,
};

struct restart_policy {
	enum restart_kind kind;
	int max_retries; /* on-failure:N; 0 = no limit */
};

/* --restart no|always|unless-stopped|on-failure[:N] */
int units_parse_restart(const char *s, struct restart_policy *ret, struct berr **err);

/* "no", "on-failure", "always", "unless-stopped" */
const char *units_restart_name(enum restart_kind k);

#endif
