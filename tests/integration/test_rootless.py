"""Rootless: the runtime run by an unprivileged user, with a user namespace that maps only
that user to root, as `runc --rootless` (and `spec --rootless`)."""

import json
import os
import pwd
import shutil
import subprocess

import pytest

import oci
from oci import sh

USER = "berth-rootless"


@pytest.fixture(scope="session")
def rootless_user():
    """An unprivileged system user for these tests (created once, left for later runs)."""
    try:
        pw = pwd.getpwnam(USER)
    except KeyError:
        if not shutil.which("useradd"):
            oci.skip("useradd is needed to make an unprivileged user")
        subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", USER], check=True)
        pw = pwd.getpwnam(USER)
    if not shutil.which("setpriv"):
        oci.skip("setpriv (util-linux) is needed")
    return pw


@pytest.fixture
def rootless(runtime, rootless_user, open_bundle):
    """The runtime run as the unprivileged user (setpriv), with its own XDG_RUNTIME_DIR and
    a private --root in it; returns (runtime, bundle dir owned by the user, xdg dir)."""
    uid, gid = rootless_user.pw_uid, rootless_user.pw_gid
    bundle = open_bundle()
    top = os.path.dirname(bundle.path)
    xdg = os.path.join(top, "xdg")
    os.mkdir(xdg, 0o700)
    for path in (bundle.path, xdg):
        os.chown(path, uid, gid)
    runtime.prefix = ["setpriv", "--reuid=%d" % uid, "--regid=%d" % gid, "--clear-groups"]
    runtime.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "XDG_RUNTIME_DIR": xdg,
                   "HOME": "/nonexistent"}
    runtime.root = os.path.join(xdg, "state")
    return runtime, bundle, xdg


def rootless_config(runtime, bundle, args):
    """`<runtime> spec --rootless`, run as the user, adjusted for the test bundle."""
    r = runtime("spec", "--rootless", cwd=bundle.path)
    assert r.rc == 0, str(r)
    with open(os.path.join(bundle.path, "config.json")) as f:
        config = json.load(f)
    os.unlink(os.path.join(bundle.path, "config.json"))
    config["process"]["terminal"] = False
    config["process"]["args"] = list(args)
    config["hostname"] = "rootless"
    # The runtime cannot create this cgroup and must go on without one. runc 1.1.5 goes
    # on only when no cgroupsPath is given (it would not create one then either).
    bundle.rootless = True
    if runtime.name != "runc":
        config["linux"]["cgroupsPath"] = bundle.cgroups_path
    bundle.config = config
    return config


def test_spec_rootless_maps_the_caller(rootless, rootless_user):
    runtime, bundle, _ = rootless
    config = rootless_config(runtime, bundle, ["true"])
    uid, gid = rootless_user.pw_uid, rootless_user.pw_gid
    assert config["linux"]["uidMappings"] == [{"containerID": 0, "hostID": uid, "size": 1}]
    assert config["linux"]["gidMappings"] == [{"containerID": 0, "hostID": gid, "size": 1}]
    kinds = {n["type"] for n in config["linux"]["namespaces"]}
    assert "user" in kinds and "network" not in kinds
    assert "resources" not in config["linux"]
    sys_mount = [m for m in config["mounts"] if m["destination"] == "/sys"][0]
    assert sys_mount["source"] == "/sys" and "rbind" in sys_mount["options"]
    pts = [m for m in config["mounts"] if m["destination"] == "/dev/pts"][0]
    assert not any(o.startswith("gid=") for o in pts["options"])


def test_rootless_run(rootless, rootless_user):
    runtime, bundle, _ = rootless
    rootless_config(runtime, bundle, sh(
        "id -u; id -g; cat /proc/self/uid_map; hostname; echo $$; "
        "stat -c '%t:%T' /dev/null; ls /sys/kernel >/dev/null && echo sys-ok"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    lines = r.out.splitlines()
    assert lines[:2] == ["0", "0"]
    assert lines[2].split() == ["0", str(rootless_user.pw_uid), "1"]
    assert lines[3:] == ["rootless", "1", "1:3", "sys-ok"]
    if runtime.name == "berth":
        assert "running without a cgroup" in r.err, r.err
    assert oci.cgroup_dirs(bundle.cgroups_path) == []


def test_rootless_lifecycle_in_xdg_runtime_dir(rootless, rootless_user):
    """Without --root the state lives in $XDG_RUNTIME_DIR/<runtime>, as runc's."""
    runtime, bundle, xdg = rootless
    runtime.pass_root = False
    runtime.root = os.path.join(xdg, "berth" if runtime.name == "berth" else runtime.name)
    rootless_config(runtime, bundle, ["sleep", "1000"])
    r = runtime.create(bundle)
    assert r.rc == 0, str(r)
    assert os.path.isdir(os.path.join(runtime.root, bundle.id))
    st = runtime.state(bundle.id)
    assert st["status"] == "created"
    assert oci.proc_status(st["pid"])["Uid"].split() == [str(rootless_user.pw_uid)] * 4
    assert runtime.start(bundle.id).rc == 0
    assert runtime.status(bundle.id) == "running"
    assert runtime.kill(bundle.id, "KILL").rc == 0
    runtime.wait_status(bundle.id, "stopped")
    assert runtime.delete(bundle.id).rc == 0
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))


