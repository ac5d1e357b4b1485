"""Resource flags land in the container's cgroup (v1 or v2 files, as the host has them)."""

import pytest

import cgroupfs


def started(berth, *flags):
    cid = berth("run", "-d", *flags, "busybox", "sleep", "60").out.strip()
    berth.wait_status(cid, "running")
    return cid


def test_memory(berth):
    cid = started(berth, "--memory", "64m")
    v = berth.cgroup_file(cid, "memory", "memory.limit_in_bytes", "memory.max")
    assert int(v) == 64 << 20
    berth("rm", "-f", cid)


def test_cpus(berth):
    cid = started(berth, "--cpus", "0.5")
    if cgroupfs.is_v2("cpu"):
        assert berth.cgroup_file(cid, "cpu", None, "cpu.max").split() == ["50000", "100000"]
    else:
        assert int(berth.cgroup_file(cid, "cpu", "cpu.cfs_quota_us", None)) == 50000
        assert int(berth.cgroup_file(cid, "cpu", "cpu.cfs_period_us", None)) == 100000
    berth("rm", "-f", cid)


def test_pids_limit(berth):
    cid = started(berth, "--pids-limit", "33")
    assert berth.cgroup_file(cid, "pids", "pids.max", "pids.max") == "33"
    berth("rm", "-f", cid)


def test_cpu_shares_and_cpuset(berth):
    if not cgroupfs.has("cpuset"):
        pytest.skip("no cpuset controller")
    cid = started(berth, "--cpu-shares", "512", "--cpuset-cpus", "0")
    assert berth.cgroup_file(cid, "cpuset", "cpuset.cpus", "cpuset.cpus") == "0"
    if not cgroupfs.is_v2("cpu"):
        assert berth.cgroup_file(cid, "cpu", "cpu.shares", None) == "512"
    berth("rm", "-f", cid)


def test_oom_killed(berth):
    # 32m: runc's init (Go) must fit before the shell starts; under cgroup v2 its kernel
    # memory counts too, and 8m killed it before `runc start` on Debian 12's 6.1 kernel
    r = berth("run", "--name", "hog", "--memory", "32m", "--memory-swap", "32m", "busybox",
              "sh", "-c", "x=a; while :; do x=$x$x; done", check=False)
    assert r.rc == 137
    st = berth.inspect("hog")["State"]
    assert st["OOMKilled"] is True and st["ExitCode"] == 137
    berth("rm", "hog")
    berth("run", "--name", "fine", "busybox", "sh", "-c", "kill -9 $$ || exit 137",
          check=False)
    assert berth.inspect("fine")["State"]["OOMKilled"] is False
    berth("rm", "fine")
