#!/usr/bin/python3
"""`make check`: every test lane, then one line "N passed, N failed".

Lanes: formatting, unit tests (release and ASan+UBSan builds), the fuzz targets, integration
tests against berth-runtime and runc (release), against the ASan+UBSan berth-runtime, and a
sample of them under valgrind memcheck, then the
VM lane (tests/vm) on pure cgroup v2 and v1 guests side by side (cgroup tests, an engine
subset, a network subset, the engine's user namespaces and the runtime's suite, split
between the modes where the cgroup mode plays no part; one boot each) and its AppArmor
checks. The exit code is non-zero when any test failed or a lane could not run.

BERTH_VM_LANES (default "v2 v1") names the VM modes for the cgroup tests; "" runs none.
"""

import hashlib
import json
import os
import re
import shlex
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


def junit_counts(xml):
    """(passed, failed, skipped) from a pytest junit XML file; zeros when there is none.
    Skipped includes strict xfails (the clients lane's known gaps)."""
    passed = failed = skipped = 0
    if os.path.exists(xml):
        root = ET.parse(xml).getroot()
        for suite in root.iter("testsuite"):
            tests = int(suite.get("tests", 0))
            bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            skip = int(suite.get("skipped", 0))
            skipped += skip
            passed += tests - bad - skip
            failed += bad
    return passed, failed, skipped


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
    # A base temporary directory of the lane's own: two pytest runs on one machine (another
    # checkout's CI, a developer's run) must not share, and so clean up, each other's.
    basetemp = "/tmp/berth-pytest-%s-%s" % (hashlib.sha1(TOP.encode()).hexdigest()[:8], name)
    cmd = ["/usr/bin/python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml",
           xml, "--basetemp", basetemp, *args]
    rc = run_capped(cmd, env, timeout) if timeout else run(cmd, env=env)
    print("== %s: took %.0fs" % (name, time.monotonic() - start), flush=True)
    if rc is None:
        LANE_FAILURES.append("pytest lane %s: over its time cap of %ds" % (name, timeout))
        rc = 2
    passed, failed, skipped = junit_counts(xml)
    if rc not in (0, 1) or (rc == 1 and failed == 0):
        LANE_FAILURES.append("pytest lane %s (exit %d)" % (name, rc))
    if skipped:
        print("== %s: %d expected failures (known gaps, strict xfail) or skips, not counted"
              % (name, skipped), flush=True)
    count(name, passed, failed)


# tests/vm/suite.sh's groups
VM_GROUPS = ("unit", "cgroup", "engine", "net", "userns", "runtime")


def vm_groups(mode):
    """The groups one mode runs: all of them (suite.sh splits the net and userns groups
    between the two guests: the network and user namespace code uses no cgroup, and one
    kernel runs both)."""
    return list(VM_GROUPS)


def vm_lanes(modes):
    """tests/vm/suite.sh in a pure `mode` guest on Debian 12's 6.1 kernel, one boot per
    mode, the modes side by side (they share nothing but the read-only build; the kernel
    cache takes a lock): the overlay unit tests, the cgroup tests, an engine subset, a
    network subset, the engine's user namespaces (on an ext4 the guest makes) and the
    runtime's suite (each split between the modes where the cgroup mode plays no part),
    one JUnit file per group. Each
    guest's console goes to build/vm-MODE.log, printed when it is done.

    The runner's 124 (timeout) and 125 (lane error) are lane failures, never skips.
    """
    if not modes:
        return
    started = {}
    for mode in modes:
        prefix = os.path.join(TOP, "build", "pytest-vm-%s" % mode)
        for g in VM_GROUPS:
            if os.path.exists("%s-%s.xml" % (prefix, g)):
                os.unlink("%s-%s.xml" % (prefix, g))
        log = open(os.path.join(TOP, "build", "vm-%s.log" % mode), "w")
        cmd = ["tests/vm/run", mode, TOP, "tests/vm/suite.sh", prefix]
        print("+ " + " ".join(cmd) + " > build/vm-%s.log" % mode, flush=True)
        passenv = (os.environ.get("VMLANE_PASSENV", "") + " SUITE_GROUPS").strip()
        env = dict(os.environ, VMLANE_MODULES="bfq", VMLANE_MEM=str(VM_MEM),
                   VMLANE_TIMEOUT=str(VM_SUITE_CAP), SUITE_GROUPS=" ".join(vm_groups(mode)),
                   VMLANE_PASSENV=passenv)
        started[mode] = (subprocess.Popen(cmd, cwd=TOP, env=env, stdout=log,
                                          stderr=subprocess.STDOUT), log, prefix,
                         time.monotonic())
    for mode, (proc, log, prefix, t0) in started.items():
        rc = proc.wait()
        log.close()
        with open(log.name) as f:
            sys.stdout.write(f.read())
        print("== vm-%s: took %.0fs" % (mode, time.monotonic() - t0), flush=True)
        total_failed = 0
        for g in vm_groups(mode):
            passed, failed, _ = junit_counts("%s-%s.xml" % (prefix, g))
            total_failed += failed
            count("vm-%s (%s tests)" % (mode, g), passed, failed)
        if rc not in (0, 1) or (rc == 1 and total_failed == 0):
            LANE_FAILURES.append("VM lane %s (exit %d)" % (mode, rc))


