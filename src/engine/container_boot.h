/* SPDX-License-Identifier: Apache-2.0 */
/*
 * berth system boot: what dockerd does at its start, for a daemonless engine, after a
 * reboot (or anything else that killed the monitors). A container whose monitor is gone
 * is recorded as exited (container_refresh), then started again when its restart policy
 * says so, as docker's: always (even after a docker stop), unless-stopped unless it was
 * stopped by hand, on-failure when its last exit was a failure (the host going down is
 * one) and retries are left; never one that was never started. A --rm container that
 * was running is removed.
 */
#ifndef BERTH_ENGINE_CONTAINER_BOOT_H
#define BERTH_ENGINE_CONTAINER_BOOT_H

#include <stdbool.h>

#include "engine/container.h"

enum boot_action {
	BOOT_NOTHING,
	BOOT_START,
	BOOT_REMOVE,
};

/*
 * What boot does with a container of config cfg and state st (after the refresh);
 * was_active: its state said running, paused or restarting before the refresh.
 */
enum boot_action container_boot_action(const struct container_config *cfg,
				       const struct container_state *st, bool was_active);

#endif
