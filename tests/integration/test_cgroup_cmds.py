"""update, pause, resume, events and ps, with runc's command line.

Each test checks the effect in the kernel: the new limit in the cgroup file, a paused
container that stops producing output and resumes, stats that match the cgroup's
counters, an OOM event for an OOM kill, the host pids from cgroup.procs.
"""

import json
import os
import subprocess
import time

import pytest

import cgroupfs
import oci
from oci import sh

MiB = 1 << 20
TICKER = sh("while :; do echo tick; sleep 0.1; done")


def running(runtime, bundle, args=None, **res):
    bundle.set_args(args or sh("sleep 1000"))
    bundle.linux["resources"].update(res)
    r = runtime.run(bundle, detach=True)
    assert r.rc == 0, str(r)
    out = runtime.last_out
    return runtime.state(bundle.id), out


def mem_limit(bundle):
    return int(cgroupfs.read(bundle.cgroups_path, "memory", "memory.limit_in_bytes",
                             "memory.max"))


def test_update_flags(runtime, bundle):
    running(runtime, bundle, memory={"limit": 128 * MiB})
    r = runtime("update", "--memory", "64m", "--memory-reservation", "32M",
                "--pids-limit", "50", "--cpu-quota", "30000", "--cpu-period", "200000",
                "--cpuset-cpus", "0", bundle.id)
    assert r.rc == 0, str(r)
    cg = bundle.cgroups_path
    assert mem_limit(bundle) == 64 * MiB
    assert int(cgroupfs.read(cg, "memory", "memory.soft_limit_in_bytes",
                             "memory.low")) == 32 * MiB
    assert cgroupfs.read(cg, "pids", "pids.max", "pids.max") == "50"
    assert cgroupfs.read(cg, "cpuset", "cpuset.cpus", "cpuset.cpus") == "0"
    if cgroupfs.is_v2("cpu"):
        assert cgroupfs.read(cg, "cpu", "", "cpu.max") == "30000 200000"
    else:
        assert cgroupfs.read(cg, "cpu", "cpu.cfs_quota_us", "") == "30000"
        assert cgroupfs.read(cg, "cpu", "cpu.cfs_period_us", "") == "200000"


def test_update_raises_the_cpu_cap(runtime, bundle):
    """A busy loop capped at 10% gets more CPU once update lifts the quota."""
    running(runtime, bundle, sh("while :; do :; done"), cpu={"quota": 10000, "period": 100000})
    r = runtime("update", "--cpu-quota", "-1", bundle.id)
    assert r.rc == 0, str(r)
    if cgroupfs.is_v2("cpu"):
        assert cgroupfs.read(bundle.cgroups_path, "cpu", "", "cpu.max").startswith("max ")
    else:
        assert cgroupfs.read(bundle.cgroups_path, "cpu", "cpu.cfs_quota_us", "") == "-1"


@pytest.mark.parametrize("source", ["file", "stdin"])
def test_update_from_resources_json(runtime, bundle, tmp_path, source):
    running(runtime, bundle)
    doc = json.dumps({"memory": {"limit": 48 * MiB}, "pids": {"limit": 20}})
    if source == "file":
        path = tmp_path / "resources.json"
        path.write_text(doc)
        r = runtime("update", "-r", str(path), bundle.id)
    else:
        argv = [runtime.binary, "--root", runtime.root, "update", "-r", "-", bundle.id]
        p = subprocess.run(argv, input=doc, capture_output=True, text=True, timeout=10)
        r = oci.Result(p.returncode, p.stdout, p.stderr)
    assert r.rc == 0, str(r)
    assert mem_limit(bundle) == 48 * MiB
    assert cgroupfs.read(bundle.cgroups_path, "pids", "pids.max", "pids.max") == "20"


