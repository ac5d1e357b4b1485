/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The monitor's health checks (health.h): a probe is `berth --root ROOT exec ID ARGS`,
 * forked by the monitor with its output on a pipe the monitor's poll loop reads; the
 * monitor reaps it (it is the probe's parent), kills it at the timeout, records the
 * result in health.json and schedules the next. No probe runs while the container is
 * paused (docker stops its health monitor then).
 */
#ifndef BERTH_ENGINE_MONITOR_HEALTH_H
#define BERTH_ENGINE_MONITOR_HEALTH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/container_store.h"
#include "engine/health.h"

struct mon_health {
	bool enabled;
	const char *berth, *root; /* the berth binary and the engine root for the probe */
	struct container *c;
	struct health_state st;
	int64_t started;  /* CLOCK_MONOTONIC ns of the container's start */
	int64_t next;	  /* when the next probe starts (monotonic ns) */
	int64_t deadline; /* the running probe's timeout (monotonic ns) */
	pid_t pid;	  /* the running probe, or 0 */
	int fd;		  /* its output, or -1 */
	int status;	  /* its wait status once reaped, else -1 */
	bool timed_out;
	char *start; /* RFC 3339 of its start */
	char out[HEALTH_OUTPUT_MAX];
	size_t out_len;
};

/* At each start of the container: starting, the first probe an interval from now. */
void mon_health_start(struct mon_health *h, struct container *c, const char *berth,
		      const char *root);

/* The poll timeout (ms, -1: none) until the next thing to do. */
int mon_health_timeout(const struct mon_health *h);

/* The probe's output fd to poll, or -1. */
int mon_health_fd(const struct mon_health *h);

/* Read the probe's output (the fd polled readable). */
void mon_health_on_output(struct mon_health *h);

/* A child was reaped: true when it was the probe. */
bool mon_health_reaped(struct mon_health *h, pid_t pid, int status);

/* Start a due probe, kill one past its timeout, record one that finished. */
void mon_health_tick(struct mon_health *h);

/* The container stopped: kill a running probe, keep the last state. */
void mon_health_stop(struct mon_health *h);

#endif
