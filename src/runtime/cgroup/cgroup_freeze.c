/* SPDX-License-Identifier: Apache-2.0 */
/* pause/resume: the v1 freezer, or cgroup.freeze in cgroup2 (which needs no controller). */
#include "runtime/cgroup/cgroup_internal.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "lib/cleanup.h"

#define FREEZE_WAIT_MS 10000
/* v1 can stay FREEZING while a task forks: thaw and retry every so often (runc). */
#define FREEZE_RETRY_EVERY 250

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	(void) nanosleep(&ts, NULL);
}

/* Has the cgroup reached the state? v1: freezer.state; v2: "frozen" in cgroup.events. */
static bool reached(const struct cgroup_target *t, bool frozen)
{
	_cleanup_free_ char *text = NULL;
	uint64_t v;

	if (t->v2)
		return cgroup_get_keyed(t, "cgroup.events", "frozen", &v) >= 0 && v == frozen;
	if (cgroup_get(t, "freezer.state", &text) < 0)
		return false;
	return strncmp(text, frozen ? "FROZEN" : "THAWED", 6) == 0;
}

static int request(const struct cgroup_target *t, bool frozen, struct berr **err)
{
	if (t->v2)
		return cgroup_set(t, "cgroup.freeze", frozen ? "1" : "0", "freezer", err);
	return cgroup_set(t, "freezer.state", frozen ? "FROZEN" : "THAWED", "freezer", err);
}

static int wait_state(const struct cgroup_target *t, bool frozen, struct berr **err)
{
	int r;

	for (long waited = 0; !reached(t, frozen); waited++) {
		if (waited >= FREEZE_WAIT_MS)
			return berr_set(err, ETIMEDOUT, "cgroup '%s' is not %s after %d ms", t->dir,
					frozen ? "frozen" : "thawed", FREEZE_WAIT_MS);
		if (!t->v2 && frozen && waited % FREEZE_RETRY_EVERY == FREEZE_RETRY_EVERY - 1) {
			if ((r = request(t, false, err)) < 0 || (r = request(t, true, err)) < 0)
				return r;
		}
		sleep_ms(1);
	}
	return 0;
}

int cgroup_freeze(struct cgroup_manager *m, bool frozen, struct berr **err)
{
	struct cgroup_target t;
	int r;

	r = cgroup_target_open(m, CG_FREEZER, false, &t, err);
	if (r < 0)
		return r;
	r = request(&t, frozen, err);
	if (r >= 0)
		r = wait_state(&t, frozen, err);
	/* Half frozen helps no one: undo a pause that did not complete. */
	if (r < 0 && frozen)
		(void) request(&t, false, NULL);
	cgroup_target_done(&t);
	return r;
}

int cgroup_check_thawed(struct cgroup_manager *m, struct berr **err)
{
	struct cgroup_target t;
	bool thawed;
	int r;

	r = cgroup_target_open(m, CG_FREEZER, false, &t, err);
	if (r < 0) {
		/* No freezer (a v1 host without it): nothing can be frozen. */
		berr_clear(err);
		return 0;
	}
	thawed = reached(&t, false);
	if (!thawed)
		r = berr_set(err, EBUSY,
			     "cgroup '%s' is frozen (paused by someone else?): thaw it first, or "
			     "the container's process would wait in it for good",
			     t.dir);
	cgroup_target_done(&t);
	return r < 0 ? r : 0;
}