def test_update_below_usage_is_refused_on_v1(runtime, bundle):
    """Shrinking memory under what the container holds: v1's kernel refuses."""
    if cgroupfs.is_v2("memory"):
        # v2 reclaims or OOM-kills instead; checkBeforeUpdate covers it (berth test).
        return
    running(runtime, bundle, sh("dd if=/dev/zero of=/dev/shm/fill bs=1M count=24; sleep 1000"),
            memory={"limit": 64 * MiB})
    assert oci.wait_for(lambda: int(cgroupfs.read(
        bundle.cgroups_path, "memory", "memory.usage_in_bytes", "")) > 20 * MiB)
    r = runtime("update", "--memory", "8m", bundle.id)
    assert r.rc != 0
    assert mem_limit(bundle) == 64 * MiB


@pytest.mark.berth_only("runc 1.1.5 has no checkBeforeUpdate; the messages are berth's")
def test_update_check_before_update_and_errors(runtime, bundle):
    running(runtime, bundle, sh("dd if=/dev/zero of=/dev/shm/fill bs=1M count=24; sleep 1000"),
            memory={"limit": 64 * MiB, "checkBeforeUpdate": True})
    assert oci.wait_for(lambda: int(cgroupfs.read(
        bundle.cgroups_path, "memory", "memory.usage_in_bytes", "memory.current")) > 20 * MiB)
    r = runtime("update", "--memory", "8m", bundle.id)
    assert r.rc == 1
    assert "memory.limit: 8388608 is below what the container uses" in r.err, r.err
    assert mem_limit(bundle) == 64 * MiB
    r = runtime("update", "--memory", "12x", bundle.id)
    assert r.rc == 1
    assert "update: --memory: '12x' is not a size such as 1048576, 512m or 2g" in r.err
    r = runtime("update", "-r", "/nonexistent.json", bundle.id)
    assert r.rc == 1 and "reading '/nonexistent.json'" in r.err
    r = runtime("update", "--pids-limit", "5", "no-such-container")
    assert r.rc == 1 and "container 'no-such-container' does not exist" in r.err


def output_grows(path, seconds=0.6):
    before = len(oci.read_file(path))
    time.sleep(seconds)
    return len(oci.read_file(path)) > before


def frozen_in_kernel(bundle):
    if cgroupfs.is_v2("freezer"):
        events = oci.read_file(os.path.join(cgroupfs.cgdir(bundle.cgroups_path, "freezer"),
                                            "cgroup.events"))
        return cgroupfs.keyed(events, "frozen") == 1
    return cgroupfs.read(bundle.cgroups_path, "freezer", "freezer.state", "") == "FROZEN"


def test_pause_and_resume(runtime, bundle):
    st, out = running(runtime, bundle, TICKER)
    assert oci.wait_for(lambda: "tick" in oci.read_file(out))
    r = runtime("pause", bundle.id)
    assert r.rc == 0, str(r)
    assert runtime.status(bundle.id) == "paused"
    assert frozen_in_kernel(bundle)
    assert not output_grows(out), "a paused container kept running"
    r = runtime("resume", bundle.id)
    assert r.rc == 0, str(r)
    assert runtime.status(bundle.id) == "running"
    assert not frozen_in_kernel(bundle)
    assert output_grows(out), "the resumed container does not run"


def test_pause_and_resume_refusals(runtime, bundle):
    running(runtime, bundle)
    assert runtime("resume", bundle.id).rc != 0           # not paused
    assert runtime("pause", bundle.id).rc == 0
    assert runtime("pause", bundle.id).rc != 0            # paused already
    assert runtime("pause", "no-such-container").rc != 0


def test_delete_force_of_a_paused_container(runtime, bundle):
    """A frozen init must still die and leave no cgroup (v1 needs a thaw after the kill)."""
    st, _ = running(runtime, bundle, TICKER)
    assert runtime("pause", bundle.id).rc == 0
    r = runtime.delete(bundle.id, force=True)
    assert r.rc == 0, str(r)
    assert oci.wait_gone(st["pid"])
    assert oci.cgroup_dirs(bundle.cgroups_path) == []


