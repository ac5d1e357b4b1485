/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <signal.h>

#include "lib/test.h"
#include "runtime/config/signals.h"

static void test_names(void)
{
	ASSERT_EQ(signal_from_string("TERM"), SIGTERM);
	ASSERT_EQ(signal_from_string("SIGKILL"), SIGKILL);
	ASSERT_EQ(signal_from_string("sigusr1"), SIGUSR1);
	ASSERT_EQ(signal_from_string("15"), SIGTERM);
	ASSERT_EQ(signal_from_string("RTMIN+2"), SIGRTMIN + 2);
	ASSERT_EQ(signal_from_string("RTMAX"), SIGRTMAX);
	ASSERT_EQ(signal_from_string("0"), -EINVAL);
	ASSERT_EQ(signal_from_string("99"), -EINVAL);
	ASSERT_EQ(signal_from_string("NOPE"), -EINVAL);
	ASSERT_EQ(signal_from_string("9x"), -EINVAL);
	ASSERT_STREQ(signal_name(SIGHUP), "HUP");
}

static const struct test tests[] = {
	TEST(test_names),
	{NULL, NULL},
};

int main(void)
{
	return test_main(tests);
}
