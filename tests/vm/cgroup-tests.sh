#!/bin/sh
# The cgroup integration tests (tests/integration/test_cgroup_*.py) inside the VM lane, on
# a pure cgroup v2 or v1 guest, against berth-runtime and runc. Build on the host first;
# the guest runs the binaries from the shared repository. One boot runs the whole batch.
#
#   VMLANE_MODULES=bfq tests/vm/run v2 "$PWD" tests/vm/cgroup-tests.sh [JUNIT_XML]
#
# JUNIT_XML (default build/pytest-vm-$VMLANE_MODE.xml) is written for scripts/check.py.
# BERTH_RUNTIME and BERTH_TEST_RUNTIMES may be passed in with VMLANE_PASSENV. The exit
# code is pytest's. Skips fail (BERTH_MUST_WORK=1): the lane exists to run these tests.
set -u
cd "$(dirname "$0")/../.." || exit 2
mode=${VMLANE_MODE:-host}
xml=${1:-build/pytest-vm-$mode.xml}
BERTH_RUNTIME=${BERTH_RUNTIME:-$PWD/build/berth-runtime}
BERTH_TEST_RUNTIMES=${BERTH_TEST_RUNTIMES:-berth,runc}
BERTH_MUST_WORK=1
PYTHONDONTWRITEBYTECODE=1
export BERTH_RUNTIME BERTH_TEST_RUNTIMES BERTH_MUST_WORK PYTHONDONTWRITEBYTECODE

echo "cgroup-tests: mode $mode, runtimes $BERTH_TEST_RUNTIMES, $BERTH_RUNTIME"
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider -o cache_dir=/tmp/pytest-cache \
	--junitxml "$xml" tests/integration/test_cgroup_limits.py \
	tests/integration/test_cgroup_cmds.py tests/integration/test_cgroup_setup.py
