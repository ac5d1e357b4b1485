"""berth rename and berth update (issue 16), as docker 20.10: messages, inspect and ps,
the cgroup files of a running container, the stored config a later start uses, and a
rename killed at each of its steps repaired by the next commands."""

import os
import signal
import subprocess

import pytest

import cgroupfs
import oci


def env_run(berth, env, *args):
    return subprocess.run(berth.argv(args), capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL, env=dict(os.environ, **env))


def started(berth, *flags, name=None):
    args = ["run", "-d"] + (["--name", name] if name else []) + list(flags)
    cid = berth(*args, "busybox", "sleep", "1000").out.strip()
    berth.wait_status(cid, "running")
    return cid


def names(berth):
    return berth("ps", "-a", "--format", "{{.Names}}").out.split()


# --- rename -------------------------------------------------------------------------

@pytest.mark.parametrize("running", [True, False], ids=["running", "stopped"])
def test_rename(berth, running):
    cid = started(berth, name="old") if running else \
        berth("create", "--name", "old", "busybox", "true").out.strip()
    r = berth("rename", "old", "new")
    assert r.out == "" and r.err == ""
    assert berth.inspect(cid)["Name"] == "/new"
    assert names(berth) == ["new"]
    r = berth("inspect", "old", check=False)
    assert r.rc != 0 and "No such object: old" in r.err
    assert sorted(os.listdir(os.path.join(berth.root, "names"))) == ["new"]
    # the old name is free, the new one taken
    other = berth("create", "--name", "old", "busybox", "true").out.strip()
    r = berth("create", "--name", "new", "busybox", "true", check=False)
    assert 'The container name "/new" is already in use by container "%s"' % cid in r.err
    if running:
        assert berth.status("new") == "running"
    berth("rm", "-f", "new", other)


def test_rename_errors(berth):
    a = berth("create", "--name", "a1", "busybox", "true").out.strip()
    berth("create", "--name", "b1", "busybox", "true")
    r = berth("rename", "a1", "a1", check=False)
    assert r.rc == 1
    assert "Renaming a container with the same name as its current name" in r.err
    assert "Error: failed to rename container named a1" in r.err
    r = berth("rename", "b1", "a1", check=False)
    assert r.rc == 1
    assert ('Error when allocating new name: Conflict. The container name "/a1" is already '
            'in use by container "%s". You have to remove (or rename) that container to be '
            'able to reuse that name.' % a) in r.err
    r = berth("rename", "a1", "bad/name", check=False)
    assert r.rc == 1 and "Invalid container name (bad/name)" in r.err
    r = berth("rename", "nothere", "x2", check=False)
    assert r.rc == 1 and "No such container: nothere" in r.err
    r = berth("rename", "a1", "", check=False)
    assert r.rc == 1 and "Neither old nor new names may be empty" in r.err
    assert names(berth) == ["b1", "a1"] or sorted(names(berth)) == ["a1", "b1"]
    berth("rm", "a1", "b1")


@pytest.mark.parametrize("point", ["rename-reserved", "rename-config"])
def test_rename_killed_at_each_step(berth, point):
    cid = started(berth, name="before")
    p = env_run(berth, {"BERTH_CRASH_AT": point}, "rename", "before", "after")
    assert p.returncode == -signal.SIGKILL, p.stderr
    # config.json says which name is the container's; the other one is stale
    current = berth.inspect(cid)["Name"][1:]
    stale = "after" if current == "before" else "before"
    assert current == ("before" if point == "rename-reserved" else "after")
    assert names(berth) == [current]
    assert "No such object" in berth("inspect", stale, check=False).err
    # the stale name can be taken; the container can be renamed again, and removed
    other = berth("create", "--name", stale, "busybox", "true").out.strip()
    berth("rm", other)
    berth("rename", current, "third")
    assert berth.inspect(cid)["Name"] == "/third"
    # a second kill leaves a stale name that rm releases (teardown checks names/)
    p = env_run(berth, {"BERTH_CRASH_AT": point}, "rename", "third", "fourth")
    assert p.returncode == -signal.SIGKILL, p.stderr
    berth("rm", "-f", cid)


# --- update -------------------------------------------------------------------------

def cpu_quota(berth, cid):
    if cgroupfs.is_v2("cpu"):
        return berth.cgroup_file(cid, "cpu", None, "cpu.max").split()[0]
    return berth.cgroup_file(cid, "cpu", "cpu.cfs_quota_us", None)


