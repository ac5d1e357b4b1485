"""CVE-2021-30465 and kin, CVE-2019-16884 and CVE-2023-27561: mounts cannot leave the
rootfs, and procfs and sysfs go only on real directories of it.

test_safety.py covers symlinks in the rootfs (absolute, and climbing with ".."); here:
".." in the destination itself, a directory swapped for a symlink while the runtime
mounts (the CVE-2021-30465 race, run many times), and proc/sysfs targets.
"""

import os
import threading

import pytest

import oci
from oci import sh


@pytest.fixture
def host_target(tmp_path):
    d = tmp_path / "host-target"
    d.mkdir()
    (d / "marker").write_text("untouched\n")
    return d


def test_dotdot_in_the_destination_stays_in_the_rootfs(runtime, bundle, host_target):
    dest = "/../../../../../.." + str(host_target)
    bundle.add_mount(dest, "tmpfs", "tmpfs", ["size=64k"])
    bundle.set_args(sh("touch %s/pwned; cat /proc/self/mountinfo" % dest))
    r = runtime.run(bundle)
    assert sorted(os.listdir(host_target)) == ["marker"]
    assert oci.mounts_under(host_target) == []
    assert r.rc == 0, str(r)
    points = {m["mount_point"] for m in oci.parse_mountinfo(r.out)}
    assert str(host_target) in points, sorted(points)


def swapper(rootfs, host_target, stop):
    """Swap /mnt between a directory and a symlink to the host, as fast as we can."""
    link = os.path.join(rootfs, "mnt-link")
    real = os.path.join(rootfs, "mnt")
    tmp = os.path.join(rootfs, "mnt-dir")
    os.makedirs(tmp, exist_ok=True)
    os.symlink(str(host_target), link)
    while not stop.is_set():
        for src in (link, tmp):
            try:
                os.rename(src, real + ".new")
                os.rename(real + ".new", real)
                os.rename(real, src)
            except OSError:
                pass


def test_mount_target_swapped_for_a_symlink_during_setup(runtime, make_bundle, host_target):
    """The race of CVE-2021-30465: /mnt flips between a directory and a symlink to the
    host while the runtime mounts 20 tmpfs on /mnt/N. Ten containers in a row."""
    for i in range(10):
        b = make_bundle("race%d" % i)
        for n in range(20):
            b.add_mount("/mnt/%d" % n, "tmpfs", "tmpfs", ["size=16k"])
        b.set_args(["true"])
        stop = threading.Event()
        t = threading.Thread(target=swapper, args=(b.rootfs, host_target, stop), daemon=True)
        t.start()
        try:
            runtime.run(b)       # may fail on a mount point that vanished: that is fine
        finally:
            stop.set()
            t.join(10)
        assert oci.mounts_under(host_target) == [], "a mount landed on the host"
        assert sorted(os.listdir(host_target)) == ["marker"]
        runtime.delete(b.id, force=True)


@pytest.mark.parametrize("fs, dest", [("proc", "/proc"), ("sysfs", "/sys")])
@pytest.mark.parametrize("how", ["symlink-inside", "symlink-host", "file"])
def test_kernel_filesystem_target_must_be_a_directory(runtime, bundle, tmp_path, fs, dest,
                                                      how):
    """A fake /proc (a symlink to a directory the image controls) must not take the
    mount, or the runtime's writes to /proc could be redirected (CVE-2023-27561)."""
    target = os.path.join(bundle.rootfs, dest.lstrip("/"))
    os.rmdir(target)
    if how == "symlink-inside":
        os.makedirs(os.path.join(bundle.rootfs, "fake"))
        os.symlink("/fake", target)
    elif how == "symlink-host":
        os.symlink(str(tmp_path), target)
    else:
        with open(target, "w") as f:
            f.write("not a directory\n")
    if fs == "sysfs":
        bundle.config["mounts"] = [m for m in bundle.config["mounts"]
                                   if not m["destination"].startswith("/sys/")]
    r = runtime.run(bundle)
    assert r.rc != 0, "%s was mounted on a %s:\n%s" % (fs, how, r)
    assert oci.mounts_under(tmp_path) == []
