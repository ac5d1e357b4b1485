#!/bin/sh
# VM lane self-test, mode apparmor: AppArmor enabled, a profile loaded with the host's
# apparmor_parser and applied by runc through process.apparmorProfile.
#   tests/vm/run apparmor "$PWD" tests/vm/selftest/apparmor.sh
. "$(dirname "$0")/lib.sh"
require_mode apparmor

check "securityfs shows /sys/kernel/security/apparmor" test -d /sys/kernel/security/apparmor
expect_eq "aa-enabled" "$(aa-enabled 2>&1)" Yes
expect_eq "cgroup2 mounted at /sys/fs/cgroup" "$(fstype /sys/fs/cgroup)" cgroup2

cat >/tmp/vmlane-test.profile <<'PROFILE'
profile vmlane-test flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  signal,
  unix,
  ptrace,
  # "deny" alone is silent; "audit" makes the kernel log it
  audit deny /vmlane-denied rw,
}
PROFILE
check "apparmor_parser loads the test profile" apparmor_parser -r /tmp/vmlane-test.profile
check "the profile is in enforce mode" \
	grep -qxF "vmlane-test (enforce)" /sys/kernel/security/apparmor/profiles

B=/tmp/bundle
check "busybox bundle built" make_bundle "$B"
echo secret >"$B/rootfs/vmlane-denied"
ARGS='args=["sh","-c","cat /proc/self/attr/current; echo; if cat /vmlane-denied >/dev/null 2>&1; then echo READ-ALLOWED; else echo READ-DENIED; fi"]'

set_config "$B" "$ARGS"
run_container "$B" unconfined
expect_eq "runc run exits 0 (no profile)" "$RC" 0
expect_line "without apparmorProfile the container is unconfined" "$OUT" unconfined
expect_line "without apparmorProfile the file is readable" "$OUT" READ-ALLOWED

set_config "$B" apparmor=vmlane-test "$ARGS"
run_container "$B" confined
expect_eq "runc run exits 0 (profile)" "$RC" 0
expect_line "/proc/self/attr/current shows the profile" "$OUT" "vmlane-test (enforce)"
expect_line "the denied read fails" "$OUT" READ-DENIED
check "the kernel logged apparmor=\"DENIED\"" sh -c 'dmesg | grep -q "apparmor=\"DENIED\".*profile=\"vmlane-test\""'

run_pytest
finish
