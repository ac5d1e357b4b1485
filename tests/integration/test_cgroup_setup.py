"""The container's cgroup: what the container sees of it, what delete and failures leave
behind (nothing), and the fields only berth applies or converts its own way.
"""

import os

import pytest

import cgroupfs
import oci
from oci import sh

MiB = 1 << 20


def cgroup_mount(bundle):
    return next(m for m in bundle.config["mounts"] if m["destination"] == "/sys/fs/cgroup")


def pids_dir_inside():
    """Where the pids files are inside the container's /sys/fs/cgroup."""
    return "/sys/fs/cgroup" if cgroupfs.is_v2("pids") else "/sys/fs/cgroup/pids"


def test_cgroupns_shows_the_container_cgroup_as_root(runtime, bundle):
    bundle.linux["resources"]["pids"] = {"limit": 77}
    bundle.set_args(sh("cat /proc/self/cgroup; cat %s/pids.max" % pids_dir_inside()))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    lines = r.out.splitlines()
    assert lines[-1] == "77"
    for line in lines[:-1]:
        assert line.split(":", 2)[2] == "/", line


@pytest.mark.berth_only("runc 1.1.5 mounts the whole cgroup2 tree on a v2 host without a "
                        "cgroup namespace")
def test_without_cgroupns_the_own_cgroup_is_bound(runtime, bundle):
    """No cgroup namespace: /sys/fs/cgroup shows the container's own directories, read-only."""
    bundle.remove_namespace("cgroup")
    bundle.linux["resources"]["pids"] = {"limit": 78}
    d = pids_dir_inside()
    bundle.set_args(sh("grep pids /proc/self/cgroup || grep '^0::' /proc/self/cgroup; "
                       "cat %s/pids.max; ls %s | grep -c berth-test; "
                       "echo 5 > %s/pids.max || echo read-only" % (d, d, d)))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    lines = r.out.splitlines()
    assert lines[0].endswith(":" + bundle.cgroups_path), lines[0]
    assert lines[1] == "78"
    assert lines[2] == "0"         # not the host's tree
    assert lines[-1] == "read-only"


def test_cgroup_mount_rw_when_asked(runtime, bundle):
    """With "rw" the container may make child cgroups (a v2 nsdelegate root's own files
    stay read-only to it either way)."""
    opts = cgroup_mount(bundle)["options"]
    opts[opts.index("ro")] = "rw"
    bundle.set_args(sh("mkdir %s/child && echo made" % pids_dir_inside()))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert "made" in r.out


def test_delete_removes_child_cgroups_the_container_made(runtime, bundle):
    opts = cgroup_mount(bundle)["options"]
    opts[opts.index("ro")] = "rw"
    d = pids_dir_inside()
    bundle.set_args(sh("mkdir %s/sub && sleep 1000 & sleep 0.2; echo $! > %s/sub/cgroup.procs;"
                       " echo moved; sleep 1000" % (d, d)))
    r = runtime.run(bundle, detach=True)
    assert r.rc == 0, str(r)
    out = runtime.last_out
    assert oci.wait_for(lambda: "moved" in oci.read_file(out))
    sub = os.path.join(cgroupfs.cgdir(bundle.cgroups_path, "pids"), "sub")
    assert os.path.isdir(sub)
    assert oci.read_file(os.path.join(sub, "cgroup.procs")).split(), "nothing moved into sub"
    r = runtime.delete(bundle.id, force=True)
    assert r.rc == 0, str(r)
    assert oci.cgroup_dirs(bundle.cgroups_path) == []


def test_failed_apply_leaves_nothing(runtime, bundle):
    """A limit the kernel refuses fails create, and the cgroup and state go with it."""
    bundle.linux["resources"]["cpu"] = {"cpus": "1000"}
    r = runtime.create(bundle)
    assert r.rc != 0
    assert oci.cgroup_dirs(bundle.cgroups_path) == []
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))


@pytest.mark.berth_only("checks berth's message")
def test_failed_apply_names_the_field(runtime, bundle):
    bundle.linux["resources"]["cpu"] = {"cpus": "1000"}
    r = runtime.create(bundle)
    assert r.rc == 1
    assert "config.json: linux.resources: cpu.cpus: writing '1000' to cpuset.cpus: " in r.err, \
        r.err


@pytest.mark.berth_only("runc 1.1.5 writes 'max' for a pids limit of 0; the spec says 0 is 0")
def test_pids_limit_zero_forbids_forks(runtime, bundle):
    bundle.linux["resources"]["pids"] = {"limit": 0}
    bundle.set_args(sh("sleep 1 & wait; echo end"))
    r = runtime.run(bundle)
    assert "can't fork" in r.err + r.out, str(r)


