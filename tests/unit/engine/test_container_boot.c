/* SPDX-License-Identifier: Apache-2.0 */
/* berth system boot's decision: dockerd's restore of restart policies after a reboot. */
#include "engine/container_boot.h"
#include "lib/test.h"

static enum boot_action act(enum restart_kind kind, int max, enum container_status status, int code,
			    bool manual, int count, bool was_active)
{
	struct container_config cfg = {.restart = {.kind = kind, .max_retries = max}};
	struct container_state st = {.status = status,
				     .exit_code = code,
				     .manually_stopped = manual,
				     .restart_count = count};

	return container_boot_action(&cfg, &st, was_active);
}

static void test_policies(void)
{
	/* always: even after a stop by hand, as dockerd at its start */
	ASSERT_EQ(act(RESTART_ALWAYS, 0, STATUS_EXITED, 137, false, 0, true), BOOT_START);
	ASSERT_EQ(act(RESTART_ALWAYS, 0, STATUS_EXITED, 137, true, 0, false), BOOT_START);
	/* unless-stopped: not after a stop by hand */
	ASSERT_EQ(act(RESTART_UNLESS_STOPPED, 0, STATUS_EXITED, 137, false, 0, true), BOOT_START);
	ASSERT_EQ(act(RESTART_UNLESS_STOPPED, 0, STATUS_EXITED, 0, true, 0, false), BOOT_NOTHING);
	/* on-failure: a failed last exit and retries left */
	ASSERT_EQ(act(RESTART_ON_FAILURE, 0, STATUS_EXITED, 137, false, 5, true), BOOT_START);
	ASSERT_EQ(act(RESTART_ON_FAILURE, 3, STATUS_EXITED, 137, false, 2, true), BOOT_START);
	ASSERT_EQ(act(RESTART_ON_FAILURE, 3, STATUS_EXITED, 1, false, 3, false), BOOT_NOTHING);
	ASSERT_EQ(act(RESTART_ON_FAILURE, 0, STATUS_EXITED, 0, false, 0, false), BOOT_NOTHING);
	ASSERT_EQ(act(RESTART_ON_FAILURE, 0, STATUS_EXITED, 137, true, 0, false), BOOT_NOTHING);
	ASSERT_EQ(act(RESTART_NO, 0, STATUS_EXITED, 137, false, 0, true), BOOT_NOTHING);
}

static void test_states(void)
{
	/* never started, running, dead: left alone */
	ASSERT_EQ(act(RESTART_ALWAYS, 0, STATUS_CREATED, 0, false, 0, false), BOOT_NOTHING);
	ASSERT_EQ(act(RESTART_ALWAYS, 0, STATUS_RUNNING, 0, false, 0, true), BOOT_NOTHING);
	ASSERT_EQ(act(RESTART_ALWAYS, 0, STATUS_DEAD, 0, false, 0, false), BOOT_NOTHING);
}

static void test_auto_remove(void)
{
	struct container_config cfg = {.auto_remove = true};
	struct container_state st = {.status = STATUS_EXITED, .exit_code = 137};

	ASSERT_EQ(container_boot_action(&cfg, &st, true), BOOT_REMOVE);
	/* one that had exited before (its rm failed): not boot's to remove */
	ASSERT_EQ(container_boot_action(&cfg, &st, false), BOOT_NOTHING);
}

static const struct test tests[] = {
	TEST(test_policies),
	TEST(test_states),
	TEST(test_auto_remove),
	{},
};

int main(void)
{
	return test_main(tests);
}