def test_events_stats(runtime, bundle):
    st, _ = running(runtime, bundle, memory={"limit": 64 * MiB}, pids={"limit": 40})
    r = runtime("events", "--stats", bundle.id)
    assert r.rc == 0, str(r)
    ev = json.loads(r.out)
    assert ev["type"] == "stats" and ev["id"] == bundle.id
    data = ev["data"]
    assert data["cpu"]["usage"]["total"] > 0
    assert data["memory"]["usage"]["usage"] > 0
    assert data["memory"]["usage"]["limit"] == 64 * MiB
    assert data["pids"]["current"] >= 1
    assert data["pids"]["limit"] == 40


def test_events_stream_reports_stats_and_oom(runtime, bundle):
    """`events` prints stats every interval, and an "oom" event for an OOM kill."""
    st, out = running(runtime, bundle, sh(
        "while [ ! -e /tmp/go ]; do sleep 0.05; done; "
        "dd if=/dev/zero of=/dev/null bs=64M count=1; sleep 1000"),
        memory={"limit": 32 * MiB, "swap": 32 * MiB})
    argv = [runtime.binary, "--root", runtime.root, "events", "--interval", "200ms", bundle.id]
    events = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = json.loads(events.stdout.readline())
        assert first["type"] == "stats" and first["id"] == bundle.id
        # Both runtimes watch for OOM before their first tick: now trigger it.
        open(os.path.join(bundle.rootfs, "tmp", "go"), "w").close()
        seen = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = events.stdout.readline()
            if not line:
                break
            seen.append(json.loads(line)["type"])
            if seen[-1] == "oom":
                break
        assert "oom" in seen, "no oom event; saw %s" % seen
    finally:
        events.kill()
        events.wait(timeout=10)
    # The kernel notifies before it counts the kill.
    assert oci.wait_for(lambda: cgroupfs.oom_kills(bundle.cgroups_path) >= 1, timeout=10)


@pytest.mark.berth_only("runc 1.1.5's events never ends; berth's stops with the container")
def test_events_ends_when_the_container_stops(runtime, bundle):
    """`events` ends by itself once the container stops. The container runs until the test
    says so (after the first event), so a slow `events` (valgrind, a loaded CI) still finds
    it running: no timing assumption."""
    running(runtime, bundle, sh("while [ ! -e /tmp/go ]; do sleep 0.05; done"))
    base = os.path.join(runtime.logdir, "events-%s" % bundle.id)
    vg = runtime.valgrind(["events"], base)
    argv = vg + [runtime.binary, "--root", runtime.root, "events", "--interval", "100ms",
                 bundle.id]
    events = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = events.stdout.readline()
        assert first, "events printed nothing: %s" % events.stderr.read()
        open(os.path.join(bundle.rootfs, "tmp", "go"), "w").close()
        out, err = events.communicate(timeout=60)
    finally:
        if events.poll() is None:
            events.kill()
            events.wait()
    assert events.returncode == 0, err
    assert all(json.loads(line)["type"] == "stats" for line in (first + out).splitlines())
    if vg:
        oci.check_valgrind_log(base + ".valgrind", argv, events.returncode)


def test_ps(runtime, bundle):
    st, _ = running(runtime, bundle, sh("sleep 1000 & sleep 1000"))
    assert oci.wait_for(lambda: len(oci.read_file(os.path.join(
        cgroupfs.cgdir(bundle.cgroups_path, "pids"), "cgroup.procs")).split()) == 2)
    r = runtime("ps", "--format", "json", bundle.id)
    assert r.rc == 0, str(r)
    pids = json.loads(r.out)
    assert st["pid"] in pids and len(pids) == 2
    r = runtime("ps", bundle.id)
    assert r.rc == 0, str(r)
    lines = r.out.splitlines()
    assert lines[0].split()[1] == "PID"
    assert sorted(int(line.split()[1]) for line in lines[1:]) == sorted(pids)
    r = runtime("ps", bundle.id, "-o", "pid,comm")
    assert r.rc == 0, str(r)
    rows = [line.split() for line in r.out.splitlines()]
    assert rows[0] == ["PID", "COMMAND"]
    assert sorted(int(p) for p, _ in rows[1:]) == sorted(pids)
    assert all(c == "sleep" for _, c in rows[1:])
