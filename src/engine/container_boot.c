/* SPDX-License-Identifier: Apache-2.0 */
/* berth system boot's decision per container (container_boot.h). */
#include "engine/container_boot.h"

enum boot_action container_boot_action(const struct container_config *cfg,
				       const struct container_state *st, bool was_active)
{
	const struct restart_policy *p = &cfg->restart;

	if (cfg->auto_remove && was_active && st->status == STATUS_EXITED)
		return BOOT_REMOVE;
	/* as dockerd's restore: only a container started before, and not running now */
	if (st->status != STATUS_EXITED || cfg->auto_remove)
		return BOOT_NOTHING;
	switch (p->kind) {
	case RESTART_ALWAYS:
		return BOOT_START;
	case RESTART_UNLESS_STOPPED:
		return st->manually_stopped ? BOOT_NOTHING : BOOT_START;
	case RESTART_ON_FAILURE:
		/* the host going down counts as a failure (the refresh records 137) */
		return st->exit_code != 0 && !st->manually_stopped &&
				       (p->max_retries == 0 || st->restart_count < p->max_retries)
			       ? BOOT_START
			       : BOOT_NOTHING;
	case RESTART_NO:
	case _RESTART_KIND_MAX:
	default:
		return BOOT_NOTHING;
	}
}