def test_update_running(berth):
    cid = started(berth, "--memory", "64m", "--cpus", "0.5", "--pids-limit", "30", name="up")
    r = berth("update", "--memory", "96m", "--memory-swap", "200m", "--cpus", "0.25",
              "--pids-limit", "40", "--cpu-shares", "512", "up")
    assert r.out == "up\n"
    assert int(berth.cgroup_file(cid, "memory", "memory.limit_in_bytes", "memory.max")) \
        == 96 << 20
    assert cpu_quota(berth, cid) == "25000"
    assert berth.cgroup_file(cid, "pids", "pids.max", "pids.max") == "40"
    if not cgroupfs.is_v2("cpu"):
        assert berth.cgroup_file(cid, "cpu", "cpu.shares", None) == "512"
    hc = berth.inspect(cid)["HostConfig"]
    assert (hc["Memory"], hc["MemorySwap"], hc["NanoCpus"], hc["PidsLimit"],
            hc["CpuShares"]) == (96 << 20, 200 << 20, 250000000, 40, 512)
    # 0 lifts the pids limit
    berth("update", "--pids-limit", "0", cid)
    assert berth.cgroup_file(cid, "pids", "pids.max", "pids.max") == "max"
    berth("rm", "-f", cid)


def test_update_cpuset(berth):
    if not cgroupfs.has("cpuset"):
        pytest.skip("no cpuset controller")
    cid = started(berth)
    berth("update", "--cpuset-cpus", "0", cid)
    assert berth.cgroup_file(cid, "cpuset", "cpuset.cpus", "cpuset.cpus") == "0"
    assert berth.inspect(cid)["HostConfig"]["CpusetCpus"] == "0"
    berth("rm", "-f", cid)


def test_update_stopped_is_used_by_the_next_start(berth):
    cid = berth("create", "--pids-limit", "30", "busybox", "sleep", "1000").out.strip()
    assert berth("update", "--pids-limit", "44", "--memory", "50m", "--memory-swap", "100m",
                 cid[:12]).out == cid[:12] + "\n"
    assert berth.inspect(cid)["HostConfig"]["PidsLimit"] == 44
    berth("start", cid)
    berth.wait_status(cid, "running")
    assert berth.cgroup_file(cid, "pids", "pids.max", "pids.max") == "44"
    assert int(berth.cgroup_file(cid, "memory", "memory.limit_in_bytes", "memory.max")) \
        == 50 << 20
    berth("rm", "-f", cid)


def test_update_several(berth):
    a = started(berth, name="u1")
    b = berth("create", "--name", "u2", "busybox", "true").out.strip()
    assert berth("update", "--pids-limit", "50", "u1", "u2").out == "u1\nu2\n"
    assert berth.cgroup_file(a, "pids", "pids.max", "pids.max") == "50"
    assert berth.inspect(b)["HostConfig"]["PidsLimit"] == 50
    r = berth("update", "--pids-limit", "51", "u1", "nothere", check=False)
    assert r.rc == 1 and r.out == "u1\n" and "No such container: nothere" in r.err
    berth("rm", "-f", a, b)


def test_update_memory_above_stored_swap(berth):
    cid = started(berth, "--memory", "64m")   # MemorySwap 128m, as docker stores it
    r = berth("update", "--memory", "200m", cid, check=False)
    assert r.rc == 1
    assert ("Cannot update container %s: Memory limit should be smaller than already set "
            "memoryswap limit, update the memoryswap at the same time" % cid) in r.err
    hc = berth.inspect(cid)["HostConfig"]
    assert (hc["Memory"], hc["MemorySwap"]) == (64 << 20, 128 << 20)
    assert int(berth.cgroup_file(cid, "memory", "memory.limit_in_bytes", "memory.max")) \
        == 64 << 20
    berth("update", "--memory", "100m", cid)  # below the stored swap: fine
    assert int(berth.cgroup_file(cid, "memory", "memory.limit_in_bytes", "memory.max")) \
        == 100 << 20
    berth("rm", "-f", cid)


@pytest.mark.parametrize("flags, message, code", [
    ([], "you must provide one or more flags when using this command", 1),
    (["--memory", "1k"], "Minimum memory limit allowed is 6MB", 1),
    (["--memory", "lots"], 'invalid argument "lots" for "--memory" flag', 125),
    (["--restart", "sometimes"], "invalid restart policy 'sometimes'", 1),
    (["--cpus", "4096"], "Range of CPUs is from 0.01 to", 1),
    (["--cpuset-cpus", "4000"], "cpuset", 1),
    (["--cpu-period", "50000"], "CPU Period cannot be updated as NanoCPUs has already "
                                "been set", 1),
])
def test_update_refused(berth, flags, message, code):
    cid = started(berth, "--cpus", "0.5", "--pids-limit", "30")
    before = berth.inspect(cid)["HostConfig"]
    r = berth("update", *flags, cid, check=False)
    assert r.rc == code and message in r.err, r
    assert berth.inspect(cid)["HostConfig"] == before
    assert berth.cgroup_file(cid, "pids", "pids.max", "pids.max") == "30"
    berth("rm", "-f", cid)