# Guest memory: its root, /tmp (the tests' store and bundles) and /run live in it.
VM_MEM = 3072


# One boot of tests/vm/suite.sh: 12-20 minutes per mode here (tests/vm/README.md), about 3
# more with the userns group, two side by side; the runner stops qemu after this many seconds.
VM_SUITE_CAP = 2400


VM_CAP = 600   # seconds for one VM boot, build included; the runner stops qemu after


def vm_script_lane(mode, script):
    """tests/vm/run MODE: counts the guest's ok / not ok lines; 124 and 125 fail the lane."""
    name = "vm-%s" % mode
    if run(["tests/vm/deps.sh"]) != 0:
        LANE_FAILURES.append("%s: tests/vm/deps.sh failed" % name)
        count(name, 0, 0)
        return
    print("+ tests/vm/run %s %s %s" % (mode, TOP, script), flush=True)
    env = dict(os.environ, VMLANE_TIMEOUT=str(VM_CAP))
    p = subprocess.run(["tests/vm/run", mode, TOP, script], cwd=TOP, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sys.stdout.write(p.stdout)
    passed = len(re.findall(r"^ok - ", p.stdout, re.M))
    failed = len(re.findall(r"^not ok - ", p.stdout, re.M))
    if p.returncode in (124, 125) or (p.returncode != 0 and failed == 0):
        LANE_FAILURES.append("%s (tests/vm/run exit %d)" % (name, p.returncode))
    count(name, passed, failed)


FUZZ_TARGETS = ("fuzz_config", "fuzz_process", "fuzz_resources", "fuzz_state", "fuzz_mountinfo",
                "fuzz_seccomp", "fuzz_manifest", "fuzz_image_config", "fuzz_registry_auth",
                "fuzz_layer", "fuzz_seccomp_profile", "fuzz_engine_flags", "fuzz_engine_store",
                "fuzz_dockerfile")

# The share of FUZZ_SECONDS each target gets (1 when not listed): the small parsers, whose
# coverage stops growing within seconds, get half, so that the 14 targets take about 6
# minutes on 2 cores with the default 60 s (the long profile scales alike).
FUZZ_SHARE = {"fuzz_mountinfo": 0.5, "fuzz_process": 0.5, "fuzz_registry_auth": 0.5,
              "fuzz_resources": 0.5, "fuzz_engine_store": 0.5, "fuzz_image_config": 0.5,
              "fuzz_dockerfile": 0.5}


def fuzz_target(target, seconds):
    """Popen of one target: replay every input that once crashed it (fuzz/regressions/
    <target>/), then fuzz for `seconds` from its seed corpus. Output goes to a log."""
    exe = os.path.join(TOP, "build-fuzz", "fuzz", target)
    work = os.path.join(TOP, "build-fuzz", "corpus", target)
    artifacts = os.path.join(TOP, "build-fuzz", "crashes", target) + "/"
    os.makedirs(work, exist_ok=True)
    os.makedirs(artifacts, exist_ok=True)
    regress = os.path.join(TOP, "fuzz", "regressions", target)
    inputs = sorted(os.path.join(regress, f) for f in os.listdir(regress)) \
        if os.path.isdir(regress) else []
    # -timeout: an input that takes 30 s is a hang, reported (not a lane stuck 20 minutes)
    fuzz = [exe, "-max_total_time=%d" % seconds, "-timeout=30", "-print_final_stats=1",
            "-artifact_prefix=" + artifacts, work, os.path.join(TOP, "fuzz", "corpus", target)]
    script = shlex.join(fuzz)
    if inputs:
        script = shlex.join([exe, *inputs]) + " && " + script
    log = open(os.path.join(TOP, "build-fuzz", target + ".log"), "w")
    print("+ " + script, flush=True)
    return subprocess.Popen(["/bin/sh", "-c", script], cwd=TOP, stdout=log,
                            stderr=subprocess.STDOUT), log


def fuzz_lane(seconds, jobs):
    """Each libFuzzer target for a bounded time (its FUZZ_SHARE of `seconds`), `jobs` at
    once (one a core)."""
    passed = failed = 0
    pending, running = list(FUZZ_TARGETS), []
    while pending or running:
        while pending and len(running) < jobs:
            target = pending.pop(0)
            share = max(1, int(seconds * FUZZ_SHARE.get(target, 1)))
            running.append((target, *fuzz_target(target, share)))
        time.sleep(0.5)
        for item in list(running):
            target, p, log = item
            if p.poll() is None:
                continue
            running.remove(item)
            log.close()
            with open(log.name) as f:
                stats = [ln.strip() for ln in f if " DONE " in ln or ln.startswith(
                    ("stat::number_of_executed", "SUMMARY"))]
            print("fuzz: %s: %s" % (target, "; ".join(stats[-3:])), flush=True)
            if p.returncode == 0:
                passed += 1
            else:
                failed += 1
                print("fuzz: %s failed (exit %d): see %s and build-fuzz/crashes/%s/; add the "
                      "input to fuzz/regressions/%s/" % (target, p.returncode, log.name, target,
                                                         target), flush=True)
    count("fuzz (%d s each, %d at once)" % (seconds, jobs), passed, failed)


# The integration tests the valgrind lane runs: state, list, kill, delete, ps, events,
# update, pause, resume, features, spec and hooks (create, run and exec run without
# valgrind, which lacks the new mount API: oci.VALGRIND_SKIP).
VALGRIND_SAMPLE = ("test_lifecycle.py", "test_operations.py", "test_cgroup_cmds.py",
                   "test_features.py", "test_hooks.py")


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
    fuzz_lane(int(os.environ.get("FUZZ_SECONDS", "60")), int(os.environ.get("FUZZ_JOBS", "2")))
    pytest_lane("integration", {"BERTH_RUNTIME": os.path.join(TOP, "build/berth-runtime"),
                                "BERTH_ENGINE": os.path.join(TOP, "build/berth"),
                                "BERTH_TEST_RUNTIMES": "berth,runc"}, ["tests/integration"])
    pytest_lane("integration-asan",
                {"BERTH_RUNTIME": os.path.join(TOP, "build-asan/berth-runtime"),
                 "BERTH_ENGINE": os.path.join(TOP, "build-asan/berth"),
                 "BERTH_TEST_RUNTIMES": "berth"}, ["tests/integration"])
    # A sample of the integration tests with berth-runtime's commands under valgrind
    # memcheck (BERTH_VALGRIND, tests/README.md): about two minutes. A dynamically linked
    # build (build-valgrind, `make valgrind`): memcheck cannot check the static release one.
    pytest_lane("valgrind", {"BERTH_RUNTIME": os.path.join(TOP, "build-valgrind/berth-runtime"),
                             "BERTH_TEST_RUNTIMES": "berth", "BERTH_VALGRIND": "1"},
                ["tests/integration/" + f for f in VALGRIND_SAMPLE], timeout=8 * 60)
    # Docker, Podman and containerd with berth-runtime and runc (about a minute here);
    # the known berth gaps are strict xfails listed in tests/clients/gaps.py.
    pytest_lane("clients", {"BERTH_RUNTIME": os.path.join(TOP, "build/berth-runtime"),
                            "BERTH_TEST_RUNTIMES": "berth,runc"}, ["tests/clients"],
                timeout=15 * 60)
    vm_lanes(os.environ.get("BERTH_VM_LANES", "v2 v1").split())
    vm_script_lane("apparmor", "tests/vm/security/apparmor.sh")
    for lane in LANE_FAILURES:
        print("lane failed to run: %s" % lane)
    print("%d passed, %d failed" % (RESULTS["passed"], RESULTS["failed"]))
    return 1 if RESULTS["failed"] or LANE_FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
