#!/bin/sh
# VM lane self-test, mode v2: a pure cgroup v2 host, proven with Debian's runc.
#   tests/vm/run v2 "$PWD" tests/vm/selftest/v2.sh
. "$(dirname "$0")/lib.sh"
require_mode v2

expect_eq "cgroup2 mounted at /sys/fs/cgroup" "$(fstype /sys/fs/cgroup)" cgroup2
check "no cgroup v1 hierarchy mounted" sh -c '! grep -q " cgroup " /proc/mounts'
check "a v1 memory hierarchy cannot be mounted (cgroup_no_v1=all)" \
	sh -c 'mkdir -p /tmp/v1mem && ! mount -t cgroup -o memory none /tmp/v1mem 2>/dev/null'
for c in cpu io memory pids; do
	check "controller $c enabled in the root's subtree_control" \
		grep -qw "$c" /sys/fs/cgroup/cgroup.subtree_control
done

B=/tmp/bundle
check "busybox bundle built" make_bundle "$B"

set_config "$B" memory=67108864 pids=32 cgroupns=1 cgroups_path=/vmlane/limits \
	'args=["sh","-c","cat /proc/self/cgroup /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max"]'
run_container "$B" limits
expect_eq "runc run exits 0" "$RC" 0
expect_line "container is in its own cgroup namespace" "$OUT" "0::/"
expect_line "memory.max from linux.resources.memory.limit" "$OUT" 67108864
expect_line "pids.max from linux.resources.pids.limit" "$OUT" 32

set_config "$B" \
	'args=["sh","-c","head -c 200m /dev/zero | tail; echo tail=$?; grep oom_kill /sys/fs/cgroup/memory.events"]'
run_container "$B" oom
expect_line "a 200 MiB hog is killed by SIGKILL" "$OUT" "tail=137"
expect_line "memory.events counts the OOM kill" "$OUT" "oom_kill 1"

# The inner shell dies at the first refused fork; the outer one reads with builtins only.
cat >"$B/rootfs/pids.sh" <<'EOF'
sh -c 'for i in $(seq 40); do sleep 30 & done' 2>/dev/null
read -r n </sys/fs/cgroup/pids.current
echo "$n"
while read -r k v; do echo "$k $v"; done </sys/fs/cgroup/pids.events
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
