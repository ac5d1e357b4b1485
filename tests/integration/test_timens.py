"""Time namespace with linux.timeOffsets (config-linux.md, Offset for Time Namespace)."""

import os

import pytest

import oci
from oci import sh

YEAR = 365 * 24 * 3600

pytestmark = pytest.mark.berth_only("runc 1.1.5 has no time namespace")


def host_uptime():
    return float(open("/proc/uptime").read().split()[0])


def test_boottime_offset_shows_in_uptime(runtime, bundle):
    bundle.linux["namespaces"].append({"type": "time"})
    bundle.linux["timeOffsets"] = {"boottime": {"secs": YEAR, "nanosecs": 0},
                                   "monotonic": {"secs": 2 * YEAR, "nanosecs": 500}}
    bundle.set_args(sh("cat /proc/uptime; cat /proc/self/timens_offsets; "
                       "readlink /proc/self/ns/time; readlink /proc/1/ns/time"))
    before = host_uptime()
    r = runtime.run(bundle)
    after = host_uptime()
    assert r.rc == 0, str(r)
    lines = r.out.splitlines()
    inside = float(lines[0].split()[0])
    assert before + YEAR <= inside <= after + YEAR + 1
    offsets = {l.split()[0]: l.split()[1:] for l in lines[1:3]}
    assert offsets == {"monotonic": [str(2 * YEAR), "500"], "boottime": [str(YEAR), "0"]}
    # The init itself (pid 1) is in the new namespace, not only its children.
    assert lines[3] == lines[4] != oci.ns_link("time")


def test_time_namespace_without_offsets(runtime, bundle):
    bundle.linux["namespaces"].append({"type": "time"})
    bundle.set_args(sh("readlink /proc/self/ns/time; cat /proc/self/timens_offsets"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    lines = r.out.splitlines()
    assert lines[0] != oci.ns_link("time")
    assert [l.split()[1:] for l in lines[1:3]] == [["0", "0"], ["0", "0"]]


def test_time_offsets_in_user_namespace(runtime, open_bundle):
    bundle = open_bundle()
    bundle.linux["namespaces"].append({"type": "time"})
    bundle.linux["namespaces"].append({"type": "user"})
    mapping = [{"containerID": 0, "hostID": 0, "size": 65536}]
    bundle.linux["uidMappings"] = mapping
    bundle.linux["gidMappings"] = mapping
    bundle.linux["timeOffsets"] = {"boottime": {"secs": YEAR}}
    bundle.set_args(sh("cut -d' ' -f1 /proc/uptime"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert float(r.out) >= YEAR


@pytest.mark.parametrize("offsets,needle", [
    ({"boottime": {"secs": 1, "nanosecs": 1000000000}}, "linux.timeOffsets.boottime"),
    ({"monotonic": {"secs": "1"}}, "linux.timeOffsets.monotonic.secs"),
    ({"monotonic": 5}, "linux.timeOffsets.monotonic"),
])
def test_bad_offsets_are_refused(runtime, bundle, offsets, needle):
    bundle.linux["namespaces"].append({"type": "time"})
    bundle.linux["timeOffsets"] = offsets
    r = runtime.create(bundle)
    assert r.rc != 0
    assert needle in r.err, r.err
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert oci.cgroup_dirs(bundle.cgroups_path) == []


def test_offsets_without_time_namespace_are_refused(runtime, bundle):
    bundle.linux["timeOffsets"] = {"boottime": {"secs": 10}}
    r = runtime.create(bundle)
    assert r.rc != 0
    assert "linux.timeOffsets" in r.err, r.err
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))


def test_offset_the_kernel_refuses_leaves_nothing(runtime, bundle):
    """A monotonic clock pushed below zero: the kernel refuses, create cleans up."""
    bundle.linux["namespaces"].append({"type": "time"})
    bundle.linux["timeOffsets"] = {"monotonic": {"secs": -100 * YEAR}}
    r = runtime.create(bundle)
    assert r.rc != 0
    assert "linux.timeOffsets" in r.err, r.err
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert oci.cgroup_dirs(bundle.cgroups_path) == []
