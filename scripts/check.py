#!/usr/bin/python3
"""`make check`: every test lane, then one line "N passed, N failed".

Lanes: formatting, unit tests (release and ASan+UBSan builds), integration tests against
berth-runtime and runc (release), and against the ASan+UBSan berth-runtime. The exit code
is non-zero when any test failed or a lane could not run.
"""

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = {"passed": 0, "failed": 0}
LANE_FAILURES = []


def run(cmd, env=None, **kw):
    print("+ " + " ".join(cmd), flush=True)
    full = dict(os.environ)
    full.update(env or {})
    return subprocess.run(cmd, cwd=TOP, env=full, **kw).returncode


def count(lane, passed, failed):
    RESULTS["passed"] += passed
    RESULTS["failed"] += failed
    print("== %s: %d passed, %d failed" % (lane, passed, failed), flush=True)


def unit_lane(builddir):
    """meson test; counts the TAP subtests each binary reports."""
    rc = run(["meson", "test", "-C", builddir, "--suite", "unit", "--print-errorlogs"])
    passed = failed = 0
    log = os.path.join(TOP, builddir, "meson-logs", "testlog.json")
    with open(log) as f:
        for line in f:
            t = json.loads(line)
            out = t.get("stdout", "")
            sub_ok = sum(1 for l in out.splitlines() if l.startswith("ok "))
            sub_bad = sum(1 for l in out.splitlines() if l.startswith("not ok "))
            if t.get("result") != "OK" and sub_bad == 0:
                sub_bad = 1  # crashed or timed out before reporting
            passed += sub_ok
            failed += sub_bad
    if rc != 0 and failed == 0:
        LANE_FAILURES.append("unit tests in %s" % builddir)
    count("unit (%s)" % builddir, passed, failed)


def run_capped(cmd, env, timeout):
    """run() with a time cap: SIGINT first (pytest then runs its fixtures' teardown, which
    stops daemons and removes what the tests made), SIGKILL two minutes later."""
    print("+ " + " ".join(cmd), flush=True)
    full = dict(os.environ)
    full.update(env or {})
    p = subprocess.Popen(cmd, cwd=TOP, env=full)
    try:
        return p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        print("lane over its time cap of %ds: interrupting it" % timeout, flush=True)
        p.send_signal(signal.SIGINT)
        try:
            p.wait(timeout=120)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        return None


def pytest_lane(name, env, args=(), timeout=None):
    xml = os.path.join(TOP, "build", "pytest-%s.xml" % name)
    if os.path.exists(xml):
        os.unlink(xml)
    start = time.monotonic()
    cmd = ["/usr/bin/python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml",
           xml, *args]
    rc = run_capped(cmd, env, timeout) if timeout else run(cmd, env=env)
    print("== %s: took %.0fs" % (name, time.monotonic() - start), flush=True)
    if rc is None:
        LANE_FAILURES.append("pytest lane %s: over its time cap of %ds" % (name, timeout))
        rc = 2
    passed = failed = skipped = 0
    if os.path.exists(xml):
        root = ET.parse(xml).getroot()
        for suite in root.iter("testsuite"):
            tests = int(suite.get("tests", 0))
            bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            skipped += int(suite.get("skipped", 0))
            passed += tests - bad - int(suite.get("skipped", 0))
            failed += bad
    if rc not in (0, 1) or (rc == 1 and failed == 0):
        LANE_FAILURES.append("pytest lane %s (exit %d)" % (name, rc))
    if skipped:
        print("== %s: %d expected failures (known gaps, strict xfail) or skips, not counted"
              % (name, skipped), flush=True)
    count(name, passed, failed)


def fuzz_lane(seconds):
    """Each libFuzzer target for a bounded time from its seed corpus, after replaying every
    input that once crashed it (fuzz/regressions/<target>/)."""
    passed = failed = 0
    for target in ("fuzz_config", "fuzz_process", "fuzz_state", "fuzz_mountinfo"):
        exe = os.path.join(TOP, "build-fuzz", "fuzz", target)
        work = os.path.join(TOP, "build-fuzz", "corpus", target)
        os.makedirs(work, exist_ok=True)
        regress = os.path.join(TOP, "fuzz", "regressions", target)
        inputs = sorted(os.path.join(regress, f) for f in os.listdir(regress)) \
            if os.path.isdir(regress) else []
        ok = True
        if inputs:
            ok = run([exe, *inputs]) == 0
        artifacts = os.path.join(TOP, "build-fuzz", "crashes", target) + "/"
        os.makedirs(artifacts, exist_ok=True)
        ok = ok and run([exe, "-max_total_time=%d" % seconds, "-print_final_stats=1",
                         "-artifact_prefix=" + artifacts, work,
                         os.path.join(TOP, "fuzz", "corpus", target)]) == 0
        if ok:
            passed += 1
        else:
            failed += 1
            print("fuzz: %s found a crash: see %s; add the input to fuzz/regressions/%s/"
                  % (target, artifacts, target))
    count("fuzz (%d s each)" % seconds, passed, failed)


def format_lane():
    files = subprocess.run(["git", "ls-files", "*.c", "*.h"], cwd=TOP, capture_output=True,
                           text=True).stdout.split()
    bad = []
    for f in files:
        out = subprocess.run(["clang-format", "--dry-run", "--Werror", f], cwd=TOP,
                             capture_output=True, text=True)
        if out.returncode != 0:
            bad.append(f)
    for f in bad:
        print("clang-format: %s is not formatted (run: clang-format -i %s)" % (f, f))
    count("clang-format", len(files) - len(bad), len(bad))


def main():
    env = {"BERTH_MUST_WORK": "1", "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1",
           "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0"}
    os.environ.update(env)
    format_lane()
    unit_lane("build")
    unit_lane("build-asan")
    fuzz_lane(int(os.environ.get("FUZZ_SECONDS", "60")))
    pytest_lane("integration", {"BERTH_RUNTIME": os.path.join(TOP, "build/berth-runtime"),
                                "BERTH_TEST_RUNTIMES": "berth,runc"}, ["tests/integration"])
    pytest_lane("integration-asan",
                {"BERTH_RUNTIME": os.path.join(TOP, "build-asan/berth-runtime"),
                 "BERTH_TEST_RUNTIMES": "berth"}, ["tests/integration"])
    # Docker, Podman and containerd with berth-runtime and runc (about a minute here);
    # the known berth gaps are strict xfails listed in tests/clients/gaps.py.
    pytest_lane("clients", {"BERTH_RUNTIME": os.path.join(TOP, "build/berth-runtime"),
                            "BERTH_TEST_RUNTIMES": "berth,runc"}, ["tests/clients"],
                timeout=15 * 60)
    for lane in LANE_FAILURES:
        print("lane failed to run: %s" % lane)
    print("%d passed, %d failed" % (RESULTS["passed"], RESULTS["failed"]))
    return 1 if RESULTS["failed"] or LANE_FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