@pytest.mark.berth_only("runc 1.1.5 does not apply cpu.idle")
def test_cpu_idle(runtime, bundle):
    bundle.linux["resources"]["cpu"] = {"idle": 1}
    bundle.set_args(sh("sleep 1000"))
    assert runtime.run(bundle, detach=True).rc == 0
    assert cgroupfs.read(bundle.cgroups_path, "cpu", "cpu.idle", "cpu.idle") == "1"


@pytest.mark.berth_only("runc 1.1.5 maps shares to weight linearly (1024 -> 39); berth uses "
                        "the mapping of runc 1.3 and crun 1.23 (1024 -> 100)")
def test_cpu_shares(runtime, bundle):
    bundle.linux["resources"]["cpu"] = {"shares": 1024}
    bundle.set_args(sh("sleep 1000"))
    assert runtime.run(bundle, detach=True).rc == 0
    assert cgroupfs.read(bundle.cgroups_path, "cpu", "cpu.shares", "cpu.weight") == (
        "100" if cgroupfs.is_v2("cpu") else "1024")


def test_zero_is_unset_where_runc_skips_it(runtime, bundle):
    """Docker sends cpu.shares and blockIO.weight 0 in every container it does not limit:
    they (and a 0 memory limit or CFS quota) leave the defaults; v1 would take shares 0 as 2."""
    bundle.linux["resources"].update({"cpu": {"shares": 0, "quota": 0, "period": 0},
                                      "memory": {"limit": 0, "reservation": 0, "swap": 0},
                                      "blockIO": {"weight": 0}})
    bundle.set_args(sh("sleep 1000"))
    r = runtime.run(bundle, detach=True)
    assert r.rc == 0, str(r)
    path = bundle.cgroups_path
    if cgroupfs.is_v2("cpu"):
        assert cgroupfs.read(path, "cpu", "", "cpu.weight") == "100"
        assert cgroupfs.read(path, "cpu", "", "cpu.max") == "max 100000"
    else:
        assert cgroupfs.read(path, "cpu", "cpu.shares", "") == "1024"
        assert cgroupfs.read(path, "cpu", "cpu.cfs_quota_us", "") == "-1"
    limit = cgroupfs.read(path, "memory", "memory.limit_in_bytes", "memory.max")
    assert limit == "max" or int(limit) > 1 << 60, limit


@pytest.mark.berth_only("runc 1.1.5 cannot set hugetlb limits on a hybrid host whose hugetlb "
                        "is in cgroup2")
def test_hugepage_limits(runtime, bundle):
    bundle.linux["resources"]["hugepageLimits"] = [{"pageSize": "2MB", "limit": 4 * MiB}]
    bundle.set_args(sh("sleep 1000"))
    r = runtime.run(bundle, detach=True)
    assert r.rc == 0, str(r)
    assert int(cgroupfs.read(bundle.cgroups_path, "hugetlb", "hugetlb.2MB.limit_in_bytes",
                             "hugetlb.2MB.max")) == 4 * MiB


@pytest.mark.berth_only("runc 1.1.5 refuses unified on v1 and hybrid hosts; the messages are "
                        "berth's")
def test_unified(runtime, bundle):
    if cgroupfs.layout() == "v1":
        bundle.linux["resources"]["unified"] = {"pids.max": "33"}
        r = runtime.run(bundle)
        assert r.rc == 1
        assert "unified: this host has no cgroup v2 tree (it is cgroup v1 only)" in r.err
        return
    if cgroupfs.layout() == "hybrid":
        bundle.linux["resources"]["unified"] = {"memory.high": "1000000"}
        r = runtime.run(bundle)
        assert r.rc == 1
        assert "unified.memory.high: the memory controller is not available in cgroup2" \
            in r.err, r.err
        key, value, ctrl = "hugetlb.2MB.max", str(2 * MiB), "hugetlb"
    else:
        key, value, ctrl = "memory.high", str(32 * MiB), "memory"
    bundle.linux["resources"]["unified"] = {key: value}
    bundle.set_args(sh("sleep 1000"))
    r = runtime.run(bundle, detach=True)
    assert r.rc == 0, str(r)
    assert oci.read_file(os.path.join(cgroupfs.cgdir(bundle.cgroups_path, ctrl), key)).strip() \
        == value


