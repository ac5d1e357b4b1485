/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Health checks as docker's (daemon/health.go): the container's monitor runs the test
 * every interval (start interval during the start period) through `berth exec`, with a
 * timeout; exit 0 is healthy, anything else a failure. Failures in the start period do
 * not count until a first success; retries failures in a row make it unhealthy. The last
 * five results are kept with their output (at most 4096 bytes each). The state lives in
 * the container's health.json, written atomically by the monitor and read by inspect and
 * ps; no lock is needed for a file only the monitor writes.
 *
 * This file: the test and its timings (docker's defaults), the state machine and
 * health.json; monitor_health.c runs the probes.
 */
#ifndef BERTH_ENGINE_HEALTH_H
#define BERTH_ENGINE_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/container.h"
#include "lib/err.h"

struct jnode;
struct jwriter;

#define HEALTH_LOG_MAX 5
#define HEALTH_OUTPUT_MAX 4096
#define HEALTH_DEFAULT_INTERVAL (30 * 1000000000LL)
#define HEALTH_DEFAULT_TIMEOUT (30 * 1000000000LL)
#define HEALTH_DEFAULT_START_INTERVAL (5 * 1000000000LL)
#define HEALTH_DEFAULT_RETRIES 3

enum health_status {
	HEALTH_NONE, /* no health check */
	HEALTH_STARTING,
	HEALTH_HEALTHY,
	HEALTH_UNHEALTHY,
};

struct health_result {
	char *start, *end; /* RFC 3339 */
	int exit_code;	   /* -1: the timeout killed it */
	char *output;
};

struct health_state {
	enum health_status status;
	int64_t failing_streak;
	struct health_result log[HEALTH_LOG_MAX];
	size_t n_log;
};

/* "starting", "healthy", "unhealthy" ("none" for HEALTH_NONE). */
const char *health_status_name(enum health_status s);

/* cfg has a health check to run (a test other than NONE). */
bool health_enabled(const struct container_config *cfg);

/* The effective timings: cfg's, or docker's defaults for 0. */
int64_t health_interval(const struct container_config *cfg);
int64_t health_timeout(const struct container_config *cfg);
int64_t health_retries(const struct container_config *cfg);

/* Nanoseconds until the next probe; in_start_period: started less than StartPeriod ago. */
int64_t health_next_delay(const struct container_config *cfg, bool in_start_period);

/* The command the probe runs: argv for `berth exec` (CMD args, or /bin/sh -c for CMD-SHELL). */
char **health_probe_argv(const struct container_config *cfg);

/*
 * Record result r (taken: its strings are moved into the state) as docker does;
 * in_start_period: the probe began within the start period.
 */
void health_record(struct health_state *h, struct health_result *r, int64_t retries,
		   bool in_start_period);

void health_state_done(struct health_state *h);

/* health.json <-> the state. */
char *health_state_to_json(const struct health_state *h);
int health_state_from_json(const char *buf, size_t len, struct health_state *h, struct berr **err);

/*
 * The container's health.json (in its directory dirfd): load (-ENOENT when no check
 * ran yet) and save (atomically; only its monitor writes it).
 */
int health_state_load(int dirfd, struct health_state *h);
int health_state_save(int dirfd, const struct health_state *h);

/* What ps shows in parentheses: "healthy", "unhealthy", "health: starting". */
const char *health_status_text(enum health_status s);

/* docker's State.Health object into w under key (Status, FailingStreak, Log). */
void health_state_put(struct jwriter *w, const char *key, const struct health_state *h);

/* docker's Config.Healthcheck of cfg (nothing when it has none). */
void health_config_put(struct jwriter *w, const char *key, const struct container_config *cfg);

/*
 * A Healthcheck object as docker writes it ({"Test": [...], "Interval": ns, ...}; hc may be
 * absent or null) into cfg where cfg has it unset: the image's, merged at create as dockerd
 * merges it, or an API create's. what names hc in an error ("the image's Healthcheck").
 */
int health_merge_json(struct container_config *cfg, const struct jnode *hc, const char *what,
		      struct berr **err);

/* dockerd's checks of a container's Healthcheck: no negative value, durations >= 1 ms. */
int health_validate(const struct container_config *cfg, struct berr **err);

/* Check and set the --health-* and --no-healthcheck flags (durations as Go writes them). */
struct health_flags {
	const char *cmd, *interval, *timeout, *start_period, *start_interval, *retries;
	bool none;
};
int health_from_flags(const struct health_flags *f, struct container_config *c, struct berr **err);

#endif