def test_update_restart_policy(berth):
    cid = berth("run", "-d", "--rm", "busybox", "sleep", "1000").out.strip()
    r = berth("update", "--restart", "always", cid, check=False)
    assert r.rc == 1 and "Restart policy cannot be updated because AutoRemove is enabled" \
        in r.err
    berth("rm", "-f", cid)
    cid = started(berth)
    berth("update", "--restart", "always", cid)
    assert berth.inspect(cid)["HostConfig"]["RestartPolicy"]["Name"] == "always"
    # the running container's monitor follows the new policy
    os.kill(berth.pid(cid), signal.SIGKILL)
    assert oci.wait_for(lambda: berth.inspect(cid)["RestartCount"] >= 1, 20)
    berth.wait_status(cid, "running", timeout=20)
    berth("rm", "-f", cid)


def test_update_the_runtime_refuses_keeps_the_config(berth):
    """40 MiB in /dev/shm (charged to the container, no swap): the kernel cannot bring the
    usage under a 10 MiB limit, the runtime fails, and the stored config is put back."""
    if cgroupfs.is_v2("memory"):
        pytest.skip("cgroup v2's memory.max reclaims by OOM kills, it does not refuse")
    cid = berth("run", "-d", "--memory", "100m", "--memory-swap", "100m", "busybox", "sh", "-c",
                "dd if=/dev/zero of=/dev/shm/x bs=1M count=40 && touch /tmp/filled; "
                "sleep 1000").out.strip()
    assert oci.wait_for(lambda: berth("exec", cid, "test", "-f", "/tmp/filled",
                                      check=False).rc == 0, 10)
    before = berth.inspect(cid)["HostConfig"]
    r = berth("update", "--memory", "10m", "--memory-swap", "10m", cid, check=False)
    assert r.rc == 1 and "Cannot update container %s: " % cid in r.err, r
    assert berth.inspect(cid)["HostConfig"] == before
    assert int(berth.cgroup_file(cid, "memory", "memory.limit_in_bytes", "memory.max")) \
        == 100 << 20
    berth("rm", "-f", cid)


def test_update_survives_a_policy_restart(berth):
    """The monitor restarts the container from the bundle written at start: what update
    changed since must still be in force after the restart, as with docker."""
    cid = started(berth, "--restart", "always", "--memory", "64m", "--pids-limit", "30")
    berth("update", "--memory", "96m", "--memory-swap", "200m", "--pids-limit", "40", cid)
    for restarts in (1, 2):  # the bundle is start's: every restart needs the update
        pid = berth.pid(cid)
        os.kill(pid, signal.SIGKILL)
        assert oci.wait_for(lambda: berth.inspect(cid)["RestartCount"] >= restarts and
                            berth.status(cid) == "running" and
                            berth.pid(cid) not in (0, pid), 20)
        assert int(berth.cgroup_file(cid, "memory", "memory.limit_in_bytes",
                                     "memory.max")) == 96 << 20
        assert berth.cgroup_file(cid, "pids", "pids.max", "pids.max") == "40"
    berth("rm", "-f", cid)



def test_rename_and_update_on_a_full_disk(full_disk_berth):
    """config.json cannot be written: rename and update fail saying so, and leave the
    name, the config and the cgroup as they were."""
    b = full_disk_berth
    # the filling waits for /go: run must first record the start with room left
    cid = b("run", "-d", "--name", "filler", "--pids-limit", "30", "busybox", "sh", "-c",
            "until test -e /go; do sleep 0.05; done; dd if=/dev/zero of=/fill bs=1M; "
            "sleep 1000").out.strip()
    b("exec", cid, "touch", "/go")
    assert oci.wait_for(lambda: os.statvfs(b.root).f_bavail == 0, 30), "the disk never filled"
    r = b("rename", "filler", "other", check=False)
    assert r.rc == 1 and "cannot write the container's config.json" in r.err, r
    assert b.inspect(cid)["Name"] == "/filler"
    assert sorted(os.listdir(os.path.join(b.root, "names"))) == ["filler"]
    r = b("update", "--pids-limit", "40", cid, check=False)
    assert r.rc == 1 and "cannot write the container's config.json" in r.err, r
    assert b.inspect(cid)["HostConfig"]["PidsLimit"] == 30
    assert b.cgroup_file(cid, "pids", "pids.max", "pids.max") == "30"
    b("rm", "-f", cid)


def test_update_blkio_weight_out_of_range(berth):
    """As dockerd: a weight the kernel cannot apply is dropped with a warning first, so
    only a host that can weigh refuses one out of range (exit 1, the daemon's refusal)."""
    cid = started(berth)
    r = berth("update", "--blkio-weight", "5", cid, check=False)
    if "Weight discarded" in r.err:
        assert r.rc == 0, r
    else:
        assert r.rc == 1 and "Range of blkio weight is from 10 to 1000" in r.err, r
    berth("rm", "-f", cid)


def test_rename_and_update_events(berth):
    cid = started(berth, name="evold")
    berth("rename", "evold", "evnew")
    berth("update", "--pids-limit", "40", "evnew")
    r = berth("events", "--since", "0", "--until", "0s", "--filter", "container=" + cid,
              "--format", "{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.oldName}}")
    lines = r.out.splitlines()
    assert "rename evnew evold" in lines and "update evnew " in lines, r
    berth("rm", "-f", cid)
