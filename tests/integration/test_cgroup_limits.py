"""linux.resources enforced, not only written: memory, pids, cpu, devices, blkio.

Each test reads the container's cgroup files to see the value land, then shows the
kernel acting on it: an OOM kill at the memory limit, forks refused at pids.max, CPU time
capped by the quota (cpu usage over a window, with wide margins, never wall-clock
timing), a device open refused. Runs on whatever layout the host has (hybrid here;
pure v2 and v1 in the VM lane).
"""

import os
import time

import pytest

import cgroupfs
import oci
from oci import sh

MiB = 1 << 20


def run_detached(runtime, bundle, script, **res):
    """run --detach with linux.resources members res; return (state, stdout file)."""
    bundle.set_args(sh(script))
    bundle.linux["resources"].update(res)
    r = runtime.run(bundle, detach=True)
    assert r.rc == 0, str(r)
    out = runtime.last_out
    return runtime.state(bundle.id), out


def wait_output(path, text, timeout=20):
    assert oci.wait_for(lambda: text in oci.read_file(path), timeout=timeout), \
        "never printed %r; output:\n%s" % (text, oci.read_file(path))


def test_memory_hog_is_oom_killed_at_the_limit(runtime, bundle):
    """A 64 MiB allocation in a 32 MiB container is killed by the OOM killer."""
    limit = 32 * MiB
    st, out = run_detached(
        runtime, bundle,
        "dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; echo rc=$?; sleep 1000",
        memory={"limit": limit, "swap": limit})
    wait_output(out, "rc=")
    assert "rc=137" in oci.read_file(out), oci.read_file(out)   # SIGKILL
    assert int(cgroupfs.read(bundle.cgroups_path, "memory", "memory.limit_in_bytes",
                             "memory.max")) == limit
    assert cgroupfs.oom_kills(bundle.cgroups_path) >= 1
    assert oci.pid_alive(st["pid"]), "the small shell must survive"


def test_memory_below_the_limit_runs(runtime, bundle):
    st, out = run_detached(
        runtime, bundle,
        "dd if=/dev/zero of=/dev/null bs=8M count=1 2>/dev/null; echo rc=$?; sleep 1000",
        memory={"limit": 64 * MiB})
    wait_output(out, "rc=")
    assert "rc=0" in oci.read_file(out)
    assert cgroupfs.oom_kills(bundle.cgroups_path) == 0


def test_fork_bomb_stops_at_pids_max(runtime, bundle):
    """40 forks asked for, at most pids.limit processes exist, and the kernel counts refusals."""
    limit = 16
    script = ("sh -c 'for i in $(seq 40); do sleep 1000 & done' 2>/dev/null; "
              "echo forked; sleep 1000")
    st, out = run_detached(runtime, bundle, script, pids={"limit": limit})
    wait_output(out, "forked")
    assert int(cgroupfs.read(bundle.cgroups_path, "pids", "pids.max", "pids.max")) == limit
    current = int(cgroupfs.read(bundle.cgroups_path, "pids", "pids.current", "pids.current"))
    assert 2 <= current <= limit
    events = cgroupfs.read(bundle.cgroups_path, "pids", "pids.events", "pids.events")
    assert cgroupfs.keyed(events, "max") >= 1, events


def cpu_share_over(cgroups_path, seconds):
    """The container's CPU time over a window, as a fraction of one CPU."""
    u0, t0 = cgroupfs.cpu_usage_ns(cgroups_path), time.monotonic()
    time.sleep(seconds)
    u1, t1 = cgroupfs.cpu_usage_ns(cgroups_path), time.monotonic()
    return (u1 - u0) / ((t1 - t0) * 1e9)


def cpu_stat(cgroups_path):
    return oci.read_file(os.path.join(cgroupfs.cgdir(cgroups_path, "cpu"), "cpu.stat"))


def test_cpu_quota_caps_usage(runtime, bundle):
    """Two busy loops under a 20% quota use about 0.2 CPU and get throttled."""
    run_detached(runtime, bundle, "while :; do :; done & while :; do :; done",
                 cpu={"quota": 20000, "period": 100000})
    share = cpu_share_over(bundle.cgroups_path, 2.0)
    # Unthrottled, two loops take up to 2 CPUs; the quota allows 0.2. A loaded host only
    # lowers the share, so only the upper bound proves the cap.
    assert 0 < share < 0.45, "the container used %.2f CPU under a 0.2 CPU quota" % share
    assert cgroupfs.keyed(cpu_stat(bundle.cgroups_path), "nr_throttled") > 0


