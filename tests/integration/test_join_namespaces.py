"""Joining every namespace type by `path` (config-linux.md, Namespaces), alone and all at
once: the container's process is in the holder's namespaces, and the runtime's own stay
untouched."""

import shutil

import pytest

import oci
from oci import sh

# spec type -> (unshare flag, /proc/PID/ns name)
TYPES = {"ipc": ("--ipc", "ipc"), "uts": ("--uts", "uts"), "network": ("--net", "net"),
         "cgroup": ("--cgroup", "cgroup"), "time": ("--time", "time"),
         "mount": ("--mount", "mnt"), "pid": ("--pid", "pid")}


def holder(helper_process, kinds):
    """A process in new namespaces of kinds; for pid, the namespace's init (unshare's child)."""
    if not shutil.which("unshare"):
        oci.skip("unshare (util-linux) is needed")
    flags = [TYPES[k][0] for k in kinds]
    # --kill-child: the teardown kills unshare by pid; its child (the pid namespace's init)
    # must die with it, or it outlives the test.
    fork = ["--fork", "--kill-child"] if "pid" in kinds else []
    p = helper_process(["unshare", *flags, *fork, *oci.SLEEPER])
    if fork:
        kids = oci.wait_for(lambda: open("/proc/%d/task/%d/children" % (p.pid, p.pid))
                            .read().split(), timeout=5)
        assert kids, "unshare --fork did not start its child"
        assert oci.wait_for(lambda: oci.sleeper_ready(int(kids[0])), timeout=5), \
            "the namespace holder did not start"
        return int(kids[0])
    assert oci.wait_for(lambda: oci.sleeper_ready(p.pid), timeout=5), \
        "the namespace holder did not start"
    return p.pid


@pytest.mark.parametrize("kind", sorted(set(TYPES) - {"time"}))  # time: below, berth only
def test_join_one_namespace_by_path(runtime, bundle, helper_process, kind):
    pid = holder(helper_process, [kind])
    proc = TYPES[kind][1]
    before = oci.ns_link(proc)
    assert oci.ns_link(proc, pid) != before
    bundle.set_namespace_path(kind, "/proc/%d/ns/%s" % (pid, proc))
    if kind == "uts":
        bundle.config["hostname"] = "joined"
    bundle.set_args(sh("readlink /proc/self/ns/%s" % proc))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert r.out.strip() == oci.ns_link(proc, pid)
    assert oci.ns_link(proc) == before


@pytest.mark.berth_only("runc 1.1.5 has no time namespace")
def test_join_time_namespace(runtime, bundle, helper_process):
    pid = holder(helper_process, ["time"])
    bundle.set_namespace_path("time", "/proc/%d/ns/time" % pid)
    bundle.set_args(sh("readlink /proc/self/ns/time"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert r.out.strip() == oci.ns_link("time", pid)


def test_join_all_namespaces_at_once(runtime, bundle, helper_process):
    kinds = ["ipc", "uts", "network", "cgroup", "mount", "pid"]
    pid = holder(helper_process, kinds)
    for k in kinds:
        bundle.set_namespace_path(k, "/proc/%d/ns/%s" % (pid, TYPES[k][1]))
    bundle.config["hostname"] = "all-joined"
    bundle.set_args(sh("; ".join("readlink /proc/self/ns/" + TYPES[k][1] for k in kinds)))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert r.out.split() == [oci.ns_link(TYPES[k][1], pid) for k in kinds]


def test_bad_namespace_path_leaves_nothing(runtime, bundle, tmp_path):
    not_ns = tmp_path / "not-a-namespace"
    not_ns.write_text("")
    bundle.set_namespace_path("ipc", str(not_ns))
    r = runtime.create(bundle)
    assert r.rc != 0
    if runtime.name == "berth":
        assert "ipc namespace" in r.err, r.err
    import os
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert oci.cgroup_dirs(bundle.cgroups_path) == []


def test_namespace_path_of_the_wrong_type_is_refused(runtime, bundle, netns):
    import os
    bundle.set_namespace_path("uts", "/run/netns/" + netns)
    r = runtime.create(bundle)
    assert r.rc != 0
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert oci.cgroup_dirs(bundle.cgroups_path) == []


def test_joined_mount_namespace_enters_the_rootfs(runtime, bundle, helper_process):
    """A mount namespace joined by path is set up and entered like a new one: the process
    runs in the bundle's rootfs (a marker only the rootfs has), not at the namespace's /."""
    pid = holder(helper_process, ["mount"])
    bundle.set_namespace_path("mount", "/proc/%d/ns/mnt" % pid)
    with open(bundle.rootfs + "/rootfs-marker", "w") as f:
        f.write("in-the-rootfs\n")
    bundle.set_args(sh("cat /rootfs-marker; readlink /proc/self/ns/mnt"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert r.out.split() == ["in-the-rootfs", oci.ns_link("mnt", pid)]


def test_no_mount_namespace_with_mounts_is_refused_and_mounts_nothing(runtime, bundle):
    """Without a mount namespace the config's mounts would be made in the host's:
    refused before anything is mounted (runc: "unable to restrict sys entries without a
    private MNT namespace")."""
    bundle.remove_namespace("mount")
    with open("/proc/self/mountinfo") as f:
        before = f.read()
    bundle.set_args(sh("true"))
    r = runtime.run(bundle)
    assert r.rc != 0, str(r)
    with open("/proc/self/mountinfo") as f:
        after = f.read()
    assert bundle.rootfs not in after and after == before


@pytest.mark.berth_only("runc 1.1.5 fails this config (no /proc in the bare rootfs for its "
                        "fd closing) and leaves the rootfs bind-mounted on the host")
def test_no_mount_namespace_and_no_mounts_runs_chrooted(runtime, bundle):
    """A bare config without a mount namespace: the process is chrooted into the rootfs
    and nothing is mounted on the host."""
    bundle.remove_namespace("mount")
    bundle.config["mounts"] = []
    bundle.linux.pop("maskedPaths", None)
    bundle.linux.pop("readonlyPaths", None)
    bundle.config["root"]["readonly"] = False
    with open(bundle.rootfs + "/rootfs-marker", "w") as f:
        f.write("in-the-rootfs\n")
    with open("/proc/self/mountinfo") as f:
        before = f.read()
    bundle.set_args(sh("cat /rootfs-marker"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert r.out == "in-the-rootfs\n"
    with open("/proc/self/mountinfo") as f:
        assert f.read() == before
