#!/bin/sh
# berth-runtime's process.apparmorProfile, in the VM lane's apparmor mode (Debian's kernel
# with AppArmor on):
#   tests/vm/run apparmor "$PWD" tests/vm/security/apparmor.sh
# Needs build/berth-runtime. Prints "ok - ..."/"not ok - ..." and "N passed, N failed".
. "$(dirname "$0")/../selftest/lib.sh"
require_mode apparmor

REPO=$(cd "$(dirname "$0")/../../.." && pwd)
RT=${BERTH_RUNTIME:-$REPO/build/berth-runtime}
ROOT=/run/berth-vm-test
check "berth-runtime is built" test -x "$RT"
check "aa-enabled says Yes" sh -c '[ "$(aa-enabled 2>&1)" = Yes ]'

cat >/tmp/berth-test.profile <<'PROFILE'
profile berth-test flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  signal,
  unix,
  ptrace,
  audit deny /berth-denied rw,
}
PROFILE
check "apparmor_parser loads the test profile" apparmor_parser -r /tmp/berth-test.profile

B=/tmp/bundle
check "busybox bundle built" make_bundle "$B"
echo secret >"$B/rootfs/berth-denied"
ARGS='args=["sh","-c","cat /proc/self/attr/current; echo; if cat /berth-denied >/dev/null 2>&1; then echo READ-ALLOWED; else echo READ-DENIED; fi"]'

# berth_run ID: run the bundle with berth-runtime, output in $OUT, exit code in $RC.
berth_run() {
	OUT=$("$RT" --root "$ROOT" run -b "$B" "$1" 2>&1)
	RC=$?
	"$RT" --root "$ROOT" delete -f "$1" >/dev/null 2>&1
	return 0
}

set_config "$B" "$ARGS"
berth_run plain
expect_eq "berth run exits 0 without a profile" "$RC" 0
expect_line "without apparmorProfile the process is unconfined" "$OUT" unconfined
expect_line "without apparmorProfile the file is readable" "$OUT" READ-ALLOWED

set_config "$B" apparmor=berth-test "$ARGS"
berth_run confined
expect_eq "berth run exits 0 with the profile" "$RC" 0
expect_line "/proc/self/attr/current shows the profile" "$OUT" "berth-test (enforce)"
expect_line "the denied read fails" "$OUT" READ-DENIED
check "the kernel logged apparmor=\"DENIED\" for berth-test" \
	sh -c 'dmesg | grep -q "apparmor=\"DENIED\".*profile=\"berth-test\""'

# The profile as the host sees it, on the container's process.
set_config "$B" apparmor=berth-test 'args=["sleep","60"]'
"$RT" --root "$ROOT" run -d -b "$B" detached >/dev/null 2>&1
PID=$("$RT" --root "$ROOT" state detached 2>/dev/null | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
expect_eq "/proc/PID/attr/current on the host" "$(cat /proc/"$PID"/attr/current 2>&1)" \
	"berth-test (enforce)"
# exec: the config's profile, or --apparmor's, on the exec'd process too.
expect_eq "exec gets the config's profile" \
	"$("$RT" --root "$ROOT" exec detached cat /proc/self/attr/current 2>&1)" \
	"berth-test (enforce)"
expect_eq "exec --apparmor unconfined is unconfined" \
	"$("$RT" --root "$ROOT" exec --apparmor unconfined detached cat /proc/self/attr/current 2>&1)" \
	"unconfined"
"$RT" --root "$ROOT" exec detached sh -c 'cat /berth-denied' >/dev/null 2>&1
expect_eq "exec under the profile cannot read the denied file" "$?" 1
"$RT" --root "$ROOT" delete -f detached >/dev/null 2>&1

set_config "$B" apparmor=berth-no-such-profile "$ARGS"
berth_run missing
expect_eq "an unloaded profile fails the run" "$RC" 1
expect_line "and says which profile" "$OUT" \
	"berth-runtime: process.apparmorProfile: cannot switch to 'berth-no-such-profile' on exec (is the profile loaded?): no such file or directory"

finish
