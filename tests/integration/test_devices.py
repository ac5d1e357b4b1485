"""/dev in the container: the default devices and links, /dev/shm and /dev/pts, and
linux.devices (config-linux.md, Devices and Default Devices)."""

import os

import pytest

import oci
from oci import sh

DEFAULT = {  # path: (type, major, minor)
    "/dev/null": ("c", 1, 3), "/dev/zero": ("c", 1, 5), "/dev/full": ("c", 1, 7),
    "/dev/random": ("c", 1, 8), "/dev/urandom": ("c", 1, 9), "/dev/tty": ("c", 5, 0),
}
LINKS = {"/dev/fd": "/proc/self/fd", "/dev/stdin": "/proc/self/fd/0",
         "/dev/stdout": "/proc/self/fd/1", "/dev/stderr": "/proc/self/fd/2",
         "/dev/ptmx": "pts/ptmx"}


def run_ok(runtime, bundle, script):
    bundle.set_args(sh(script))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    return r.out


def stat_lines(out):
    """`stat -c '%n %F %t %T %a %u %g'` lines as {path: (type, major, minor, mode, uid, gid)}."""
    rows = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) < 7:
            continue
        kind = {"character": "c", "block": "b", "fifo": "p"}.get(f[1], f[1])
        tail = f[-5:]
        rows[f[0]] = (kind, int(tail[0], 16), int(tail[1], 16), tail[2], int(tail[3]),
                      int(tail[4]))
    return rows


STAT = "stat -c '%n %F %t %T %a %u %g'"


def test_default_devices_and_links(runtime, bundle):
    script = "; ".join([STAT + " " + " ".join(DEFAULT)] +
                       ["echo %s=$(readlink %s)" % (l, l) for l in LINKS] +
                       ["head -c 3 /dev/zero | wc -c", "echo hi > /dev/null && echo null-ok",
                        "echo x > /dev/full 2>/dev/null || echo full-ENOSPC"])
    out = run_ok(runtime, bundle, script)
    rows = stat_lines(out)
    for path, (kind, major, minor) in DEFAULT.items():
        assert rows[path][:3] == (kind, major, minor), (path, rows.get(path))
        assert rows[path][3] == "666", (path, rows[path])
        assert rows[path][4:] == (0, 0), path
    links = dict(l.split("=", 1) for l in out.splitlines() if l.startswith("/dev/") and "=" in l)
    assert links == LINKS
    assert out.splitlines()[-3:] == ["3", "null-ok", "full-ENOSPC"]


def test_dev_shm_and_pts_newinstance(runtime, bundle):
    out = run_ok(runtime, bundle, "cat /proc/self/mountinfo; ls /dev/pts")
    mounts = {m["mount_point"]: m for m in oci.parse_mountinfo(
        "\n".join(l for l in out.splitlines() if " - " in l))}
    assert mounts["/dev/shm"]["fstype"] == "tmpfs"
    pts = mounts["/dev/pts"]
    assert pts["fstype"] == "devpts"
    # A new devpts instance: its own ptmx and no host ptys in it.
    assert "ptmxmode=666" in pts["super_opts"] or "ptmxmode=0666" in pts["super_opts"]
    host_pts = [m for m in oci.host_mounts() if m["mount_point"] == "/dev/pts"]
    if host_pts:
        assert pts["source"] == "devpts"
    assert out.split()[-1] == "ptmx"


def test_linux_devices_mknod(runtime, bundle):
    bundle.linux["devices"] = [
        {"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 0o640,
         "uid": 1000, "gid": 1000},
        {"path": "/dev/loop-test", "type": "b", "major": 7, "minor": 200, "fileMode": 0o600},
        {"path": "/dev/kmsg-u", "type": "u", "major": 1, "minor": 11},
        {"path": "/run/a/fifo", "type": "p", "fileMode": 0o622, "gid": 5},
    ]
    bundle.config["root"]["readonly"] = False
    out = run_ok(runtime, bundle, STAT + " /dev/fuse /dev/loop-test /dev/kmsg-u /run/a/fifo")
    rows = stat_lines(out)
    assert rows["/dev/fuse"] == ("c", 10, 229, "640", 1000, 1000)
    assert rows["/dev/loop-test"] == ("b", 7, 200, "600", 0, 0)
    assert rows["/dev/kmsg-u"][:3] == ("c", 1, 11)
    assert rows["/run/a/fifo"][0] == "p" and rows["/run/a/fifo"][3:] == ("622", 0, 5)


def test_linux_device_overrides_a_default(runtime, bundle):
    bundle.linux["devices"] = [{"path": "/dev/null", "type": "c", "major": 1, "minor": 3,
                                "fileMode": 0o620, "uid": 0, "gid": 6}]
    # runc takes /dev/null out of its default device cgroup rules once it is listed.
    bundle.linux["resources"]["devices"].append(
        {"allow": True, "type": "c", "major": 1, "minor": 3, "access": "rwm"})
    rows = stat_lines(run_ok(runtime, bundle, STAT + " /dev/null"))
    assert rows["/dev/null"] == ("c", 1, 3, "620", 0, 6)


@pytest.mark.berth_only("runc 1.1.5 replaces a mismatching file (config-linux.md: an error)")
def test_existing_file_that_is_not_the_device_is_an_error(runtime, bundle):
    os.makedirs(os.path.join(bundle.rootfs, "opt"))
    with open(os.path.join(bundle.rootfs, "opt/dev"), "w") as f:
        f.write("not a device")
    bundle.linux["devices"] = [{"path": "/opt/dev", "type": "c", "major": 1, "minor": 3}]
    r = runtime.create(bundle)
    assert r.rc != 0
    assert "linux.devices[0]" in r.err and "/opt/dev" in r.err, r.err
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert oci.cgroup_dirs(bundle.cgroups_path) == []
    assert open(os.path.join(bundle.rootfs, "opt/dev")).read() == "not a device"


@pytest.mark.parametrize("device,needle", [
    ({"path": "/dev/x", "type": "q", "major": 1, "minor": 1}, "linux.devices[0].type"),
    pytest.param({"path": "dev/x", "type": "c", "major": 1, "minor": 1},
                 "linux.devices[0].path",
                 marks=pytest.mark.berth_only("runc 1.1.5 accepts a relative device path")),
    pytest.param({"path": "/dev/x", "type": "c", "minor": 1}, "linux.devices[0]",
                 marks=pytest.mark.berth_only("runc 1.1.5 takes a missing major as 0")),
    ({"path": "/dev/x", "type": "c", "major": 1, "minor": "1"}, "linux.devices[0].minor"),
    ({"path": "/dev/x", "type": "c", "major": 1, "minor": 1, "uid": -1}, "linux.devices[0].uid"),
])
def test_bad_devices_are_refused(runtime, bundle, device, needle):
    bundle.linux["devices"] = [device]
    r = runtime.create(bundle)
    assert r.rc != 0
    if runtime.name == "berth":
        assert needle in r.err, r.err
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert oci.cgroup_dirs(bundle.cgroups_path) == []


def test_device_path_with_a_trailing_slash(runtime, bundle):
    """"/dev/fuse/" names /dev/fuse (runc cleans the path)."""
    bundle.linux["devices"] = [
        {"path": "/dev/fuse/", "type": "c", "major": 10, "minor": 229, "fileMode": 0o600}]
    out = run_ok(runtime, bundle, STAT + " /dev/fuse")
    assert stat_lines(out)["/dev/fuse"][:3] == ("c", 10, 229)
