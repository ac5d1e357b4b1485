#!/bin/sh
# VM lane self-test, mode hybrid: systemd's hybrid layout (v1 controllers, empty cgroup2 at
# /sys/fs/cgroup/unified), as on this project's development machine.
#   tests/vm/run hybrid "$PWD" tests/vm/selftest/hybrid.sh
. "$(dirname "$0")/lib.sh"
require_mode hybrid

expect_eq "v1 memory hierarchy mounted" "$(fstype /sys/fs/cgroup/memory)" cgroup
expect_eq "cgroup2 at /sys/fs/cgroup/unified" "$(fstype /sys/fs/cgroup/unified)" cgroup2
expect_eq "the unified hierarchy has no controllers" \
	"$(cat /sys/fs/cgroup/unified/cgroup.controllers)" ""

B=/tmp/bundle
check "busybox bundle built" make_bundle "$B"
set_config "$B" memory=67108864 cgroups_path=/vmlane/limits \
	'args=["cat","/sys/fs/cgroup/memory/memory.limit_in_bytes"]'
run_container "$B" limits
expect_eq "runc run exits 0" "$RC" 0
expect_line "memory.limit_in_bytes from linux.resources.memory.limit" "$OUT" 67108864

run_pytest
finish
