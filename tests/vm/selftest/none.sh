#!/bin/sh
# VM lane self-test, mode none: no cgroup hierarchy mounted, no MAC.
#   tests/vm/run none "$PWD" tests/vm/selftest/none.sh
. "$(dirname "$0")/lib.sh"
require_mode none

check "no cgroup filesystem mounted" sh -c '! grep -q " cgroup2* " /proc/mounts'
expect_eq "loopback is up" "$(cat /sys/class/net/lo/operstate)" unknown
check "the guest has no network card" sh -c '[ "$(ls /sys/class/net)" = lo ]'
check "a kernel module autoloads (/dev/net/tun opens tun)" \
	sh -c 'exec 3<>/dev/net/tun && grep -q "^tun " /proc/modules'
check "modprobe loads a module with its dependencies (veth)" \
	sh -c 'modprobe veth && grep -q "^veth " /proc/modules'
check "pivot_root works (switch_root, not the initramfs)" \
	sh -c 'unshare -m sh -c "mkdir -p /tmp/pr/old && mount -t tmpfs t /tmp/pr && mkdir /tmp/pr/old && cd /tmp/pr && pivot_root . old"'

run_pytest
finish
