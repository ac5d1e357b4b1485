#!/bin/sh
# VM lane self-test, mode v1: a pure cgroup v1 host (one hierarchy per controller).
#   tests/vm/run v1 "$PWD" tests/vm/selftest/v1.sh
. "$(dirname "$0")/lib.sh"
require_mode v1

for h in memory pids cpu,cpuacct cpuset devices freezer blkio net_cls,net_prio systemd; do
	expect_eq "v1 hierarchy $h mounted" "$(fstype "/sys/fs/cgroup/$h")" cgroup
done
check "cpu and cpuacct link to cpu,cpuacct" \
	test "$(readlink /sys/fs/cgroup/cpu)" = cpu,cpuacct -a "$(readlink /sys/fs/cgroup/cpuacct)" = cpu,cpuacct
check "no cgroup2 mounted" sh -c '! grep -q " cgroup2 " /proc/mounts'

B=/tmp/bundle
check "busybox bundle built" make_bundle "$B"

set_config "$B" memory=67108864 pids=32 cgroupns=1 cgroups_path=/vmlane/limits \
	'args=["sh","-c","cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max; grep :memory: /proc/self/cgroup"]'
run_container "$B" limits
expect_eq "runc run exits 0" "$RC" 0
expect_line "memory.limit_in_bytes from linux.resources.memory.limit" "$OUT" 67108864
expect_line "pids.max from linux.resources.pids.limit" "$OUT" 32
check "container is in its own cgroup namespace (N:memory:/)" \
	sh -c "printf '%s\n' \"\$1\" | grep -q '^[0-9]*:memory:/\$'" _ "$OUT"

set_config "$B" \
	'args=["sh","-c","head -c 200m /dev/zero | tail; echo tail=$?; grep oom_kill /sys/fs/cgroup/memory/memory.oom_control; echo failcnt=$(cat /sys/fs/cgroup/memory/memory.failcnt)"]'
run_container "$B" oom
expect_line "a 200 MiB hog is killed by SIGKILL" "$OUT" "tail=137"
expect_line "memory.oom_control counts the OOM kill" "$OUT" "oom_kill 1"
check "memory.failcnt > 0" sh -c "printf '%s\n' \"\$1\" | grep -q '^failcnt=[1-9]'" _ "$OUT"

# The inner shell dies at the first refused fork; the outer one reads with builtins only.
cat >"$B/rootfs/pids.sh" <<'EOF'
sh -c 'for i in $(seq 40); do sleep 30 & done' 2>/dev/null
read -r n </sys/fs/cgroup/pids/pids.current
echo "$n"
while read -r k v; do echo "$k $v"; done </sys/fs/cgroup/pids/pids.events
EOF
set_config "$B" 'args=["sh","/pids.sh"]'
run_container "$B" pids
PIDS_CURRENT=$(printf '%s\n' "$OUT" | sed -n '1p')
# 32 at the refused fork, one less once the forking shell has died and been reaped.
check "40 forks stop at pids.max (pids.current $PIDS_CURRENT, 31 or 32)" \
	test "${PIDS_CURRENT:-0}" -ge 31 -a "${PIDS_CURRENT:-99}" -le 32

check "pids.events counts refused forks" sh -c "printf '%s\n' \"\$1\" | grep -q '^max [1-9]'" _ "$OUT"

run_pytest
finish