def test_devices_deny_blocks_open(runtime, bundle):
    """Device 240:0 is refused by the cgroup until a rule allows reading it.

    runc's default list (which berth appends as runc does) allows mknod of any node, so
    the node can be made; opening it is what the rules decide: EPERM when denied, and
    ENXIO (no driver) once allowed.
    """
    bundle.process["capabilities"]["bounding"].append("CAP_MKNOD")
    bundle.process["capabilities"]["effective"].append("CAP_MKNOD")
    bundle.process["capabilities"]["permitted"].append("CAP_MKNOD")
    script = ("mknod /dev/x240 c 240 0 && echo made; "
              "head -c1 /dev/x240 2>&1; head -c1 /dev/null && echo null-ok")
    bundle.set_args(sh(script))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert "made" in r.out
    assert "Operation not permitted" in r.out, r.out
    assert "null-ok" in r.out       # the default list keeps /dev/null usable

    bundle.linux["resources"]["devices"].append(
        {"allow": True, "type": "c", "major": 240, "minor": 0, "access": "r"})
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert "Operation not permitted" not in r.out, r.out
    assert "No such device" in r.out, r.out


def test_devices_v1_files_or_v2_program(runtime, bundle):
    """The rules land in devices.list (v1) or as a BPF program on the cgroup (v2)."""
    bundle.linux["resources"]["devices"].append(
        {"allow": True, "type": "b", "major": 7, "access": "r"})
    run_detached(runtime, bundle, "sleep 1000")
    if cgroupfs.is_v2("devices"):
        # bpftool is not in Debian 12's base: the program's effect is shown above.
        return
    listing = cgroupfs.read(bundle.cgroups_path, "devices", "devices.list", "")
    assert "b 7:* r" in listing.splitlines(), listing
    assert "c 1:3 rwm" in listing.splitlines()
    assert "a *:* rwm" not in listing


@pytest.fixture
def loop_device(tmp_path):
    dev = cgroupfs.LoopDevice(tmp_path)
    yield dev
    dev.close()


def test_blkio_weight_and_throttles_land(runtime, bundle, loop_device):
    # Since CFQ went (Linux 5.0), v1 weights exist only once BFQ is loaded.
    if not cgroupfs.is_v2("blkio") and not loop_device.use_bfq():
        oci.skip_on_host("the kernel has no bfq I/O scheduler for blkio weights", "v1")
    dev = "%d:%d" % (loop_device.major, loop_device.minor)
    mm = {"major": loop_device.major, "minor": loop_device.minor}
    run_detached(runtime, bundle, "sleep 1000", blockIO={
        "weight": 500,
        "throttleReadBpsDevice": [dict(mm, rate=1048576)],
        "throttleWriteBpsDevice": [dict(mm, rate=2097152)],
        "throttleReadIOPSDevice": [dict(mm, rate=100)],
        "throttleWriteIOPSDevice": [dict(mm, rate=200)],
    })
    d = cgroupfs.cgdir(bundle.cgroups_path, "blkio")
    if cgroupfs.is_v2("blkio"):
        lines = oci.read_file(os.path.join(d, "io.max")).splitlines()
        assert "%s rbps=1048576 wbps=2097152 riops=100 wiops=200" % dev in lines, lines
        return
    for f, v in (("read_bps", 1048576), ("write_bps", 2097152), ("read_iops", 100),
                 ("write_iops", 200)):
        text = oci.read_file(os.path.join(d, "blkio.throttle.%s_device" % f))
        assert "%s %d" % (dev, v) in text.splitlines(), (f, text)
    weight = "blkio.weight" if os.path.exists(os.path.join(d, "blkio.weight")) \
        else "blkio.bfq.weight"
    assert "500" in oci.read_file(os.path.join(d, weight))


def test_blkio_weight_device(runtime, bundle, loop_device):
    """A per-device weight, on a device that uses the BFQ scheduler."""
    if not loop_device.use_bfq():
        oci.skip_on_host("the kernel has no bfq I/O scheduler", "v1 and v2")
    dev = "%d:%d" % (loop_device.major, loop_device.minor)
    run_detached(runtime, bundle, "sleep 1000", blockIO={"weightDevice": [
        {"major": loop_device.major, "minor": loop_device.minor, "weight": 300}]})
    d = cgroupfs.cgdir(bundle.cgroups_path, "blkio")
    for name in ("blkio.weight_device", "blkio.bfq.weight_device", "io.bfq.weight"):
        path = os.path.join(d, name)
        if os.path.exists(path) and dev in oci.read_file(path):
            assert "%s 300" % dev in oci.read_file(path).splitlines()
            return
    pytest.fail("no weight file holds %s" % dev)


@pytest.mark.berth_only("runc 1.1.5 ignores memory.kernelTCP (crun applies it)")
def test_kernel_tcp_limit_lands_where_the_kernel_has_it(runtime, bundle):
    """memory.kernelTCP goes to v1's memory.kmem.tcp.limit_in_bytes; cgroup v2 has no such
    file, and the container still starts (with a warning)."""
    run_detached(runtime, bundle, "sleep 1000", memory={"kernelTCP": 16 * MiB})
    d = cgroupfs.cgdir(bundle.cgroups_path, "memory")
    tcp = os.path.join(d, "memory.kmem.tcp.limit_in_bytes")
    if cgroupfs.is_v2("memory"):
        assert not os.path.exists(tcp)
        return
    assert int(oci.read_file(tcp)) == 16 * MiB