@pytest.mark.berth_only("runc 1.1.5 silently ignores network limits without net_cls")
def test_network_class_id(runtime, bundle):
    bundle.linux["resources"]["network"] = {"classID": 0x100001}
    bundle.set_args(sh("sleep 1000"))
    r = runtime.run(bundle, detach=True)
    if cgroupfs.v1_mount("net_cls") is None:
        assert r.rc == 1
        assert "network.classID: the net_cls controller is not mounted on this host" in r.err
        return
    assert r.rc == 0, str(r)
    assert cgroupfs.read(bundle.cgroups_path, "net_cls", "net_cls.classid", "") == "1048577"


def test_memory_v1_only_settings(runtime, bundle):
    """swappiness and disableOOMKiller exist in v1 only (v2: ignored with a warning)."""
    bundle.linux["resources"]["memory"] = {"limit": 64 * MiB, "swappiness": 10,
                                           "disableOOMKiller": True}
    bundle.set_args(sh("sleep 1000"))
    r = runtime.run(bundle, detach=True)
    assert r.rc == 0, str(r)
    if cgroupfs.is_v2("memory"):
        return
    assert cgroupfs.read(bundle.cgroups_path, "memory", "memory.swappiness", "") == "10"
    oom = cgroupfs.read(bundle.cgroups_path, "memory", "memory.oom_control", "")
    assert cgroupfs.keyed(oom, "oom_kill_disable") == 1


@pytest.mark.berth_only("checks berth's warnings")
def test_ignored_settings_are_warned_about(runtime, bundle):
    bundle.linux["resources"]["memory"] = {"kernel": 64 * MiB, "kernelTCP": MiB}
    if cgroupfs.is_v2("memory"):
        bundle.linux["resources"]["memory"]["swappiness"] = 10
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    if cgroupfs.is_v2("memory"):
        assert "kernel and kernelTCP are ignored" in r.err
        assert "swappiness: ignored: cgroup v2 has no per-cgroup swappiness" in r.err
    else:
        assert "linux.resources.memory.kernel: ignored" in r.err


@pytest.mark.berth_only("runc's realtime handling differs on v2; the message is berth's")
def test_cpu_realtime(runtime, bundle):
    bundle.linux["resources"]["cpu"] = {"realtimePeriod": 500000, "realtimeRuntime": 0}
    bundle.set_args(sh("sleep 1000"))
    r = runtime.run(bundle, detach=True)
    if cgroupfs.is_v2("cpu"):
        assert r.rc == 1
        assert "cgroup v2 has no realtime bandwidth limits" in r.err, r.err
        return
    if not os.path.exists(os.path.join(cgroupfs.v1_mount("cpu"), "cpu.rt_period_us")):
        # A kernel without CONFIG_RT_GROUP_SCHED (Debian's) has no rt files.
        assert r.rc == 1
        assert "cpu.realtimePeriod: this kernel has no cpu.rt_period_us" in r.err, r.err
        return
    assert r.rc == 0, str(r)
    assert cgroupfs.read(bundle.cgroups_path, "cpu", "cpu.rt_period_us", "") == "500000"
    assert cgroupfs.read(bundle.cgroups_path, "cpu", "cpu.rt_runtime_us", "") == "0"


def test_a_frozen_cgroup_is_refused_not_waited_on(runtime, bundle):
    """A cgroupsPath someone already froze: create fails saying so (runc: "container's
    cgroup unexpectedly frozen") instead of leaving the runtime waiting on a process that
    is frozen in it."""
    d = cgroupfs.cgdir(bundle.cgroups_path, "freezer")
    os.makedirs(d)
    state, value = ("cgroup.freeze", ("1", "0")) if cgroupfs.is_v2("freezer") else \
        ("freezer.state", ("FROZEN", "THAWED"))
    try:
        with open(os.path.join(d, state), "w") as f:
            f.write(value[0])
        bundle.set_args(sh("true"))
        r = runtime.create(bundle)
        assert r.rc != 0, str(r)
        assert "frozen" in r.err, r.err
    finally:
        if os.path.exists(os.path.join(d, state)):   # berth removes it, runc leaves it
            with open(os.path.join(d, state), "w") as f:
                f.write(value[1])
            os.rmdir(d)


def test_a_cgroup_with_processes_in_it_is_warned_about(runtime, make_bundle):
    """A second container in the cgroupsPath of a running one: created, with a warning that
    the cgroup already holds processes (runc warns too)."""
    first, second = make_bundle("first"), make_bundle("second")
    second.linux["cgroupsPath"] = first.linux["cgroupsPath"]
    first.set_args(sh("sleep 1000"))
    assert runtime.run(first, detach=True).rc == 0
    second.set_args(sh("true"))
    r = runtime.create(second)
    assert r.rc == 0, str(r)
    assert "not empty" in r.err, r.err