@pytest.mark.berth_only("checks berth's message for a mapping the user may not write")
def test_rootless_foreign_mapping_is_refused(rootless):
    runtime, bundle, _ = rootless
    config = rootless_config(runtime, bundle, ["true"])
    config["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 0, "size": 1}]
    r = runtime.run(bundle)
    assert r.rc != 0
    assert "linux.uidMappings" in r.err, r.err
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))


@pytest.mark.berth_only("runc 1.1.5 fails a sysfs mount in a user namespace without netns")
def test_sysfs_falls_back_to_a_bind_without_netns(rootless):
    """A plain sysfs mount cannot be made in a user namespace that does not own the
    network namespace: berth binds the host's /sys instead (read-only)."""
    runtime, bundle, _ = rootless
    config = rootless_config(runtime, bundle, sh(
        "ls /sys/kernel >/dev/null && echo sys-ok; touch /sys/x 2>/dev/null || echo ro"))
    sys_mount = [m for m in config["mounts"] if m["destination"] == "/sys"][0]
    sys_mount.update({"type": "sysfs", "source": "sysfs",
                      "options": ["nosuid", "noexec", "nodev", "ro"]})
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert r.out.split() == ["sys-ok", "ro"]


@pytest.mark.berth_only("checks berth's message; setgroups is denied when mapping only oneself")
def test_rootless_additional_gids_are_refused(rootless):
    runtime, bundle, _ = rootless
    config = rootless_config(runtime, bundle, ["true"])
    config["process"]["user"]["additionalGids"] = [10]
    r = runtime.run(bundle)
    assert r.rc != 0
    assert "process.user.additionalGids" in r.err, r.err
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))


SUBID_BASE = 300000


@pytest.fixture
def subids(rootless_user):
    """Subordinate ids for the user (/etc/subuid, /etc/subgid), for newuidmap/newgidmap."""
    if not shutil.which("newuidmap") or not shutil.which("newgidmap"):
        oci.skip("newuidmap and newgidmap (package uidmap) are needed")
    line = "%s:%d:65536\n" % (USER, SUBID_BASE)
    for path in ("/etc/subuid", "/etc/subgid"):
        text = open(path).read() if os.path.exists(path) else ""
        if line not in text:
            with open(path, "a") as f:
                f.write(line)
    return SUBID_BASE


@pytest.mark.parametrize("gids", [
    [],
    pytest.param([5, 100], marks=pytest.mark.berth_only(
        "runc 1.1.5 refuses additionalGids in any rootless container")),
])
def test_rootless_with_subordinate_ids(rootless, rootless_user, subids, gids):
    """More than its own id: the mappings go through newuidmap/newgidmap, and setgroups
    stays allowed (additionalGids work)."""
    runtime, bundle, _ = rootless
    config = rootless_config(runtime, bundle, sh(
        "cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; id -u; "
        "grep Groups /proc/self/status"))
    uid, gid = rootless_user.pw_uid, rootless_user.pw_gid
    config["linux"]["uidMappings"] = [{"containerID": 0, "hostID": uid, "size": 1},
                                      {"containerID": 1, "hostID": subids, "size": 65536}]
    config["linux"]["gidMappings"] = [{"containerID": 0, "hostID": gid, "size": 1},
                                      {"containerID": 1, "hostID": subids, "size": 65536}]
    config["process"]["user"]["additionalGids"] = gids
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    lines = [l.split() for l in r.out.splitlines()]
    assert lines[0] == ["0", str(uid), "1"] and lines[1] == ["1", str(subids), "65536"]
    assert lines[2] == ["0", str(gid), "1"] and lines[3] == ["1", str(subids), "65536"]
    assert lines[4] == ["allow"] and lines[5] == ["0"]
    assert lines[6][1:] == [str(g) for g in gids]


def test_rootless_exec_into_the_pid_namespace(rootless, rootless_user):
    """exec joins the container's pid namespace together with its user namespace (which
    owns it): an unprivileged runtime may not join it first."""
    runtime, bundle, xdg = rootless
    config = rootless_config(runtime, bundle, ["sleep", "1000"])
    assert "pid" in {n["type"] for n in config["linux"]["namespaces"]}
    pid_file = os.path.join(xdg, "init.pid")
    r = runtime.run(bundle, detach=True, pid_file=pid_file)
    assert r.rc == 0, str(r)
    init = int(oci.read_file(pid_file))
    runtime.remember_pid(init)
    r = runtime("exec", bundle.id, "sh", "-c",
                "echo $$; id -u; hostname; readlink /proc/1/ns/pid; readlink /proc/self/ns/pid; ls /")
    assert r.rc == 0, str(r)
    lines = r.out.splitlines()
    assert int(lines[0]) > 1 and lines[1:3] == ["0", "rootless"], r.out
    assert lines[3] == lines[4] == oci.ns_link("pid", init), r.out
    assert "linuxrc" in lines[5:], "not the container's root: " + r.out
